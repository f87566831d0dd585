"""The layout conversions of `dltutor convert`, checked without PyTorch installed: PyTorch's layer
equations, as its documentation writes them (nn.Linear, nn.Conv1d/2d, nn.BatchNorm, nn.Embedding,
nn.RNN, nn.LSTM, nn.GRU), evaluated in NumPy on the converted state_dict entries, must give the
engine's outputs for the same Keras-layout weights. (test_frameworks_convert.py runs real torch.)
"""

from __future__ import annotations

import numpy as np
import pytest

from dltutor.frameworks import layouts, pytorch_code
from dltutor.nn.model import build


def _model(spec, seed=3):
    model = build(spec, seed=0, dtype=np.float64)
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        for name, w in layer.weights.items():
            w[...] = rng.uniform(0.5, 2.0, w.shape) if name == "moving_variance" else rng.normal(0, 0.7, w.shape)
    return model, rng


def _state(model, index=1):
    layer = model.layers[index - 1]
    attr = pytorch_code.attr_name(index, layer)
    from dltutor.modelspec import resolve

    info = resolve(model.spec).layers[index - 1]
    return layouts.to_pytorch(info, dict(layer.weights), attr), attr


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def test_dense_weight_is_the_transposed_kernel():
    model, rng = _model("Input(4) -> Dense(3)")
    s, a = _state(model)
    X = rng.normal(size=(5, 4))
    assert s[f"{a}.weight"].shape == (3, 4)
    np.testing.assert_allclose(X @ s[f"{a}.weight"].T + s[f"{a}.bias"], model.predict(X), rtol=1e-12)


def _torch_conv2d(x, w, b, stride, dilation, groups=1):
    """nn.Conv2d on an already padded (N, C, H, W) input: out[n, f] = b[f] + Σ w[f, c, a, b]·x[n, g·C_g + c, ...]."""
    n, c, h, wd = x.shape
    f, cg, kh, kw = w.shape
    (sh, sw), (dh, dw) = stride, dilation
    ho, wo = (h - dh * (kh - 1) - 1) // sh + 1, (wd - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((n, f, ho, wo))
    per_group = f // groups
    for o in range(f):
        g = o // per_group
        for ci in range(cg):
            for a in range(kh):
                for bb in range(kw):
                    rows = slice(a * dh, a * dh + sh * (ho - 1) + 1, sh)
                    cols = slice(bb * dw, bb * dw + sw * (wo - 1) + 1, sw)
                    out[:, o] += w[o, ci, a, bb] * x[:, g * cg + ci, rows, cols]
        if b is not None:
            out[:, o] += b[o]
    return out


@pytest.mark.parametrize("spec, stride, dilation, pad", [
    ("Input(6, 5, 2) -> Conv2D(3, (3, 2))", (1, 1), (1, 1), ((0, 0), (0, 0))),
    ("Input(7, 6, 2) -> Conv2D(2, 3, strides=2, padding=same)", (2, 2), (1, 1), ((1, 1), (0, 1))),
    ("Input(7, 7, 1) -> Conv2D(2, 2, dilation_rate=2)", (1, 1), (2, 2), ((0, 0), (0, 0))),
])
def test_conv2d_weight_is_out_in_kh_kw(spec, stride, dilation, pad):
    model, rng = _model(spec)
    s, a = _state(model)
    X = rng.normal(size=(2,) + model.input_shape)
    x = np.pad(np.moveaxis(X, -1, 1), ((0, 0), (0, 0)) + pad)      # channels first, Keras's 'same' split
    got = _torch_conv2d(x, s[f"{a}.weight"], s[f"{a}.bias"], stride, dilation)
    np.testing.assert_allclose(np.moveaxis(got, 1, -1), model.predict(X), rtol=1e-10, atol=1e-12)


def test_conv1d_weight_is_out_in_k():
    model, rng = _model("Input(8, 3) -> Conv1D(2, 3)")
    s, a = _state(model)
    assert s[f"{a}.weight"].shape == (2, 3, 3)
    X = rng.normal(size=(2, 8, 3))
    x = np.moveaxis(X, -1, 1)[:, :, None]                           # (N, C, 1, T)
    got = _torch_conv2d(x, s[f"{a}.weight"][:, :, None], s[f"{a}.bias"], (1, 1), (1, 1))[:, :, 0]
    np.testing.assert_allclose(np.moveaxis(got, 1, -1), model.predict(X), rtol=1e-10, atol=1e-12)


def test_depthwise_weight_is_grouped_by_channel():
    model, rng = _model("Input(5, 5, 2) -> DepthwiseConv2D(3, depth_multiplier=2)")
    s, a = _state(model)
    assert s[f"{a}.weight"].shape == (4, 1, 3, 3)
    X = rng.normal(size=(2, 5, 5, 2))
    got = _torch_conv2d(np.moveaxis(X, -1, 1), s[f"{a}.weight"], s[f"{a}.bias"], (1, 1), (1, 1), groups=2)
    np.testing.assert_allclose(np.moveaxis(got, 1, -1), model.predict(X), rtol=1e-10, atol=1e-12)


def test_batchnorm_uses_the_moving_statistics_as_running_ones():
    model, rng = _model("Input(3) -> BatchNormalization")
    s, a = _state(model)
    X = rng.normal(size=(4, 3))
    y = (X - s[f"{a}.running_mean"]) / np.sqrt(s[f"{a}.running_var"] + 0.001) * s[f"{a}.weight"] + s[f"{a}.bias"]
    np.testing.assert_allclose(y, model.predict(X), rtol=1e-10)


def test_embedding_rows_are_kept():
    model, rng = _model("Input(4) -> Embedding(6, 2)")
    s, a = _state(model)
    idx = rng.integers(0, 6, size=(3, 4))
    np.testing.assert_allclose(s[f"{a}.weight"][idx], model.predict(idx), rtol=1e-12)


def _run(cell, x, h0, c0=None):
    h, c, out = h0, c0, []
    for t in range(x.shape[1]):
        h, c = cell(x[:, t], h, c)
        out.append(h)
    return np.stack(out, axis=1)


def test_simple_rnn_bias_goes_to_bias_ih():
    model, rng = _model("Input(4, 3) -> SimpleRNN(2, return_sequences=True)")
    s, a = _state(model)
    w_ih, w_hh, b_ih, b_hh = (s[f"{a}.{k}_l0"] for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))
    X = rng.normal(size=(3, 4, 3))
    got = _run(lambda x, h, c: (np.tanh(x @ w_ih.T + b_ih + h @ w_hh.T + b_hh), None), X, np.zeros((3, 2)))
    np.testing.assert_allclose(got, model.predict(X), rtol=1e-10, atol=1e-12)


def test_lstm_gates_i_f_g_o_with_two_biases():
    model, rng = _model("Input(4, 3) -> LSTM(2, return_sequences=True)")
    s, a = _state(model)
    w_ih, w_hh, b_ih, b_hh = (s[f"{a}.{k}_l0"] for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))

    def cell(x, h, c):          # PyTorch's nn.LSTM equations
        i, f, g, o = np.split(x @ w_ih.T + b_ih + h @ w_hh.T + b_hh, 4, axis=1)
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        return sigmoid(o) * np.tanh(c), c

    X = rng.normal(size=(3, 4, 3))
    np.testing.assert_allclose(_run(cell, X, np.zeros((3, 2)), np.zeros((3, 2))), model.predict(X),
                               rtol=1e-10, atol=1e-12)


def test_gru_reset_after_gates_r_z_n():
    model, rng = _model("Input(4, 3) -> GRU(2, return_sequences=True)")
    s, a = _state(model)
    w_ih, w_hh, b_ih, b_hh = (s[f"{a}.{k}_l0"] for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))

    def cell(x, h, c):          # PyTorch's nn.GRU equations
        xr, xz, xn = np.split(x @ w_ih.T + b_ih, 3, axis=1)
        hr, hz, hn = np.split(h @ w_hh.T + b_hh, 3, axis=1)
        r, z = sigmoid(xr + hr), sigmoid(xz + hz)
        n = np.tanh(xn + r * hn)
        return (1 - z) * n + z * h, None

    X = rng.normal(size=(3, 4, 3))
    np.testing.assert_allclose(_run(cell, X, np.zeros((3, 2))), model.predict(X), rtol=1e-10, atol=1e-12)


def test_gru_reset_before_keeps_one_bias():
    model, rng = _model("Input(4, 3) -> GRU(2, reset_after=False, return_sequences=True)")
    s, a = _state(model)
    w_ih, w_hh, b = s[f"{a}.weight_ih"], s[f"{a}.weight_hh"], s[f"{a}.bias"]

    def cell(x, h, c):          # GRUResetBefore's docstring: n = tanh(x W_n + (r * h) U_n + b_n)
        xr, xz, xn = np.split(x @ w_ih.T + b, 3, axis=1)
        ur, uz, un = np.split(w_hh, 3, axis=0)
        r, z = sigmoid(xr + h @ ur.T), sigmoid(xz + h @ uz.T)
        n = np.tanh(xn + (r * h) @ un.T)
        return z * h + (1 - z) * n, None

    X = rng.normal(size=(3, 4, 3))
    np.testing.assert_allclose(_run(cell, X, np.zeros((3, 2))), model.predict(X), rtol=1e-10, atol=1e-12)


def test_bidirectional_concat_keeps_the_backward_direction_under_reverse():
    model, rng = _model("Input(4, 3) -> Bidirectional(SimpleRNN(2, return_sequences=True))")
    s, a = _state(model)
    X = rng.normal(size=(3, 4, 3))

    def direction(suffix, x):   # nn.RNN(bidirectional=True): the *_reverse weights read x backwards
        w_ih, w_hh, b_ih, b_hh = (s[f"{a}.{k}_l0{suffix}"] for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))
        return _run(lambda x, h, c: (np.tanh(x @ w_ih.T + b_ih + h @ w_hh.T + b_hh), None), x, np.zeros((3, 2)))

    got = np.concatenate([direction("", X), direction("_reverse", X[:, ::-1])[:, ::-1]], axis=-1)
    np.testing.assert_allclose(got, model.predict(X), rtol=1e-10, atol=1e-12)


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _attention(q, k, v, heads):
    """Scaled dot-product attention per head, heads side by side: q, k (N, T, h·d_k), v (N, T, h·d_v)."""
    n, t, _ = q.shape
    split = lambda m: m.reshape(n, t, heads, -1).transpose(0, 2, 1, 3)     # noqa: E731
    q, k, v = split(q), split(k), split(v)
    a = _softmax(q @ k.transpose(0, 1, 3, 2) / np.sqrt(q.shape[-1]))
    return (a @ v).transpose(0, 2, 1, 3).reshape(n, t, -1)


def test_multihead_attention_stacks_query_key_value_in_in_proj():
    model, rng = _model("Input(5, 4) -> MultiHeadAttention(2, 2)")
    s, a = _state(model)
    X = rng.normal(size=(3, 5, 4))
    # nn.MultiheadAttention: [q; k; v] = x·in_proj_weightᵀ + in_proj_bias, heads split E; out_proj after
    q, k, v = np.split(X @ s[f"{a}.in_proj_weight"].T + s[f"{a}.in_proj_bias"], 3, axis=-1)
    y = _attention(q, k, v, 2) @ s[f"{a}.out_proj.weight"].T + s[f"{a}.out_proj.bias"]
    np.testing.assert_allclose(y, model.predict(X), rtol=1e-10, atol=1e-12)


def test_multihead_attention_of_other_sizes_uses_four_linear_maps():
    model, rng = _model("Input(4, 5) -> MultiHeadAttention(3, 2, value_dim=4)")
    s, a = _state(model)
    X = rng.normal(size=(2, 4, 5))
    lin = lambda name, x: x @ s[f"{a}.{name}.weight"].T + s[f"{a}.{name}.bias"]     # noqa: E731
    y = lin("output", _attention(lin("query", X), lin("key", X), lin("value", X), 3))
    np.testing.assert_allclose(y, model.predict(X), rtol=1e-10, atol=1e-12)
