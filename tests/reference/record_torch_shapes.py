"""Record output sizes of PyTorch's Conv2d / MaxPool2d / AvgPool2d and of Keras's 'same' padding.

Run with the reference venv (torch + keras 3), from the repository root:

    /tmp/refenv/bin/python tests/reference/record_torch_shapes.py

Writes ``tests/data/torch_shapes.json``. Every case is run on a real tensor of
zeros, and the output's spatial size is recorded; a combination that the
framework rejects (the kernel does not fit the padded input) is recorded with
``"error": true``. The combinations are drawn from a seeded generator, plus a
few fixed ones from the course notes.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

os.environ["KERAS_BACKEND"] = "torch"

import keras  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "data" / "torch_shapes.json"


def torch_out(module, h: int, w: int):
    try:
        with torch.no_grad():
            y = module(torch.zeros(1, 1, h, w))
    except RuntimeError:
        return None
    return [int(y.shape[2]), int(y.shape[3])]


def conv_case(h, w, k, s, p, d):
    out = torch_out(torch.nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d, bias=False), h, w)
    case = {"input": [h, w], "kernel": k, "stride": s, "padding": p, "dilation": d}
    return case | ({"output": out} if out else {"error": True})


def pool_case(cls, h, w, k, s, p):
    out = torch_out(cls(k, stride=s, padding=p), h, w)
    case = {"input": [h, w], "pool": k, "stride": s, "padding": p}
    return case | ({"output": out} if out else {"error": True})


def keras_same(layer_name, h, w, k, s, d=1):
    if layer_name == "Conv2D":
        layer = keras.layers.Conv2D(1, k, strides=s, padding="same", dilation_rate=d)
    else:
        layer = keras.layers.MaxPooling2D(k, strides=s, padding="same")
    y = layer(np.zeros((1, h, w, 1), dtype="float32"))
    case = {"layer": layer_name, "input": [h, w], "kernel": k, "stride": s, "dilation": d}
    return case | {"output": [int(y.shape[1]), int(y.shape[2])]}


def main() -> None:
    rng = random.Random(2024)

    def size():
        n = rng.randint(1, 40)
        return (n, n) if rng.random() < 0.5 else (n, rng.randint(1, 40))

    conv = [conv_case(28, 28, 5, 1, 0, 1),      # notes 002, LeNet table: 28 -> 24
            conv_case(12, 12, 5, 1, 0, 1),      # notes 002, LeNet table: 12 -> 8
            conv_case(5, 5, 3, 1, 0, 1),        # notes 002, 5x5 input, 3x3 kernel -> 3x3
            conv_case(32, 32, 3, 1, 1, 1),
            conv_case(4, 4, 7, 1, 1, 1)]        # does not fit
    for _ in range(260):
        h, w = size()
        conv.append(conv_case(h, w, rng.randint(1, 9), rng.randint(1, 5), rng.randint(0, 4), rng.choice([1, 1, 1, 2, 3])))

    pools = {"maxpool2d": [pool_case(torch.nn.MaxPool2d, 24, 24, 2, 2, 0),   # notes 002: 24 -> 12
                           pool_case(torch.nn.MaxPool2d, 8, 8, 2, 2, 0)],    # notes 002: 8 -> 4
             "avgpool2d": [pool_case(torch.nn.AvgPool2d, 7, 7, 3, 2, 1)]}
    for name, cls in (("maxpool2d", torch.nn.MaxPool2d), ("avgpool2d", torch.nn.AvgPool2d)):
        for _ in range(120):
            h, w = size()
            k = rng.randint(1, 7)
            pools[name].append(pool_case(cls, h, w, k, rng.randint(1, 5), rng.randint(0, k // 2)))

    same = []
    for _ in range(80):
        h, w = size()
        same.append(keras_same("Conv2D", h, w, rng.randint(1, 7), rng.randint(1, 5)))
    for _ in range(20):
        h, w = size()
        same.append(keras_same("Conv2D", h, w, rng.randint(2, 5), 1, rng.randint(2, 3)))
    for _ in range(40):
        h, w = size()
        same.append(keras_same("MaxPooling2D", h, w, rng.randint(1, 5), rng.randint(1, 5)))

    meta = {"torch": torch.__version__, "keras": keras.__version__,
            "script": "tests/reference/record_torch_shapes.py"}
    data = {"meta": meta, "conv2d": conv, **pools, "keras_same": same}
    OUT.write_text(json.dumps(data, indent=None, separators=(",", ":")).replace("},{", "},\n{") + "\n")
    print(f"wrote {len(conv)} conv, {sum(map(len, pools.values()))} pool, {len(same)} same cases to {OUT}")


if __name__ == "__main__":
    main()
