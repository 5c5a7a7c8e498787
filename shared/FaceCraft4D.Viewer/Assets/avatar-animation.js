// Poses the exported avatar per frame from the Export stage's files (Stages README, stage 9):
//   avatar_rig.safetensors (fc4d-avatar-rig/1): binding [N] (I64/I32), local_xyz [N,3], local_rotation [N,4] (w,x,y,z),
//     local_log_scale [N,3], faces [T,3]; row i is vertex i of avatar.ply (both written from the same parameters);
//   animation/{clip}.safetensors (fc4d-avatar-animation/1): triangle_centers [F,T,3], triangle_rotations [F,T,4] (unit
//     quaternions w,x,y,z), triangle_scales [F,T] (F16 or F32); metadata clip, fps, frames, triangles.
// Gaussian i in frame f, t = binding[i], R = matrix(triangle_rotations[f,t]), k = triangle_scales[f,t]:
//   mean = k R local_xyz[i] + triangle_centers[f,t];  rotation = triangle_rotations[f,t] * normalise(local_rotation[i]);
//   scale = k exp(local_log_scale[i]).
// Pure typed-array code with no three.js/Spark dependency (the page writes the result into Spark's packed splats).
import { SafetensorsFile, decodeHalf } from './safetensors.js';

export const RIG_FORMAT = 'fc4d-avatar-rig/1';
export const ANIMATION_FORMAT = 'fc4d-avatar-animation/1';

/** The Gaussians' attributes local to their triangles, ready for posing (rotations normalised, scales exponentiated). */
export class AvatarRig {
  constructor(binding, localXyz, localRotation, localScale, triangleCount) {
    Object.assign(this, { binding, localXyz, localRotation, localScale, triangleCount });
    this.count = binding.length;
  }

  /** From the bytes of avatar_rig.safetensors. */
  static parse(data) {
    const file = SafetensorsFile.parse(data, 'avatar_rig.safetensors');
    if (file.metadata.format !== RIG_FORMAT) throw new Error(`avatar_rig.safetensors: format '${file.metadata.format}' is not ${RIG_FORMAT}`);
    const binding = file.tensor('binding', [null]).int32();
    const n = binding.length;
    const localXyz = Float32Array.from(file.tensor('local_xyz', [n, 3]).float32());
    const rotation = file.tensor('local_rotation', [n, 4]).float32();
    const logScale = file.tensor('local_log_scale', [n, 3]).float32();
    const localRotation = new Float32Array(4 * n), localScale = new Float32Array(3 * n);
    for (let i = 0; i < n; i++) {
      const j = 4 * i, w = rotation[j], x = rotation[j + 1], y = rotation[j + 2], z = rotation[j + 3];
      const norm = Math.hypot(w, x, y, z) || 1;
      localRotation[j] = w / norm; localRotation[j + 1] = x / norm; localRotation[j + 2] = y / norm; localRotation[j + 3] = z / norm;
    }
    for (let j = 0; j < 3 * n; j++) localScale[j] = Math.exp(logScale[j]);
    let triangleCount = 0;
    if (file.has('faces')) triangleCount = file.tensor('faces', [null, 3]).shape[0];
    else for (let i = 0; i < n; i++) triangleCount = Math.max(triangleCount, binding[i] + 1);
    for (let i = 0; i < n; i++)
      if (binding[i] < 0 || binding[i] >= triangleCount) throw new Error(`avatar_rig.safetensors: binding[${i}] = ${binding[i]} is not one of the ${triangleCount} triangles`);
    return new AvatarRig(binding, localXyz, localRotation, localScale, triangleCount);
  }
}

/** One clip's per-frame triangle frames, kept as stored (float16 stays 2 bytes a number; a frame is decoded when shown). */
export class AvatarAnimationClip {
  constructor(name, fps, frameCount, triangleCount, centers, rotations, scales, half) {
    Object.assign(this, { name, fps, frameCount, triangleCount, centers, rotations, scales, half });
  }

  /** From the bytes of animation/{clip}.safetensors; name and fps fall back to the file's metadata. */
  static parse(data, name = null, fps = null) {
    const label = `animation/${name ?? 'clip'}.safetensors`;
    const file = SafetensorsFile.parse(data, label);
    if (file.metadata.format !== ANIMATION_FORMAT) throw new Error(`${label}: format '${file.metadata.format}' is not ${ANIMATION_FORMAT}`);
    const centers = file.tensor('triangle_centers', [null, null, 3]);
    const [frameCount, triangleCount] = centers.shape;
    const rotations = file.tensor('triangle_rotations', [frameCount, triangleCount, 4]);
    const scales = file.tensor('triangle_scales', [frameCount, triangleCount]);
    if (frameCount < 1) throw new Error(`${label}: no frames`);
    const half = centers.dtype === 'F16';
    if (rotations.dtype !== centers.dtype || scales.dtype !== centers.dtype)
      throw new Error(`${label}: triangle tensors mix ${centers.dtype}, ${rotations.dtype}, ${scales.dtype}`);
    const clipFps = Number(fps ?? file.metadata.fps);
    return new AvatarAnimationClip(name ?? file.metadata.clip ?? 'clip', clipFps > 0 ? clipFps : 25, frameCount, triangleCount,
      half ? centers.stored() : centers.float32(), half ? rotations.stored() : rotations.float32(),
      half ? scales.stored() : scales.float32(), half);
  }

  // Copies count numbers of frame f of a [F, T, width] tensor into target (Float32Array), decoding float16.
  read(source, width, f, target) {
    const count = this.triangleCount * width, offset = f * count;
    if (this.half) decodeHalf(source, offset, target, 0, count);
    else target.set(source.subarray(offset, offset + count));
  }
}

/**
 * Computes every Gaussian's world mean, rotation and scale for a frame of a clip. Owns its output arrays (reused every
 * frame): means [N*3], quaternions [N*4] (w, x, y, z), scales [N*3].
 */
export class AvatarPoser {
  constructor(rig) {
    this.rig = rig;
    const n = rig.count, t = rig.triangleCount;
    this.means = new Float32Array(3 * n);
    this.quaternions = new Float32Array(4 * n);
    this.scales = new Float32Array(3 * n);
    this.centers = new Float32Array(3 * t);
    this.rotations = new Float32Array(4 * t);
    this.triangleScales = new Float32Array(t);
    this.matrices = new Float32Array(9 * t);
  }

  pose(clip, f) {
    const rig = this.rig, t = rig.triangleCount;
    if (clip.triangleCount !== t) throw new Error(`clip ${clip.name} has ${clip.triangleCount} triangles, the rig ${t}`);
    if (!(f >= 0 && f < clip.frameCount)) throw new Error(`clip ${clip.name} has no frame ${f}`);
    const { centers, rotations: q, triangleScales: k, matrices: m } = this;
    clip.read(clip.centers, 3, f, centers);
    clip.read(clip.rotations, 4, f, q);
    clip.read(clip.scales, 1, f, k);
    // unit triangle quaternions (float16 storage is only nearly unit) and their rotation matrices, row-major
    for (let j = 0; j < t; j++) {
      const a = 4 * j;
      let w = q[a], x = q[a + 1], y = q[a + 2], z = q[a + 3];
      const norm = Math.hypot(w, x, y, z) || 1;
      w /= norm; x /= norm; y /= norm; z /= norm;
      q[a] = w; q[a + 1] = x; q[a + 2] = y; q[a + 3] = z;
      const b = 9 * j;
      m[b] = 1 - 2 * (y * y + z * z); m[b + 1] = 2 * (x * y - w * z); m[b + 2] = 2 * (x * z + w * y);
      m[b + 3] = 2 * (x * y + w * z); m[b + 4] = 1 - 2 * (x * x + z * z); m[b + 5] = 2 * (y * z - w * x);
      m[b + 6] = 2 * (x * z - w * y); m[b + 7] = 2 * (y * z + w * x); m[b + 8] = 1 - 2 * (x * x + y * y);
    }
    const { binding, localXyz: p, localRotation: r, localScale: s } = rig;
    const { means, quaternions, scales } = this;
    for (let i = 0, n = rig.count; i < n; i++) {
      const tri = binding[i], i3 = 3 * i, i4 = 4 * i, b = 9 * tri, c = 3 * tri, kk = k[tri];
      const px = p[i3], py = p[i3 + 1], pz = p[i3 + 2];
      means[i3] = kk * (m[b] * px + m[b + 1] * py + m[b + 2] * pz) + centers[c];
      means[i3 + 1] = kk * (m[b + 3] * px + m[b + 4] * py + m[b + 5] * pz) + centers[c + 1];
      means[i3 + 2] = kk * (m[b + 6] * px + m[b + 7] * py + m[b + 8] * pz) + centers[c + 2];
      const a = 4 * tri, aw = q[a], ax = q[a + 1], ay = q[a + 2], az = q[a + 3];
      const bw = r[i4], bx = r[i4 + 1], by = r[i4 + 2], bz = r[i4 + 3];
      quaternions[i4] = aw * bw - ax * bx - ay * by - az * bz;
      quaternions[i4 + 1] = aw * bx + ax * bw + ay * bz - az * by;
      quaternions[i4 + 2] = aw * by - ax * bz + ay * bw + az * bx;
      quaternions[i4 + 3] = aw * bz + ax * by - ay * bx + az * bw;
      scales[i3] = kk * s[i3]; scales[i3 + 1] = kk * s[i3 + 1]; scales[i3 + 2] = kk * s[i3 + 2];
    }
    return this;
  }
}
