#!/usr/bin/python3
"""Copies one run's blobs (runs/{id}/stages/**, avatars/{id}/**) out of a local stack's Azurite folder, so that
reference-error-regions.cs can read the stage files without the stack running. Python standard library only.
usage: azurite-run-files.py AZURITE_DIR RUN_ID OUT_DIR   (AZURITE_DIR: e.g. .fc4d/azurite or DATA_DIR/azurite)"""
import json, os, sys
az, rid, out = sys.argv[1:4]
d = json.load(open(os.path.join(az, '__azurite_db_blob__.json')))
ext = json.load(open(os.path.join(az, '__azurite_db_blob_extent__.json')))
paths = {e['id']: e['path'] for e in ext['collections'][0]['data']}
blobs = [c for c in d['collections'] if c['name'] == '$BLOBS_COLLECTION$'][0]['data']
n = 0
for b in blobs:
    if b['containerName'] not in ('runs', 'avatars') or not b['name'].startswith(rid + '/') or b.get('persistency') is None: continue
    p = b['persistency']
    dst = os.path.join(out, b['containerName'], b['name'])
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    with open(os.path.join(az, '__blobstorage__', paths[p['id']]), 'rb') as f:
        f.seek(p['offset']); data = f.read(p['count'])
    open(dst, 'wb').write(data); n += 1
print(n, 'blobs')
