// Reference outputs of the upstream face-api.js FaceRecognitionNet (tfjs CPU backend) for the TorchSharp port tests.
// Usage (repo root, after npm ci --prefix infra/node):
//   convert infra/samples/portrait.jpg -depth 8 rgb:/tmp/portrait.rgb
//   node tests/FaceCraft4D.Metrics.Tests/Goldens/make-face-recognition-goldens.mjs /tmp/portrait.rgb > tests/FaceCraft4D.Metrics.Tests/Goldens/face-recognition-reference.json
import fs from 'fs';
import path from 'path';
import { fileURLToPath } from 'url';

// The bundle's tfjs picks its Node platform (which it stubs out) unless it sees a browser; tensors need neither.
globalThis.window = globalThis;
globalThis.document = { createElement: () => ({ getContext: () => null }) };
const here = path.dirname(fileURLToPath(import.meta.url));
const pkg = path.join(here, '..', '..', '..', 'infra', 'node', 'node_modules', '@vladmandic', 'face-api');
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
faceapi.nets.faceRecognitionNet.loadFromWeightMap(weightMap('face_recognition_model'));

// Deterministic integer test pattern; the C# test (FaceRecognitionNetTests.Pattern) uses the same formula.
function pattern(size) {
  const v = new Float32Array(size * size * 3);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) for (let c = 0; c < 3; c++) {
    v[(y * size + x) * 3 + c] = Math.round(128 + 100 * Math.sin(0.05 * x * (c + 1) + 0.03 * y) * Math.cos(0.04 * y - 0.02 * x * c));
  }
  return v;
}
const round = (a) => Array.from(a, (x) => Math.round(x * 1e6) / 1e6);

const p150 = tf.tensor4d(pattern(150), [1, 150, 150, 3]);
const patternDescriptor = round(await (await faceapi.nets.faceRecognitionNet.forward(p150)).data());
const out = { package: '@vladmandic/face-api 1.7.15', tfjsBackend: tf.getBackend(), patternDescriptor };
const rgbPath = process.argv[2];
if (rgbPath) {
  const img = tf.tensor3d(new Uint8Array(fs.readFileSync(rgbPath)), [512, 512, 3], 'int32');
  const res = await faceapi.detectSingleFace(img, new faceapi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.5 }))
    .withFaceLandmarks().withFaceDescriptor();
  const b = res.landmarks.align(null, { useDlibAlignment: true }); // the crop withFaceDescriptor uses
  out.portrait = { descriptorBox: [b.x, b.y, b.width, b.height], descriptor: round(res.descriptor) };
}
process.stdout.write(JSON.stringify(out) + '\n');
