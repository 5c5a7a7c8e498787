// Writes reference outputs of the upstream ESRGAN models of @upscalerjs/esrgan-slim 1.0.0 (MIT), run by
// @tensorflow/tfjs (CPU backend) as TFJS layers models, for the TorchSharp port's parity test.
// Usage (repo root): node infra/node/scripts/make-esrgan-goldens.mjs > tests/FaceCraft4D.Vision.Tests/Goldens/esrgan-slim-reference.json
// Input: the deterministic pattern below (values 0..255, the models' input range), 16 wide x 12 high, NHWC.
import fs from 'fs';
import path from 'path';
import { fileURLToPath } from 'url';
import * as tf from '@tensorflow/tfjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const modelsDir = path.join(here, '..', 'node_modules', '@upscalerjs', 'esrgan-slim', 'models');

/** A tf.io handler reading a layers model.json and its shards from disk. */
function fileHandler(modelJson) {
  return {
    load: async () => {
      const json = JSON.parse(fs.readFileSync(modelJson, 'utf8'));
      const specs = json.weightsManifest.flatMap((g) => g.weights);
      const buffers = json.weightsManifest.flatMap((g) => g.paths.map((p) => fs.readFileSync(path.join(path.dirname(modelJson), p))));
      const all = Buffer.concat(buffers);
      return {
        modelTopology: json.modelTopology,
        weightSpecs: specs,
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
        format: json.format,
      };
    },
  };
}

/** Deterministic pattern [height, width, 3] in 0..255; the C# test uses the same formula. */
function pattern(width, height) {
  const v = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < 3; c++) {
    v[(y * width + x) * 3 + c] = Math.round(128 + 110 * Math.sin(0.37 * x * (c + 1) + 0.23 * y) * Math.cos(0.29 * y - 0.17 * x * c));
  }
  return v;
}

const round = (a) => Array.from(a, (x) => Math.round(x * 1000) / 1000);
const width = 16, height = 12;
const input = tf.tensor4d(pattern(width, height), [1, height, width, 3]);
const out = { package: '@upscalerjs/esrgan-slim 1.0.0', tfjs: tf.version.tfjs, tfjsBackend: tf.getBackend(), width, height, layout: 'NHWC', models: {} };
for (const scale of [2, 4]) {
  const model = await tf.loadLayersModel(fileHandler(path.join(modelsDir, `x${scale}`, 'model.json')));
  const y = model.predict(input);
  out.models[`x${scale}`] = { shape: y.shape, values: round(await y.data()) };
}
process.stdout.write(JSON.stringify(out) + '\n');
