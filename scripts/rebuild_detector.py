#!/usr/bin/python3
"""Copy the Ultra-Light RFB detector graph for a larger fixed input.

The graph decodes its boxes against anchor priors baked in as constants for a
320x240 input. The convolution weights do not depend on the input size, so a
copy with a new input shape and priors regenerated for it (the generator of the
Ultra-Light-Fast-Generic-Face-Detector project: strides 8/16/32/64, min boxes
10-16-24 / 32-48 / 64-96 / 128-192-256, feature maps ceil(size/stride), centres
(i+0.5)/map size, clipped to [0,1]) is the same detector at a higher resolution.

Before writing anything, the generator is checked against the original: priors
regenerated for 320x240 must equal the constants in the graph.

usage: rebuild_detector.py IN.onnx WIDTH HEIGHT OUT.onnx
"""
import math
import sys

import numpy as np
import onnx
from onnx import numpy_helper

MIN_BOXES = [[10, 16, 24], [32, 48], [64, 96], [128, 192, 256]]
STRIDES = [8, 16, 32, 64]


def priors(width, height):
    out = []
    for k, stride in enumerate(STRIDES):
        fw, fh = math.ceil(width / stride), math.ceil(height / stride)
        for j in range(fh):
            for i in range(fw):
                cx, cy = (i + 0.5) / fw, (j + 0.5) / fh
                for m in MIN_BOXES[k]:
                    out.append([cx, cy, m / width, m / height])
    return np.clip(np.array(out, dtype=np.float32), 0.0, 1.0)


def prior_constants(graph):
    """The Constant nodes holding [1, N, 2] prior halves: (node, 'centre'|'size')."""
    found = []
    for node in graph.node:
        if node.op_type != "Constant":
            continue
        value = numpy_helper.to_array(node.attribute[0].t)
        if value.ndim == 3 and value.shape[2] == 2 and value.shape[1] > 100:
            found.append((node, value))
    return found


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    src, width, height, dst = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    model = onnx.load(src)
    g = model.graph
    dims = [d.dim_value for d in g.input[0].type.tensor_type.shape.dim]
    if dims != [1, 3, 240, 320]:
        sys.exit(f"unexpected input shape {dims}: not the 320x240 Ultra-Light RFB graph")

    ref = priors(320, 240)
    consts = prior_constants(g)
    if len(consts) != 3:
        sys.exit(f"expected 3 prior constants, found {len(consts)}")
    for node, value in consts:
        centre = np.allclose(value[0], ref[:, :2], atol=1e-6)
        size = np.allclose(value[0], ref[:, 2:], atol=1e-6)
        if not (centre or size):
            sys.exit(f"constant {node.output[0]} does not match regenerated priors: generator is wrong")

    new = priors(width, height)
    n = new.shape[0]
    for node, value in consts:
        half = new[:, :2] if np.allclose(value[0], ref[:, :2], atol=1e-6) else new[:, 2:]
        node.attribute[0].t.CopyFrom(numpy_helper.from_array(half[None].copy(), node.attribute[0].t.name))

    g.input[0].type.tensor_type.shape.dim[2].dim_value = height
    g.input[0].type.tensor_type.shape.dim[3].dim_value = width
    for out in g.output:
        out.type.tensor_type.shape.dim[1].dim_value = n
    del g.value_info[:]
    onnx.checker.check_model(model)
    onnx.save(model, dst)
    print(f"rebuilt {src} for {width}x{height}: {n} priors -> {dst}")


if __name__ == "__main__":
    main()
