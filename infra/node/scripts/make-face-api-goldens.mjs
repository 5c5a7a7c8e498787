// Writes reference outputs of the upstream face-api.js networks (tfjs, CPU backend) for the TorchSharp port tests.
// Usage (repo root): node infra/node/scripts/make-face-api-goldens.mjs infra/samples/portrait.rgb > tests/FaceCraft4D.Vision.Tests/Goldens/face-api-reference.json
//   where portrait.rgb is the raw 512x512 RGB of infra/samples/portrait.jpg (ImageMagick: convert portrait.jpg -depth 8 rgb:portrait.rgb).
import fs from 'fs';
import { faceapi, tf, loadNets, pattern, rounder } from './face-api-tfjs.mjs';

loadNets({
  tinyFaceDetector: 'tiny_face_detector_model',
  faceLandmark68Net: 'face_landmark_68_model',
  faceLandmark68TinyNet: 'face_landmark_68_tiny_model',
});

const round = rounder(5);

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
