// Writes reference outputs of the upstream face-api.js networks (tfjs, CPU backend) for the TorchSharp port tests.
// Usage (repo root): node infra/node/scripts/make-face-api-goldens.mjs infra/samples/portrait.rgb > tests/FaceCraft4D.Vision.Tests/Goldens/face-api-reference.json
//   where portrait.rgb is the raw 512x512 RGB of infra/samples/portrait.jpg (ImageMagick: convert portrait.jpg -depth 8 rgb:portrait.rgb).
import fs from 'fs';
import path from 'path';
import { fileURLToPath } from 'url';

// The bundle's tfjs picks its Node platform (which it stubs out) unless it sees a browser; tensors need neither.
globalThis.window = globalThis;
globalThis.document = { createElement: () => ({ getContext: () => null }) };
const here = path.dirname(fileURLToPath(import.meta.url));
const pkg = path.join(here, '..', 'node_modules', '@vladmandic', 'face-api');
const faceapi = await import(path.join(pkg, 'dist', 'face-api.esm.js'));
const tf = faceapi.tf;
await tf.setBackend('cpu');
await tf.ready();

function weightMap(name) {
  const manifest = JSON.parse(fs.readFileSync(path.join(pkg, 'model', `${name}-weights_manifest.json`)));
  const maps = manifest.map((group) => {
    const buf = Buffer.concat(group.paths.map((p) => fs.readFileSync(path.join(pkg, 'model', p))));
    return tf.io.decodeWeights(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength), group.weights);
  });
  return Object.assign({}, ...maps);
}
faceapi.nets.tinyFaceDetector.loadFromWeightMap(weightMap('tiny_face_detector_model'));
faceapi.nets.faceLandmark68Net.loadFromWeightMap(weightMap('face_landmark_68_model'));
faceapi.nets.faceLandmark68TinyNet.loadFromWeightMap(weightMap('face_landmark_68_tiny_model'));

// Deterministic integer test pattern, the same formula as the C# test (NetworkGoldenTests.Pattern).
function pattern(size) {
  const v = new Float32Array(size * size * 3);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) for (let c = 0; c < 3; c++) {
    v[(y * size + x) * 3 + c] = Math.round(128 + 100 * Math.sin(0.05 * x * (c + 1) + 0.03 * y) * Math.cos(0.04 * y - 0.02 * x * c));
  }
  return v;
}
const round = (a) => Array.from(a, (x) => Math.round(x * 1e5) / 1e5);

const p112 = tf.tensor4d(pattern(112), [1, 112, 112, 3]);
const landmarkFull = round(await (await faceapi.nets.faceLandmark68Net.forward(p112)).data());
const landmarkTiny = round(await (await faceapi.nets.faceLandmark68TinyNet.forward(p112)).data());
const p128 = tf.tensor4d(pattern(128), [1, 128, 128, 3]);
const detector = round(await (await faceapi.nets.tinyFaceDetector.forward(p128, 128)).data()); // NHWC [1, 4, 4, 25]

const out = { package: '@vladmandic/face-api 1.7.15', tfjsBackend: tf.getBackend(), landmarkFull, landmarkTiny, detectorInput128Nhwc: detector };
const rgbPath = process.argv[2];
if (rgbPath) {
  const img = tf.tensor3d(new Uint8Array(fs.readFileSync(rgbPath)), [512, 512, 3], 'int32');
  const res = await faceapi.detectSingleFace(img, new faceapi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.5 })).withFaceLandmarks();
  const b = res.detection.box;
  out.portrait = { box: [b.x, b.y, b.width, b.height], score: res.detection.score, landmarks: res.landmarks.positions.flatMap((q) => [q.x, q.y]) };
}
process.stdout.write(JSON.stringify(out) + '\n');
