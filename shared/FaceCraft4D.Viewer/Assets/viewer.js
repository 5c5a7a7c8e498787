// FaceCraft4D avatar viewer: run status and per-stage progress while the run is going, then the Gaussian avatar
// (avatar.ply, standard 3DGS layout) in 3D with a 360° orbit, and expression playback of the Export stage's clips
// (animation/index.json, format fc4d-avatar-animation/1: per-frame triangle frames + the rig; see the Viewer README).
// Test hooks: window.fc4dViewer (state, errors, setView, setAutoRotate, setFrame, play, pause, playback, posed, settle, capture).
import * as THREE from 'three';
import { OrbitControls } from 'three/addons/controls/OrbitControls.js';
import { SparkRenderer, SplatMesh, SplatFileType, utils } from '@sparkjsdev/spark';
import { ANIMATION_FORMAT, AvatarAnimationClip, AvatarPoser, AvatarRig } from './avatar-animation.js';

const config = JSON.parse(document.getElementById('fc4d-config').textContent);
const $ = (id) => document.getElementById(id);
const query = new URLSearchParams(location.search);
// A share link (?share=, signed, expiring, read-only for this run) is forwarded to the read routes; nothing else from
// the page's URL is (in particular no function key: a key in a viewer link would be handed to everyone it is shared with).
const share = query.get('share');

const hooks = { state: 'loading', errors: [], stageRows: 0, splats: 0, clips: [], poseMs: null };
window.fc4dViewer = hooks;

function apiUrl(path) {
  const url = `${config.apiBase}/avatars/${encodeURIComponent(config.runId)}${path}`;
  return share ? `${url}${url.includes('?') ? '&' : '?'}share=${encodeURIComponent(share)}` : url;
}

function setStatus(text) {
  $('status').textContent = text;
  $('status').dataset.status = text;
}

function fail(message) {
  hooks.state = 'failed';
  hooks.errors.push(message);
  $('error').hidden = false;
  $('error').textContent = message;
  if ($('message').textContent === message) $('message').textContent = '';
}

function renderProgress(view) {
  const progress = view.customStatus;
  $('message').textContent = progress?.message ?? (progress?.currentStage ? `running ${progress.currentStage}` : '');
  const stages = progress?.stages ?? view.output?.stages ?? [];
  const body = $('stages').tBodies[0];
  body.replaceChildren();
  for (const s of stages) {
    const tr = document.createElement('tr');
    tr.dataset.state = s.state;
    const pct = s.total > 0 ? Math.round(100 * s.done / s.total) : (s.state === 'completed' ? 100 : 0);
    const cells = [s.name, s.state, null, String(s.reused ?? 0), String(s.attempts ?? 0), s.backend ?? '', s.detail ?? ''];
    cells.forEach((text, i) => {
      const td = document.createElement('td');
      if (i === 2) {
        const bar = document.createElement('span'); bar.className = 'bar';
        const fill = document.createElement('span'); fill.style.width = `${pct}%`; bar.append(fill);
        td.append(bar, document.createTextNode(`${s.done}/${s.total}`));
      } else td.textContent = text;
      if (i === 6) td.className = 'detail';
      tr.append(td);
    });
    body.append(tr);
  }
  $('stages').hidden = stages.length === 0;
  hooks.stageRows = stages.length;
}

async function poll() {
  let res;
  try {
    res = await fetch(apiUrl(''), { headers: { Accept: 'application/json' }, cache: 'no-store' });
  } catch (e) {
    setTimeout(poll, config.pollSeconds * 1000);
    return;
  }
  if (res.status === 404) { setStatus('not-found'); fail(`No avatar run ${config.runId}.`); return; }
  if (!res.ok) { setTimeout(poll, config.pollSeconds * 1000); return; }
  const view = await res.json();
  setStatus(view.runtimeStatus);
  renderProgress(view);
  switch (view.runtimeStatus) {
    case 'Completed':
      await showAvatar(view);
      return;
    case 'Failed': case 'Terminated': case 'Canceled':
      fail(view.error ?? `The run ended as ${view.runtimeStatus}.`);
      return;
    default: {
      hooks.state = 'running';
      const retry = Number(res.headers.get('Retry-After'));
      setTimeout(poll, (retry > 0 ? retry : config.pollSeconds) * 1000);
    }
  }
}

// ---------------------------------------------------------------- 3D view

let renderer, scene, camera, controls, spark, mesh, center = new THREE.Vector3(), radius = 0.15;
// Playback: the animation index, the posing state, the loaded clips by name, and the clock (playStart: the animation-loop
// time of frame 0 of the current pass, null until the next loop tick after play/seek).
let animationIndex = null, poser = null, playing = false, currentClip = null, currentFrame = 0, playStart = null;
const clips = new Map();
const frameWaiters = [];
// Render on demand: only after a camera move, an avatar change, a resize, or when Spark reports new splat ordering
// (its sort runs in a worker after a GPU readback). Idle pages cost nothing, and software-GL frames do not pile up.
let needsRender = true;
const invalidate = () => { needsRender = true; };

async function showAvatar(view) {
  if (config.missingModules?.length) { fail(`Viewer modules missing on the server (${config.missingModules.join(', ')}): ${config.installHint}.`); return; }
  hooks.state = 'loading-avatar';
  $('progress').hidden = true;
  $('view').hidden = false;
  const res = await fetch(apiUrl('/artifacts/avatar.ply'), { cache: 'no-store' });
  if (!res.ok) { $('progress').hidden = false; fail(`avatar.ply is not available (HTTP ${res.status}).`); return; }
  const bytes = new Uint8Array(await res.arrayBuffer());

  const canvas = $('canvas');
  renderer = new THREE.WebGLRenderer({ canvas, antialias: false, preserveDrawingBuffer: true });
  renderer.setPixelRatio(1);
  resize();
  scene = new THREE.Scene();
  scene.background = new THREE.Color(config.background);
  camera = new THREE.PerspectiveCamera(30, 1, 0.01, 100);
  spark = new SparkRenderer({ renderer, onDirty: invalidate });
  scene.add(spark);
  mesh = new SplatMesh({ fileBytes: bytes, fileType: SplatFileType.PLY, fileName: 'avatar.ply' });
  scene.add(mesh);
  await mesh.initialized;
  hooks.splats = mesh.packedSplats?.numSplats ?? 0;
  $('splat-count').textContent = `${hooks.splats.toLocaleString()} Gaussians`;

  const box = mesh.getBoundingBox(true);
  box.getCenter(center);
  const size = box.getSize(new THREE.Vector3());
  radius = Math.max(1e-3, 0.62 * Math.max(size.x, size.y, size.z)); // the head's largest half-extent plus a margin
  controls = new OrbitControls(camera, canvas);
  controls.target.copy(center);
  controls.enableDamping = false;
  controls.addEventListener('change', invalidate);
  controls.autoRotate = config.autoRotate;
  controls.autoRotateSpeed = config.autoRotateDegreesPerSecond / 6; // OrbitControls.update(dt): speed 1 = 6°/s
  $('orbit').checked = config.autoRotate;
  $('orbit').addEventListener('change', () => { controls.autoRotate = $('orbit').checked; });
  $('reset').addEventListener('click', () => setView(0, 0));
  setView(0, 0);
  window.addEventListener('resize', resize);

  try {
    await loadAnimation();
  } catch (e) {
    animationProblem(String(e?.message ?? e));
  }
  renderer.setAnimationLoop(frame);
  hooks.state = 'ready';
}

function resize() {
  const canvas = $('canvas');
  const w = canvas.clientWidth || 512, h = canvas.clientHeight || 512;
  renderer.setSize(w, h, false);
  if (camera) { camera.aspect = w / h; camera.updateProjectionMatrix(); }
  invalidate();
}

// Yaw: camera azimuth about +y, positive toward +x (the subject's left); pitch: elevation, positive above.
function setView(yawDeg, pitchDeg, distanceFactor = 1) {
  const yaw = THREE.MathUtils.degToRad(yawDeg), pitch = THREE.MathUtils.degToRad(pitchDeg);
  const distance = distanceFactor * radius / Math.sin(THREE.MathUtils.degToRad(camera.fov / 2)) * 1.05;
  camera.position.set(
    center.x + distance * Math.cos(pitch) * Math.sin(yaw),
    center.y + distance * Math.sin(pitch),
    center.z + distance * Math.cos(pitch) * Math.cos(yaw));
  camera.up.set(0, 1, 0);
  camera.lookAt(center);
  controls?.update();
  invalidate();
}

let lastTime = null;
function frame(time) {
  const dt = lastTime === null ? 0 : Math.min(0.25, (time - lastTime) / 1000);
  lastTime = time;
  if (playing && currentClip) {
    // time-based: a slow (software-GL) page skips frames instead of slowing the clip down
    if (playStart === null) playStart = time - currentFrame * 1000 / currentClip.fps;
    const f = Math.floor((time - playStart) * currentClip.fps / 1000) % currentClip.frameCount;
    if (f !== currentFrame) applyFrame(f);
  }
  if (controls.autoRotate) controls.update(dt); // time-based orbit; emits 'change' → invalidate
  if (needsRender) {
    needsRender = false;
    renderer.render(scene, camera);
  }
  const waiting = frameWaiters.splice(0);
  for (const w of waiting) w();
}

// ---------------------------------------------------------------- expression playback

async function fetchArtifact(name) {
  const res = await fetch(apiUrl(`/artifacts/${name.split('/').map(encodeURIComponent).join('/')}`), { cache: 'no-store' });
  if (!res.ok) throw new Error(`${name}: HTTP ${res.status}`);
  return res;
}

// The avatar still shows (canonical pose) when its animation cannot be played; say why next to the controls.
function animationProblem(message) {
  hooks.errors.push(message);
  $('anim-note').hidden = false;
  $('anim-note').textContent = `expressions unavailable: ${message}`;
}

async function loadAnimation() {
  const res = await fetch(apiUrl('/artifacts/animation/index.json'), { cache: 'no-store' });
  if (res.status === 404) return; // no animation exported
  if (!res.ok) throw new Error(`animation/index.json: HTTP ${res.status}`);
  const index = await res.json();
  if (index.format !== ANIMATION_FORMAT) throw new Error(`animation/index.json has format '${index.format}', this viewer reads ${ANIMATION_FORMAT}`);
  const splats = mesh.packedSplats.numSplats;
  if (index.gaussians !== splats) throw new Error(`animation/index.json is for ${index.gaussians} Gaussians, avatar.ply has ${splats}`);
  if (!index.clips?.length) return;
  // The rig's row i is vertex i of avatar.ply: Export writes both from the same parameters in the same order.
  const rig = AvatarRig.parse(await (await fetchArtifact(index.rig ?? 'avatar_rig.safetensors')).arrayBuffer());
  if (rig.count !== splats) throw new Error(`the rig has ${rig.count} Gaussians, avatar.ply has ${splats}`);
  if (index.triangles !== undefined && index.triangles !== rig.triangleCount)
    throw new Error(`animation/index.json is for ${index.triangles} triangles, the rig has ${rig.triangleCount}`);
  poser = new AvatarPoser(rig);
  animationIndex = index;
  hooks.clips = index.clips.map((c) => c.name);
  const select = $('clip');
  for (const c of index.clips) {
    const option = document.createElement('option');
    option.value = c.name; option.textContent = `${c.name}${c.source === 'video' ? ' (your video)' : ''} (${c.frames} frames)`;
    select.append(option);
  }
  $('anim-controls').hidden = false;
  select.addEventListener('change', () => selectClip(select.value).catch((e) => animationProblem(String(e?.message ?? e))));
  $('play').addEventListener('click', () => setPlaying(!playing));
  $('frame').addEventListener('input', () => { setPlaying(false); applyFrame(Number($('frame').value)); });
  await selectClip(index.clips[0].name);
  setPlaying(config.autoPlay !== false);
}

async function loadClip(name) {
  if (!clips.has(name)) {
    const entry = animationIndex.clips.find((c) => c.name === name);
    if (!entry) throw new Error(`no clip ${name}`);
    const bytes = await (await fetchArtifact(entry.file)).arrayBuffer();
    const clip = AvatarAnimationClip.parse(bytes, entry.name, entry.fps);
    if (clip.triangleCount !== poser.rig.triangleCount) throw new Error(`clip ${name} has ${clip.triangleCount} triangles, the rig ${poser.rig.triangleCount}`);
    clips.set(name, clip);
  }
  return clips.get(name);
}

async function selectClip(name) {
  const clip = await loadClip(name);
  currentClip = clip;
  $('clip').value = name;
  // A clip made from the user's video (source "video") links its side-by-side preview: the driving video beside the avatar.
  const entry = animationIndex.clips.find((c) => c.name === name);
  const preview = $('clip-preview');
  preview.hidden = !entry?.preview;
  if (entry?.preview) preview.href = apiUrl(`/artifacts/${entry.preview.split('/').map(encodeURIComponent).join('/')}`);
  $('frame').max = String(clip.frameCount - 1);
  playStart = null;
  applyFrame(0);
}

function setPlaying(on) {
  playing = on && currentClip !== null;
  playStart = null;
  $('play').textContent = playing ? 'pause' : 'play';
}

// Poses frame f of the current clip and writes centres, rotations and scales into Spark's packed splats.
function applyFrame(f) {
  const start = performance.now();
  const { means, quaternions, scales } = poser.pose(currentClip, f);
  const packed = mesh.packedSplats.packedArray, encoding = mesh.packedSplats.splatEncoding;
  for (let i = 0, n = poser.rig.count; i < n; i++) {
    const i3 = 3 * i, i4 = 4 * i;
    utils.setPackedSplatCenter(packed, i, means[i3], means[i3 + 1], means[i3 + 2]);
    utils.setPackedSplatQuat(packed, i, quaternions[i4 + 1], quaternions[i4 + 2], quaternions[i4 + 3], quaternions[i4]); // x, y, z, w
    utils.setPackedSplatScales(packed, i, scales[i3], scales[i3 + 1], scales[i3 + 2], encoding);
  }
  mesh.packedSplats.needsUpdate = true;
  mesh.updateVersion();
  invalidate();
  hooks.poseMs = performance.now() - start;
  currentFrame = f;
  $('frame').value = String(f);
  $('frame-label').textContent = `${f + 1}/${currentClip.frameCount}`;
}

// ---------------------------------------------------------------- test hooks

hooks.setView = (yaw, pitch, distanceFactor) => setView(yaw, pitch, distanceFactor);
hooks.setAutoRotate = (on) => { controls.autoRotate = on; $('orbit').checked = on; };
hooks.setFrame = async (clipName, f) => {
  setPlaying(false);
  if (currentClip?.name !== clipName) await selectClip(clipName);
  applyFrame(f);
};
hooks.play = () => setPlaying(true);
hooks.pause = () => setPlaying(false);
hooks.playback = () => ({ playing, clip: currentClip?.name ?? null, frame: currentFrame, frames: currentClip?.frameCount ?? 0 });
// The frame on screen as the page computed it: the poser's means (N*3, float32) and the centres Spark's packed splats
// hold for the renderer (read back, N*3), each as base64 of little-endian float32.
hooks.posed = () => {
  const base64 = (values) => {
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    let text = '';
    for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(text);
  };
  const packed = new Float32Array(3 * mesh.packedSplats.numSplats);
  mesh.packedSplats.forEachSplat((i, c) => { packed[3 * i] = c.x; packed[3 * i + 1] = c.y; packed[3 * i + 2] = c.z; });
  return { clip: currentClip?.name ?? null, frame: currentFrame, means: poser ? base64(poser.means) : null, packed: base64(packed) };
};
// Current camera azimuth in degrees (same convention as setView).
hooks.cameraYaw = () => THREE.MathUtils.radToDeg(Math.atan2(camera.position.x - center.x, camera.position.z - center.z));
// PNG data URL of the last rendered frame (the drawing buffer is preserved), far cheaper than a compositor screenshot.
hooks.capture = () => renderer.domElement.toDataURL('image/png');
// Resolves once Spark has regenerated and re-sorted the splats for the current camera and avatar state and the
// result has been drawn (or after maxMs).
hooks.settle = (maxMs = 30000) => new Promise((resolve) => {
  const start = performance.now();
  let quiet = 0;
  const tick = () => {
    const settled = !needsRender && !spark.sorting && !spark.sortDirty && spark.sortTimeoutId === -1
      && spark.sortedCenter.distanceTo(camera.getWorldPosition(new THREE.Vector3())) < 1e-3;
    quiet = settled ? quiet + 1 : 0;
    const ms = Math.round(performance.now() - start);
    if (quiet >= 2 || ms > maxMs) resolve({ ms, settled });
    else frameWaiters.push(tick);
  };
  frameWaiters.push(tick);
});

window.addEventListener('error', (e) => hooks.errors.push(String(e.message)));
window.addEventListener('unhandledrejection', (e) => hooks.errors.push(String(e.reason?.message ?? e.reason)));
poll().catch((e) => fail(String(e?.message ?? e)));
