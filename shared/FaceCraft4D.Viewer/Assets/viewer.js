// FaceCraft4D avatar viewer: run status and per-stage progress while the run is going, then the Gaussian avatar
// (avatar.ply, standard 3DGS layout) in 3D with a 360° orbit, and expression playback from animation/index.json
// (per-frame Gaussian position offsets, format fc4d.gaussian-animation/1, see the Viewer README).
// Test hooks: window.fc4dViewer (state, errors, setView, setAutoRotate, setFrame, settle).
import * as THREE from 'three';
import { OrbitControls } from 'three/addons/controls/OrbitControls.js';
import { SparkRenderer, SplatMesh, SplatFileType, utils } from '@sparkjsdev/spark';

const config = JSON.parse(document.getElementById('fc4d-config').textContent);
const $ = (id) => document.getElementById(id);
const query = new URLSearchParams(location.search);
const code = query.get('code'); // Azure Functions key, forwarded to the API when the page was opened with one

const hooks = { state: 'loading', errors: [], stageRows: 0, splats: 0, clips: [] };
window.fc4dViewer = hooks;

function apiUrl(path) {
  const url = `${config.apiBase}/avatars/${encodeURIComponent(config.runId)}${path}`;
  return code ? `${url}${url.includes('?') ? '&' : '?'}code=${encodeURIComponent(code)}` : url;
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
let basePositions = null, animation = null, playing = false, currentClip = null, currentFrame = 0, lastFrameTime = 0;
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

  basePositions = readCenters();
  await loadAnimation();
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
    const dt = 1000 / currentClip.fps;
    if (time - lastFrameTime >= dt) {
      lastFrameTime = time;
      applyFrame(currentClip, (currentFrame + 1) % currentClip.frameCount);
    }
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

function readCenters() {
  const n = mesh.packedSplats.numSplats;
  const positions = new Float32Array(3 * n);
  mesh.packedSplats.forEachSplat((i, c) => { positions[3 * i] = c.x; positions[3 * i + 1] = c.y; positions[3 * i + 2] = c.z; });
  return positions;
}

async function loadAnimation() {
  const res = await fetch(apiUrl('/artifacts/animation/index.json'), { cache: 'no-store' });
  if (!res.ok) return; // no animation exported
  const index = await res.json();
  if (index.format !== 'fc4d.gaussian-animation/1') { hooks.errors.push(`unknown animation format ${index.format}`); return; }
  if (index.gaussianCount !== mesh.packedSplats.numSplats) {
    hooks.errors.push(`animation is for ${index.gaussianCount} Gaussians, avatar.ply has ${mesh.packedSplats.numSplats}`);
    return;
  }
  animation = { index, data: new Map() };
  hooks.clips = index.clips.map((c) => c.name);
  const select = $('clip');
  for (const c of index.clips) {
    const option = document.createElement('option');
    option.value = c.name; option.textContent = `${c.name} (${c.frameCount} frames)`;
    select.append(option);
  }
  $('anim-controls').hidden = index.clips.length === 0;
  select.addEventListener('change', () => selectClip(select.value));
  $('play').addEventListener('click', () => { playing = !playing; $('play').textContent = playing ? 'pause' : 'play'; });
  $('frame').addEventListener('input', () => { playing = false; $('play').textContent = 'play'; applyFrame(currentClip, Number($('frame').value)); });
  if (index.clips.length) await selectClip(index.clips[0].name);
}

async function clipData(clip) {
  if (!animation.data.has(clip.name)) {
    const res = await fetch(apiUrl(`/artifacts/${clip.file}`), { cache: 'no-store' });
    if (!res.ok) throw new Error(`animation clip ${clip.file}: HTTP ${res.status}`);
    const buffer = await res.arrayBuffer();
    const n = clip.frameCount * animation.index.gaussianCount * 3;
    let values;
    if (clip.encoding === 'float32') values = new Float32Array(buffer, 0, n);
    else if (clip.encoding === 'float16') {
      const half = new Uint16Array(buffer, 0, n);
      values = new Float32Array(n);
      for (let i = 0; i < n; i++) values[i] = utils.fromHalf(half[i]);
    } else throw new Error(`unknown clip encoding ${clip.encoding}`);
    animation.data.set(clip.name, values);
  }
  return animation.data.get(clip.name);
}

async function selectClip(name) {
  const clip = animation.index.clips.find((c) => c.name === name);
  if (!clip) throw new Error(`no clip ${name}`);
  await clipData(clip);
  currentClip = clip;
  $('frame').max = String(clip.frameCount - 1);
  applyFrame(clip, 0);
}

function applyFrame(clip, f) {
  const values = animation.data.get(clip.name);
  const n = animation.index.gaussianCount, offset = f * n * 3;
  const packed = mesh.packedSplats.packedArray;
  for (let i = 0; i < n; i++) {
    const j = 3 * i;
    utils.setPackedSplatCenter(packed, i,
      basePositions[j] + values[offset + j], basePositions[j + 1] + values[offset + j + 1], basePositions[j + 2] + values[offset + j + 2]);
  }
  mesh.packedSplats.needsUpdate = true;
  mesh.updateVersion();
  invalidate();
  currentFrame = f;
  $('frame').value = String(f);
  $('frame-label').textContent = `${f + 1}/${clip.frameCount}`;
}

// ---------------------------------------------------------------- test hooks

hooks.setView = (yaw, pitch, distanceFactor) => setView(yaw, pitch, distanceFactor);
hooks.setAutoRotate = (on) => { controls.autoRotate = on; $('orbit').checked = on; };
hooks.setFrame = async (clipName, f) => {
  playing = false;
  if (currentClip?.name !== clipName) await selectClip(clipName);
  applyFrame(currentClip, f);
};
hooks.play = () => { playing = true; };
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
