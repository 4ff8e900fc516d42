#!/usr/bin/python3
"""Make a second embedder from the default pack's, to test model packs.

The new model takes BGR input scaled to [-1, 1], (p - 127.5) / 127.5, and
converts it, with nodes prepended to fr_feature.onnx's graph, to what the
original expects: RGB, (p - 127) / 128. For a pixel p the original sees
(b * 127.5 + 127.5 - 127) / 128 = b * (127.5 / 128) + 0.5 / 128, with the
channels reversed. Its weights are the original's, so it must give the same
templates (to float rounding) and the same decisions, but it is another file
with another SHA-256, hence another model id.

With --nhwc the new model also takes its input as 1x112x112x3 (NHWC) and
transposes it first, to test the layout fact too.

Writes OUT_DIR/ with the new model (test_embedder_bgr.onnx), copies of the
default pack's detector and landmark models, and a manifest.json describing
all of them (docs/packs.md). Needs Debian's python3-onnx and numpy
(/usr/bin/python3). Exit 77 when they are absent (a test skips).

usage: make_test_embedder.py MODELS_DIR OUT_DIR [--nhwc]
"""
import hashlib
import json
import os
import shutil
import sys

try:
    import numpy as np
    import onnx
    from onnx import helper, numpy_helper
except ImportError as e:
    print(f"make_test_embedder: needs python3-onnx and numpy ({e})", file=sys.stderr)
    sys.exit(77)

EMBEDDER = "test_embedder_bgr.onnx"


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()


def bgr_embedder(src, dst, nhwc):
    model = onnx.load(src)
    graph = model.graph
    if len(graph.input) != 1:
        sys.exit(f"{src}: expected one input")
    old = graph.input[0]
    dims = [d.dim_value for d in old.type.tensor_type.shape.dim]
    if dims != [1, 3, 112, 112]:
        sys.exit(f"{src}: expected input 1x3x112x112, not {dims}")
    new_name = "input_bgr_pm1"
    consts = [
        numpy_helper.from_array(np.array([2, 1, 0], dtype=np.int64), "bgr_to_rgb"),
        numpy_helper.from_array(np.full((1, 3, 1, 1), 127.5 / 128.0, dtype=np.float32), "pm1_scale"),
        numpy_helper.from_array(np.full((1, 3, 1, 1), 0.5 / 128.0, dtype=np.float32), "pm1_shift"),
    ]
    nodes = [
        helper.make_node("Gather", [new_name, "bgr_to_rgb"], ["rgb_pm1"], axis=1, name="bgr_to_rgb"),
        helper.make_node("Mul", ["rgb_pm1", "pm1_scale"], ["rgb_scaled"], name="pm1_scale"),
        helper.make_node("Add", ["rgb_scaled", "pm1_shift"], [old.name], name="pm1_shift"),
    ]
    if nhwc:
        nodes.insert(0, helper.make_node("Transpose", ["input_nhwc"], [new_name], perm=[0, 3, 1, 2],
                                         name="nhwc_to_nchw"))
        new_name, dims = "input_nhwc", [1, 112, 112, 3]
    new_input = helper.make_tensor_value_info(new_name, onnx.TensorProto.FLOAT, dims)
    graph.initializer.extend(consts)
    rest = list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes + rest)
    del graph.input[:]
    graph.input.extend([new_input])
    onnx.checker.check_model(model)
    onnx.save(model, dst)


def main():
    nhwc = sys.argv[3:] == ["--nhwc"]
    if len(sys.argv) != 3 and not nhwc:
        sys.exit(__doc__)
    models, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    bgr_embedder(os.path.join(models, "fr_feature.onnx"), os.path.join(out, EMBEDDER + ".tmp"), nhwc)
    os.replace(os.path.join(out, EMBEDDER + ".tmp"), os.path.join(out, EMBEDDER))
    for name in ("fr_detect.onnx", "fr_detect_960x544.onnx", "fr_landmark.onnx"):
        shutil.copyfile(os.path.join(models, name), os.path.join(out, name))
    entry = lambda role, name, **facts: dict(role=role, file=name, sha256=sha256(os.path.join(out, name)), **facts)
    manifest = {
        "name": "test-bgr-pm1-nhwc" if nhwc else "test-bgr-pm1",
        "about": "the default pack with its embedder taking BGR in [-1, 1] (scripts/make_test_embedder.py)",
        "models": [
            entry("detector", "fr_detect.onnx", licence="MIT", family="ultraface"),
            entry("detector", "fr_detect_960x544.onnx", licence="MIT", family="ultraface"),
            entry("landmarks", "fr_landmark.onnx", licence="MIT"),
            entry("embedder", EMBEDDER, licence="MIT (derived from fr_feature.onnx)",
                  input={"width": 112, "height": 112}, layout="NHWC" if nhwc else "NCHW", colour="BGR",
                  normalisation={"mean": [127.5] * 3, "scale": [1 / 127.5] * 3}, dim=512),
        ],
    }
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print(os.path.join(out, "manifest.json"))


if __name__ == "__main__":
    main()
