// Feeds the viewer's own readers (safetensors.js, avatar-animation.js) exported files and damaged copies of them, and
// writes what each case gave: { case: { ok: true, ... } | { error: message } } to <out file> (JSON).
// Usage: node format-check.mjs <viewer scripts dir> <artifact dir> <clip> <out file>
import fs from 'fs';
import path from 'path';
import { pathToFileURL } from 'url';

const [scriptsDir, artifactDir, clipName, outFile] = process.argv.slice(2);
const { SafetensorsFile, decodeHalf } = await import(pathToFileURL(path.join(scriptsDir, 'safetensors.js')).href);
const { AvatarRig, AvatarAnimationClip, AvatarPoser } = await import(pathToFileURL(path.join(scriptsDir, 'avatar-animation.js')).href);

const read = (name) => new Uint8Array(fs.readFileSync(path.join(artifactDir, name)));
const rigBytes = read('avatar_rig.safetensors');
const clipBytes = read(`animation/${clipName}.safetensors`);

// The file with its header JSON changed by edit(header) (data kept; the header may change length).
function rewrite(bytes, edit) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
  edit(header);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + bytes.length - 8 - length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(bytes.subarray(8 + length), 8 + json.length);
  return out;
}

const results = {};
const attempt = (name, run) => {
  try {
    results[name] = { ok: true, ...(run() ?? {}) };
  } catch (e) {
    results[name] = { error: String(e?.message ?? e) };
  }
};

attempt('valid', () => {
  const rig = AvatarRig.parse(rigBytes);
  const clip = AvatarAnimationClip.parse(clipBytes, clipName, null);
  new AvatarPoser(rig).pose(clip, clip.frameCount - 1);
  return { gaussians: rig.count, triangles: rig.triangleCount, frames: clip.frameCount, fps: clip.fps, half: clip.half };
});
attempt('truncated-clip', () => AvatarAnimationClip.parse(clipBytes.subarray(0, clipBytes.length - 2), clipName));
attempt('header-too-long', () => {
  const bytes = clipBytes.slice();
  new DataView(bytes.buffer).setBigUint64(0, BigInt(bytes.length), true);
  SafetensorsFile.parse(bytes, 'clip');
});
attempt('too-short', () => SafetensorsFile.parse(new Uint8Array(5), 'clip'));
attempt('rig-other-format', () => AvatarRig.parse(rewrite(rigBytes, (h) => { h.__metadata__.format = 'something-else/1'; })));
attempt('clip-other-format', () => AvatarAnimationClip.parse(rewrite(clipBytes, (h) => { h.__metadata__.format = 'fc4d.gaussian-animation/1'; }), clipName));
attempt('clip-missing-tensor', () => AvatarAnimationClip.parse(rewrite(clipBytes, (h) => { delete h.triangle_scales; }), clipName));
attempt('clip-wrong-shape', () => AvatarAnimationClip.parse(rewrite(clipBytes, (h) => {
  const [f, t] = h.triangle_rotations.shape;
  h.triangle_rotations.shape = [f, 2 * t, 2];
}), clipName));
attempt('binding-out-of-range', () => {
  const bytes = rigBytes.slice();
  const view = new DataView(bytes.buffer);
  const length = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
  const { dtype, data_offsets: [begin] } = header.binding;
  if (dtype !== 'I64') throw new Error(`binding is ${dtype}`);
  view.setBigInt64(8 + length + begin, 1n << 40n, true); // binding[0] = 2^40
  AvatarRig.parse(bytes);
});
attempt('clip-for-other-rig', () => {
  const rig = AvatarRig.parse(rigBytes);
  const clip = AvatarAnimationClip.parse(clipBytes, clipName);
  clip.triangleCount -= 1;
  new AvatarPoser(rig).pose(clip, 0);
});
attempt('frame-out-of-range', () => {
  const clip = AvatarAnimationClip.parse(clipBytes, clipName);
  new AvatarPoser(AvatarRig.parse(rigBytes)).pose(clip, clip.frameCount);
});
attempt('half-values', () => {
  const bits = Uint16Array.from([0x3c00, 0xc000, 0x7bff, 0x0001, 0x8000, 0x3555, 0x7c00, 0xfc00]);
  const out = new Float32Array(bits.length);
  decodeHalf(bits, 0, out, 0, bits.length);
  return { values: Array.from(out, (v) => (Number.isFinite(v) ? v : String(v))) };
});

fs.writeFileSync(outFile, JSON.stringify(results, null, 2));
