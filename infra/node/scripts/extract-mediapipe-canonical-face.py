#!/usr/bin/env python3
"""Extracts MediaPipe's canonical face model (468 vertices, x y z in cm + uv, 898 triangles; Apache-2.0) from the
geometry-pipeline metadata packed inside the npm package @mediapipe/face_mesh@0.4.1657299874, for the dense FLAME
correspondence (shared/FaceCraft4D.Vision/ShapePrior/Template/Data/mediapipe-canonical-face.json).

Usage (repo root):
  (cd infra/node && npm install --no-save @mediapipe/face_mesh@0.4.1657299874)   # then restore: ./fc4d setup
  python3 infra/node/scripts/extract-mediapipe-canonical-face.py > shared/FaceCraft4D.Vision/ShapePrior/Template/Data/mediapipe-canonical-face.json

The asset file /third_party/mediapipe/modules/face_geometry/data/geometry_pipeline_metadata_landmarks.binarypb is
located via the package's emscripten loader (start/end offsets into face_mesh_solution_packed_assets.data) and its
protobuf (GeometryPipelineMetadata.canonical_mesh: Mesh3d{vertex_type, primitive_type, vertex_buffer (x, y, z, u, v
per vertex), index_buffer}) is decoded with a minimal wire-format reader; no upstream code is used.
"""
import json, os, re, struct, sys

pkg = os.path.join(os.path.dirname(__file__), '..', 'node_modules', '@mediapipe', 'face_mesh')
loader = open(os.path.join(pkg, 'face_mesh_solution_packed_assets_loader.js')).read()
m = re.search(r'"filename": "[^"]*geometry_pipeline_metadata_landmarks\.binarypb", "start": (\d+), "end": (\d+)', loader)
start, end = int(m.group(1)), int(m.group(2))
data = open(os.path.join(pkg, 'face_mesh_solution_packed_assets.data'), 'rb').read()[start:end]

def varint(b, i):
    r = s = 0
    while True:
        c = b[i]; i += 1; r |= (c & 0x7f) << s; s += 7
        if c < 0x80: return r, i

def fields(b):
    i = 0
    while i < len(b):
        k, i = varint(b, i); f, w = k >> 3, k & 7
        if w == 0: v, i = varint(b, i)
        elif w == 2: n, i = varint(b, i); v = b[i:i + n]; i += n
        elif w == 5: v = b[i:i + 4]; i += 4
        elif w == 1: v = b[i:i + 8]; i += 8
        else: raise ValueError(f'wire type {w}')
        yield f, w, v

mesh = next(v for f, w, v in fields(data) if f == 1 and w == 2)
floats, indices = [], []
for f, w, v in fields(mesh):
    if f == 3 and w == 5: floats.append(struct.unpack('<f', v)[0])
    elif f == 3 and w == 2: floats.extend(struct.unpack(f'<{len(v) // 4}f', v))
    elif f == 4 and w == 0: indices.append(v)
    elif f == 4 and w == 2:
        i = 0
        while i < len(v): x, i = varint(v, i); indices.append(x)
assert len(floats) == 468 * 5 and len(indices) % 3 == 0, (len(floats), len(indices))
out = {
    'source': '@mediapipe/face_mesh 0.4.1657299874, face_geometry/data/geometry_pipeline_metadata_landmarks.binarypb (canonical_mesh); Apache-2.0',
    'units': 'centimetres; +x image right, +y up, +z towards the camera',
    'vertices': [[round(floats[5 * i + k], 5) for k in range(3)] for i in range(468)],
    'uv': [[round(floats[5 * i + 3], 5), round(floats[5 * i + 4], 5)] for i in range(468)],
    'triangles': [indices[3 * t:3 * t + 3] for t in range(len(indices) // 3)],
}
json.dump(out, sys.stdout, separators=(',', ':'))
sys.stdout.write('\n')
