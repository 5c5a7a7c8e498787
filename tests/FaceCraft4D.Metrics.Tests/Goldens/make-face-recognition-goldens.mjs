// Reference outputs of the upstream face-api.js FaceRecognitionNet (tfjs CPU backend) for the TorchSharp port tests.
// Usage (repo root, after npm ci --prefix infra/node):
//   convert infra/samples/portrait.jpg -depth 8 rgb:/tmp/portrait.rgb
//   node tests/FaceCraft4D.Metrics.Tests/Goldens/make-face-recognition-goldens.mjs /tmp/portrait.rgb > tests/FaceCraft4D.Metrics.Tests/Goldens/face-recognition-reference.json
import fs from 'fs';
import { faceapi, tf, loadNets, pattern, rounder } from '../../../infra/node/scripts/face-api-tfjs.mjs';

loadNets({
  tinyFaceDetector: 'tiny_face_detector_model',
  faceLandmark68Net: 'face_landmark_68_model',
  faceRecognitionNet: 'face_recognition_model',
});

const round = rounder(6);

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
