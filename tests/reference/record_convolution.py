"""Record PyTorch (and Keras, for 'same' with stride > 1) convolution and pooling outputs
for tests/test_convolution.py.

Run with the reference venv (torch + keras 3):

    /tmp/refenv/bin/python tests/reference/record_convolution.py

Writes tests/data/convolution_torch.json. Inputs are random but seeded, with
two decimals so that the command-line text reads back the same doubles; all
arithmetic is float64.

- conv2d: ``torch.nn.functional.conv2d`` (cross-correlation) with random sizes,
  channels, strides and numeric padding, one filter, a bias and an activation.
  'same' with stride 1 uses ``padding='same'``; with stride > 1 PyTorch has no
  'same', so the input is padded with ``F.pad`` using Keras's split (the odd
  zero at the bottom/right) and the result is checked against
  ``keras.ops.conv(..., padding='same')`` before it is recorded.
- pool: ``F.max_pool2d`` / ``F.avg_pool2d`` with random window sizes and strides.
- conv-cost: multiplications counted by ``torch.utils.flop_counter.FlopCounterMode``
  (which counts 2 FLOPs per multiply-add) on a standard convolution, a depthwise
  one (``groups=C``) and a pointwise 1x1 one over the depthwise output, no bias.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

os.environ["KERAS_BACKEND"] = "torch"

import keras  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "data" / "convolution_torch.json"
ACTIVATIONS = {
    "linear": lambda z: z,
    "relu": torch.relu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "leaky_relu": lambda z: F.leaky_relu(z, 0.01),
}


def keras_same_padding(n: int, k: int, s: int) -> tuple[int, int]:
    out = math.ceil(n / s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def conv_case(rng, padding_kind: str, stride: int | None = None) -> dict:
    C = int(rng.integers(1, 4))
    H, W = (int(v) for v in rng.integers(3, 9, 2))
    kh = int(rng.integers(1, 5))
    kw = kh if rng.random() < 0.7 else int(rng.integers(1, 5))
    s = stride if stride is not None else int(rng.integers(1, 4))
    if padding_kind == "numeric":
        p = int(rng.integers(0, 3))
        kh, kw = min(kh, H + 2 * p), min(kw, W + 2 * p)
    x = np.round(rng.uniform(-5, 5, (C, H, W)), 2)
    k = np.round(rng.uniform(-2, 2, (C, kh, kw)), 2)
    b = float(np.round(rng.uniform(-1, 1), 2))
    act = str(rng.choice(list(ACTIVATIONS)))
    xt = torch.tensor(x[None], dtype=torch.float64)
    kt = torch.tensor(k[None], dtype=torch.float64)
    bt = torch.tensor([b], dtype=torch.float64)
    if padding_kind == "numeric":
        z = F.conv2d(xt, kt, bt, stride=s, padding=p)
        padding = p
    elif s == 1:
        z = F.conv2d(xt, kt, bt, stride=1, padding="same")
        padding = "same"
    else:
        top, bottom = keras_same_padding(H, kh, s)
        left, right = keras_same_padding(W, kw, s)
        z = F.conv2d(F.pad(xt, (left, right, top, bottom)), kt, bt, stride=s)
        # the same numbers from Keras's own 'same' (channels-last input, (kh, kw, C, filters) kernel)
        zk = keras.ops.conv(keras.ops.convert_to_tensor(x.transpose(1, 2, 0)[None], dtype="float64"),
                            keras.ops.convert_to_tensor(k.transpose(1, 2, 0)[..., None], dtype="float64"),
                            strides=s, padding="same")
        zk = keras.ops.convert_to_numpy(zk)[0, :, :, 0] + b
        assert np.allclose(zk, z[0, 0].numpy(), atol=1e-9), "Keras and the F.pad split disagree"
        padding = "same"
    y = ACTIVATIONS[act](z)[0, 0].numpy()
    return {"input": x.tolist(), "kernel": k.tolist(), "bias": b, "stride": s, "padding": padding,
            "activation": act, "output": y.tolist()}


def pool_case(rng, mode: str) -> dict:
    H, W = (int(v) for v in rng.integers(2, 10, 2))
    size = int(rng.integers(1, min(H, W) + 1))
    stride = int(rng.integers(1, 4))
    x = np.round(rng.uniform(-5, 5, (H, W)), 2)
    xt = torch.tensor(x[None, None], dtype=torch.float64)
    pool = F.max_pool2d if mode == "max" else F.avg_pool2d
    y = pool(xt, size, stride)[0, 0].numpy()
    return {"input": x.tolist(), "size": size, "stride": stride, "mode": mode, "output": y.tolist()}


def multiplications(x, w, stride: int, groups: int = 1) -> int:
    with FlopCounterMode(display=False) as counter:
        out = F.conv2d(x, w, stride=stride, groups=groups)
    return counter.get_total_flops() // 2, out


def cost_case(rng, padding_kind: str) -> dict:
    H, W = (int(v) for v in rng.integers(5, 40, 2))
    C, K, filters = int(rng.integers(1, 9)), int(rng.choice([1, 3, 5])), int(rng.integers(1, 65))
    s = int(rng.integers(1, 3))
    if padding_kind == "same":
        (top, bottom), (left, right) = keras_same_padding(H, K, s), keras_same_padding(W, K, s)
        padding = "same"
    else:
        top = bottom = left = right = padding = int(rng.integers(0, 2))
    x = F.pad(torch.zeros(1, C, H, W), (left, right, top, bottom))
    standard, _ = multiplications(x, torch.zeros(filters, C, K, K), s)
    depthwise, mid = multiplications(x, torch.zeros(C, 1, K, K), s, groups=C)
    pointwise, _ = multiplications(mid, torch.zeros(filters, C, 1, 1), 1)
    return {"input": f"{H}x{W}x{C}", "kernel": K, "filters": filters, "stride": s, "padding": padding,
            "standard": standard, "depthwise": depthwise, "pointwise": pointwise}


def main() -> None:
    rng = np.random.default_rng(7)
    conv = ([conv_case(rng, "numeric") for _ in range(24)]
            + [conv_case(rng, "same", 1) for _ in range(8)]
            + [conv_case(rng, "same", int(rng.integers(2, 4))) for _ in range(8)])
    pool = [pool_case(rng, "max") for _ in range(12)] + [pool_case(rng, "avg") for _ in range(12)]
    cost = [cost_case(rng, "same") for _ in range(6)] + [cost_case(rng, "numeric") for _ in range(4)]
    data = {"source": f"torch {torch.__version__}, keras {keras.__version__} (torch backend), float64",
            "conv2d": conv, "pool": pool, "conv_cost": cost}
    lines = [f' "source": {json.dumps(data["source"])}']
    for key in ("conv2d", "pool", "conv_cost"):
        body = ",\n  ".join(json.dumps(case) for case in data[key])
        lines.append(f' "{key}": [\n  {body}\n ]')
    OUT.write_text("{\n" + ",\n".join(lines) + "\n}\n")
    print(f"wrote {OUT} ({len(conv)} conv2d, {len(pool)} pool, {len(cost)} conv-cost cases)")


if __name__ == "__main__":
    main()
