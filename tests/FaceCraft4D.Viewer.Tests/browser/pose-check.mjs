// Poses frames of an exported clip with the viewer's own modules (avatar-animation.js, safetensors.js) in Node and writes
// the results for the C# test to compare with the Graphics library's FLAME-posed avatar.
// Usage: node pose-check.mjs <viewer scripts dir> <artifact dir> <out dir> <clip> <frame> [<frame> ...]
// Writes <out dir>/<clip>-<frame>.f32: N*3 means, N*4 quaternions (w, x, y, z), N*3 scales, little-endian float32;
// and <out dir>/pose.json: Gaussian and triangle counts, frames, milliseconds per pose.
import fs from 'fs';
import path from 'path';
import { pathToFileURL } from 'url';

const [scriptsDir, artifactDir, outDir, clipName, ...frames] = process.argv.slice(2);
const { AvatarRig, AvatarAnimationClip, AvatarPoser, ANIMATION_FORMAT } = await import(pathToFileURL(path.join(scriptsDir, 'avatar-animation.js')).href);
const read = (name) => fs.readFileSync(path.join(artifactDir, name));
const index = JSON.parse(read('animation/index.json').toString('utf8'));
if (index.format !== ANIMATION_FORMAT) throw new Error(`index format ${index.format}`);
const entry = index.clips.find((c) => c.name === clipName);
if (!entry) throw new Error(`no clip ${clipName} in the index`);
const rig = AvatarRig.parse(read(index.rig));
const clip = AvatarAnimationClip.parse(read(entry.file), entry.name, entry.fps);
const poser = new AvatarPoser(rig);
fs.mkdirSync(outDir, { recursive: true });
const timings = [];
for (const f of frames.map(Number)) {
  const start = performance.now();
  const { means, quaternions, scales } = poser.pose(clip, f);
  timings.push(performance.now() - start);
  const out = new Float32Array(10 * rig.count);
  out.set(means, 0);
  out.set(quaternions, 3 * rig.count);
  out.set(scales, 7 * rig.count);
  fs.writeFileSync(path.join(outDir, `${clipName}-${f}.f32`), Buffer.from(out.buffer));
}
fs.writeFileSync(path.join(outDir, 'pose.json'), JSON.stringify({
  gaussians: rig.count, triangles: rig.triangleCount, frames: clip.frameCount, fps: clip.fps, half: clip.half, poseMs: timings,
}));
