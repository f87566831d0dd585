"""Record Keras 3's BatchNormalization moving mean and variance for tests/nn/test_batchnorm_keras.py.

Run with the reference venv (Keras 3, torch backend):

    /tmp/refenv/bin/python tests/reference/record_batchnorm_keras.py

Each case calls a Keras BatchNormalization layer (float64) in training mode on a few
batches in turn and records, after every batch, the layer's moving_mean and
moving_variance (Keras: moving ← momentum·moving + (1 − momentum)·batch statistic, with the
biased batch variance), then the layer's output on the last batch in inference mode
(which uses the moving statistics). Momenta other than the default are included so that
swapping momentum and 1 − momentum shows. Writes tests/data/batchnorm_keras.json.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import numpy as np  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "data" / "batchnorm_keras.json"
RNG = np.random.default_rng(13)
CASES = [((6, 3), 0.99, 0.001), ((5, 2), 0.9, 0.001), ((4, 3, 3, 2), 0.8, 0.01), ((8, 4), 0.5, 0.001)]


def record(shape, momentum, epsilon) -> dict:
    keras.config.set_floatx("float64")
    layer = keras.layers.BatchNormalization(momentum=momentum, epsilon=epsilon, dtype="float64")
    layer.build((None, *shape[1:]))
    gamma = RNG.uniform(0.5, 1.5, shape[-1])
    beta = RNG.uniform(-0.5, 0.5, shape[-1])
    layer.set_weights([gamma, beta, np.zeros(shape[-1]), np.ones(shape[-1])])
    batches, moving = [], []
    for _ in range(3):
        X = RNG.normal(1.0, 2.0, shape)
        layer(X, training=True)
        batches.append(X.tolist())
        mean, var = (keras.ops.convert_to_numpy(v).tolist() for v in (layer.moving_mean, layer.moving_variance))
        moving.append({"moving_mean": mean, "moving_variance": var})
    Y = keras.ops.convert_to_numpy(layer(np.array(batches[-1]), training=False)).tolist()
    spec = f"Input({', '.join(map(str, shape[1:]))}) -> BatchNormalization(momentum={momentum}, epsilon={epsilon})"
    return {"spec": spec, "gamma": gamma.tolist(), "beta": beta.tolist(), "batches": batches,
            "moving": moving, "inference_Y": Y}


def main() -> int:
    cases = [record(*c) for c in CASES]
    OUT.write_text(json.dumps({"made_by": "tests/reference/record_batchnorm_keras.py",
                               "keras": keras.__version__, "backend": keras.backend.backend(),
                               "cases": cases}) + "\n")
    print(f"{len(cases)} cases -> {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
