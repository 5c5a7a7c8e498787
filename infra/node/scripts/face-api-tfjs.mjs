// The upstream face-api.js networks on the tfjs CPU backend, with their bundled weights loaded, for the scripts that
// write reference outputs (goldens) of the TorchSharp ports. Shared by make-face-api-goldens.mjs (Vision) and
// tests/FaceCraft4D.Metrics.Tests/Goldens/make-face-recognition-goldens.mjs.
import fs from 'fs';
import path from 'path';
import { fileURLToPath } from 'url';

// The bundle's tfjs picks its Node platform (which it stubs out) unless it sees a browser; tensors need neither.
globalThis.window = globalThis;
globalThis.document = { createElement: () => ({ getContext: () => null }) };
const here = path.dirname(fileURLToPath(import.meta.url));
const pkg = path.join(here, '..', 'node_modules', '@vladmandic', 'face-api');
export const faceapi = await import(path.join(pkg, 'dist', 'face-api.esm.js'));
export const tf = faceapi.tf;
await tf.setBackend('cpu');
await tf.ready();

/** The decoded weights of one bundled model (e.g. 'tiny_face_detector_model'). */
export function weightMap(name) {
  const manifest = JSON.parse(fs.readFileSync(path.join(pkg, 'model', `${name}-weights_manifest.json`)));
  const maps = manifest.map((group) => {
    const buf = Buffer.concat(group.paths.map((p) => fs.readFileSync(path.join(pkg, 'model', p))));
    return tf.io.decodeWeights(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength), group.weights);
  });
  return Object.assign({}, ...maps);
}

/** Loads the named nets (keys of faceapi.nets) from their bundled weight files (model file names). */
export function loadNets(files) {
  for (const [net, file] of Object.entries(files)) faceapi.nets[net].loadFromWeightMap(weightMap(file));
}

/** Deterministic integer test pattern [size, size, 3]; the C# golden tests use the same formula. */
export function pattern(size) {
  const v = new Float32Array(size * size * 3);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) for (let c = 0; c < 3; c++) {
    v[(y * size + x) * 3 + c] = Math.round(128 + 100 * Math.sin(0.05 * x * (c + 1) + 0.03 * y) * Math.cos(0.04 * y - 0.02 * x * c));
  }
  return v;
}

/** Rounds to 10^-digits (goldens stay readable and stable across tfjs builds). */
export const rounder = (digits) => (a) => Array.from(a, (x) => Math.round(x * 10 ** digits) / 10 ** digits);
