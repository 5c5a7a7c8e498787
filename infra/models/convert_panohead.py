#!/usr/bin/env python3
"""One-time conversion of PanoHead's pickled network into the state-dict safetensors that FaceCraft4D loads.

Run it INSIDE a checkout of https://github.com/SizheAn/PanoHead (its own loader, legacy.load_network_pkl, needs the
repository's dnnlib/torch_utils on the path to unpickle the network), with torch, lpips and safetensors installed:

    cd PanoHead && python /path/to/FaceCraft4D.Cloud/infra/models/convert_panohead.py \
        --pkl models/easy-khair-180-gpc0.8-trans10-025000.pkl --out /tmp/fc4d-import
    ./fc4d models import /tmp/fc4d-import        (read the PanoHead and lpips licences first)

It writes, in the models layout that `fc4d models import` recognises:
    OUT/panohead/v1/generator.safetensors      G_ema.state_dict() (float32), official names (backbone.*, decoder.*, ...)
    OUT/lpips/v0.1/lpips-vgg16.safetensors     lpips.LPIPS(net='vgg').state_dict() (net.sliceN.*, linN.model.1.weight, scaling_layer.*):
                                               the project's one LPIPS file (metric, COIN loss, PanoHead inversion)
Pickles can run code: only convert checkpoints from the authors' own distribution.
"""
import argparse
import os
import sys

import torch
from safetensors.torch import save_file


def save(tensors, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    save_file({k: v.detach().cpu().contiguous() for k, v in tensors.items()}, path)
    print(f"wrote {path} ({len(tensors)} tensors)")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pkl", required=True, help="PanoHead network pickle (easy-khair-180-gpc0.8-trans10-025000.pkl)")
    parser.add_argument("--out", required=True, help="output folder to pass to `fc4d models import`")
    args = parser.parse_args()

    sys.path.insert(0, os.getcwd())
    import dnnlib  # noqa: E402  (PanoHead's own modules)
    import legacy  # noqa: E402

    with dnnlib.util.open_url(args.pkl) as f:
        generator = legacy.load_network_pkl(f)["G_ema"]
    save({k: v.float() for k, v in generator.state_dict().items()},
         os.path.join(args.out, "panohead", "v1", "generator.safetensors"))

    import lpips  # noqa: E402
    # upstream also registers the heads as lins.{k} (the same tensors as lin{k}); safetensors refuses shared storage
    perceptual = {k: v.float().clone() for k, v in lpips.LPIPS(net="vgg").state_dict().items() if not k.startswith("lins.")}
    save(perceptual, os.path.join(args.out, "lpips", "v0.1", "lpips-vgg16.safetensors"))


if __name__ == "__main__":
    main()
