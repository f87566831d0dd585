"""Record framework values for ``solve rnn``, ``solve lstm`` and ``solve gru``.

Run with the reference venv (torch and keras; never needed by the tests):

    /tmp/refenv/bin/python tests/reference/record_recurrent.py

Every case draws a small layer (1-3 units, 1-3 inputs, 2-5 time steps) from a
seeded NumPy generator, loads the weights into the framework layer in the
framework's own layout, runs it in float64, and writes the command-line
options of the same layer in dltutor's layout (per gate, weights on
[h_(t-1), x_t], hidden part first) with the framework's states:

- rnn  tanh/relu: torch.nn.RNN (W_x = weight_ih, W_h = weight_hh, b = bias_ih + bias_hh)
- rnn  sigmoid/linear: keras.layers.SimpleRNN (W_x = kernel.T, W_h = recurrent_kernel.T)
- lstm: torch.nn.LSTM, rows in blocks i, f, g, o; our W_g = [weight_hh_g, weight_ih_g],
  b_g = bias_ih_g + bias_hh_g; c_t per step from running the layer one step at a time
- gru:  keras.layers.GRU(reset_after=False), columns in blocks z, r, h;
  our W_g = [recurrent_kernel_g.T, kernel_g.T], b_g = bias_g

Output: tests/data/recurrent_reference.json.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

os.environ["KERAS_BACKEND"] = "torch"

import keras  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

from keras.src.backend.common import dtypes as keras_dtypes  # noqa: E402

keras.config.set_floatx("float64")
# Keras follows JAX's default and computes float64 matmuls in float32 (result_type maps
# 64-bit to 32-bit types); turn that off so that the recorded values are float64 throughout.
keras_dtypes.BIT64_TO_BIT32_DTYPE.clear()
torch.set_default_dtype(torch.float64)

OUT = Path(__file__).resolve().parent.parent / "data" / "recurrent_reference.json"


# ---------------------------------------------------------- option text

def num(v) -> str:
    return repr(float(v))   # shortest text that reads back to the same float


def vec(v) -> str:
    return ",".join(num(a) for a in np.ravel(v))


def mat(m) -> str:
    return ";".join(vec(row) for row in np.atleast_2d(m))


def seq(x) -> str:
    """(T, F): a VEC for one input per step, else one row per time step."""
    return vec(x[:, 0]) if x.shape[1] == 1 else mat(x)


def per_unit(v, units):
    v = np.ravel(v)
    return float(v[0]) if units == 1 else [float(a) for a in v]


def draw(seed: int):
    rng = np.random.default_rng(seed)
    units, inputs, steps = (int(rng.integers(1, 4)), int(rng.integers(1, 4)), int(rng.integers(2, 6)))
    x = rng.uniform(-2, 2, size=(steps, inputs))
    return rng, units, inputs, steps, x


def initial(rng, units, name, args):
    """Half of the cases start from a random state (given on the command line), half from 0."""
    if rng.random() < 0.5:
        return np.zeros(units)
    v = rng.uniform(-0.8, 0.8, size=units)
    args += [f"--{name}", vec(v)]
    return v


# ------------------------------------------------------------------ rnn

def torch_rnn(seed: int, nonlinearity: str) -> dict:
    rng, u, F, T, x = draw(seed)
    layer = torch.nn.RNN(F, u, nonlinearity=nonlinearity, batch_first=True)
    w_ih, w_hh = rng.uniform(-1, 1, (u, F)), rng.uniform(-1, 1, (u, u))
    b_ih, b_hh = rng.uniform(-0.5, 0.5, u), rng.uniform(-0.5, 0.5, u)
    with torch.no_grad():
        for name, value in [("weight_ih_l0", w_ih), ("weight_hh_l0", w_hh), ("bias_ih_l0", b_ih),
                            ("bias_hh_l0", b_hh)]:
            getattr(layer, name).copy_(torch.from_numpy(value))
    args = ["--x", seq(x), "--wx", mat(w_ih), "--wh", mat(w_hh), "--b", vec(b_ih + b_hh)]
    h0 = initial(rng, u, "h0", args)
    args += ["--activation", nonlinearity]
    with torch.no_grad():
        out, _ = layer(torch.from_numpy(x)[None], torch.from_numpy(h0)[None, None])
    h = out[0].numpy()
    return {"id": f"rnn-torch-{nonlinearity}-seed{seed}", "kind": "rnn", "source": "torch.nn.RNN",
            "args": args, "answer": {"h": [per_unit(row, u) for row in h]}}


def keras_simple_rnn(seed: int, activation: str) -> dict:
    rng, u, F, T, x = draw(seed)
    layer = keras.layers.SimpleRNN(u, activation=activation, return_sequences=True)
    layer.build((None, T, F))
    kernel, recurrent, bias = rng.uniform(-1, 1, (F, u)), rng.uniform(-1, 1, (u, u)), rng.uniform(-0.5, 0.5, u)
    layer.set_weights([kernel, recurrent, bias])
    args = ["--x", seq(x), "--wx", mat(kernel.T), "--wh", mat(recurrent.T), "--b", vec(bias)]
    h0 = initial(rng, u, "h0", args)
    args += ["--activation", activation]
    h = keras.ops.convert_to_numpy(layer(x[None], initial_state=[h0[None]]))[0]
    return {"id": f"rnn-keras-{activation}-seed{seed}", "kind": "rnn", "source": "keras.layers.SimpleRNN",
            "args": args, "answer": {"h": [per_unit(row, u) for row in h]}}


# ----------------------------------------------------------------- lstm

def torch_lstm(seed: int) -> dict:
    rng, u, F, T, x = draw(seed)
    layer = torch.nn.LSTM(F, u, batch_first=True)
    w_ih, w_hh = rng.uniform(-1, 1, (4 * u, F)), rng.uniform(-1, 1, (4 * u, u))
    b_ih, b_hh = rng.uniform(-0.5, 0.5, 4 * u), rng.uniform(-0.5, 0.5, 4 * u)
    with torch.no_grad():
        for name, value in [("weight_ih_l0", w_ih), ("weight_hh_l0", w_hh), ("bias_ih_l0", b_ih),
                            ("bias_hh_l0", b_hh)]:
            getattr(layer, name).copy_(torch.from_numpy(value))
    args = ["--x", seq(x)]
    for ours, block in [("f", 1), ("i", 0), ("c", 2), ("o", 3)]:   # torch order: i, f, g, o
        rows = slice(block * u, (block + 1) * u)
        args += [f"--w{ours}", mat(np.hstack([w_hh[rows], w_ih[rows]])), f"--b{ours}", vec(b_ih[rows] + b_hh[rows])]
    h0 = initial(rng, u, "h0", args)
    c0 = initial(rng, u, "c0", args)
    state = (torch.from_numpy(h0)[None, None], torch.from_numpy(c0)[None, None])
    hs, cs = [], []
    with torch.no_grad():
        full, _ = layer(torch.from_numpy(x)[None], state)
        for t in range(T):   # one step at a time, to read c_t at every step
            out, state = layer(torch.from_numpy(x[t:t + 1])[None], state)
            hs.append(state[0][0, 0].numpy().copy())
            cs.append(state[1][0, 0].numpy().copy())
    assert np.allclose(full[0].numpy(), np.array(hs), atol=1e-14, rtol=0)
    return {"id": f"lstm-torch-seed{seed}", "kind": "lstm", "source": "torch.nn.LSTM", "args": args,
            "answer": {"h": [per_unit(v, u) for v in hs], "c": [per_unit(v, u) for v in cs]}}


# ------------------------------------------------------------------ gru

def keras_gru(seed: int) -> dict:
    rng, u, F, T, x = draw(seed)
    layer = keras.layers.GRU(u, reset_after=False, return_sequences=True)
    layer.build((None, T, F))
    kernel, recurrent = rng.uniform(-1, 1, (F, 3 * u)), rng.uniform(-1, 1, (u, 3 * u))
    bias = rng.uniform(-0.5, 0.5, 3 * u)
    layer.set_weights([kernel, recurrent, bias])
    args = ["--x", seq(x)]
    for ours, block in [("z", 0), ("r", 1), ("h", 2)]:   # keras column blocks: z, r, h
        cols = slice(block * u, (block + 1) * u)
        args += [f"--w{ours}", mat(np.hstack([recurrent[:, cols].T, kernel[:, cols].T])),
                 f"--b{ours}", vec(bias[cols])]
    h0 = initial(rng, u, "h0", args)
    h = keras.ops.convert_to_numpy(layer(x[None], initial_state=[h0[None]]))[0]
    return {"id": f"gru-keras-seed{seed}", "kind": "gru", "source": "keras.layers.GRU(reset_after=False)",
            "args": args, "answer": {"h": [per_unit(row, u) for row in h]}}


def main() -> None:
    cases = ([torch_rnn(s, "tanh") for s in range(6)] + [torch_rnn(s, "relu") for s in range(10, 14)]
             + [keras_simple_rnn(s, a) for a in ("sigmoid", "linear") for s in range(20, 22)]
             + [torch_lstm(s) for s in range(30, 38)] + [keras_gru(s) for s in range(40, 48)])
    data = {
        "generated_by": "tests/reference/record_recurrent.py",
        "versions": {"torch": torch.__version__, "keras": keras.__version__, "numpy": np.__version__},
        "dtype": "float64",
        "cases": cases,
    }
    OUT.write_text(json.dumps(data, indent=1) + "\n")
    sizes = [(c["id"], len(c["answer"]["h"])) for c in cases]
    print(f"wrote {len(cases)} cases to {OUT}: {sizes}")


if __name__ == "__main__":
    main()
