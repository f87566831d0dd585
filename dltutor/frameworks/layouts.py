"""A layer's trained weights, from Keras's layout (how dltutor keeps and saves them) to PyTorch's.

Each function takes the resolved layer, its arrays by Keras name (``kernel``, ``bias``, ...)
and the module's attribute name, and returns PyTorch ``state_dict`` entries:

    Dense            kernel (n_in, units)            -> weight (units, n_in) = kernelᵀ
    Conv2D           kernel (k_h, k_w, C_in, F)      -> weight (F, C_in, k_h, k_w)
    Conv1D           kernel (k, C_in, F)             -> weight (F, C_in, k)
    DepthwiseConv2D  kernel (k_h, k_w, C, m)         -> weight (C·m, 1, k_h, k_w), output channel c·m + j
    SeparableConv2D  the depthwise kernel as above, pointwise (1, 1, C·m, F) -> (F, C·m, 1, 1)
    Conv2DTranspose  kernel (k_h, k_w, F, C_in)      -> weight (C_in, F, k_h, k_w), no flip (both frameworks
                     add X[i]·K[a] at output cell i·s + a·d); Conv1DTranspose (k, F, C_in) -> (C_in, F, k)
    BatchNorm        gamma, beta, moving_mean, moving_variance -> weight, bias, running_mean, running_var
    Embedding        embeddings (V, D)               -> weight (V, D), unchanged
    SimpleRNN/LSTM   kernel W (F, G·U), recurrent U (U, G·U), bias b (G·U)
                     -> weight_ih = Wᵀ, weight_hh = Uᵀ, bias_ih = b, bias_hh = 0 (PyTorch adds
                     two biases; Keras has one). LSTM gates: Keras i, f, c, o = PyTorch i, f, g, o.
    GRU              Keras gates z, r, h -> PyTorch r, z, n (blocks reordered); reset_after=True:
                     bias (2, 3U) -> bias_ih = row 0, bias_hh = row 1; reset_after=False: one bias.
    LayerNorm        gamma, beta -> weight, bias (the sizes of the normalized axes in order)
    Bidirectional    forward_*/backward_* as the wrapped layer; one nn.LSTM(bidirectional=True) keeps
                     the backward direction under the same names + ``_reverse``
    TimeDistributed  as the wrapped layer
    MultiHeadAttention  kernels (E, h, d) -> (h·d, E); nn.MultiheadAttention stacks query, key, value
                     into in_proj_weight (3E, E), in_proj_bias; output (h, d_v, E) -> out_proj (E, h·d_v)

Keras needs no conversion (``to_keras`` keeps the arrays in ``layer.weights`` order).
"""

from __future__ import annotations

import numpy as np

from dltutor.modelspec.sequence_layers import layer_norm_axes
from dltutor.frameworks.pytorch_wrappers import native_attention, native_bidirectional


def dense(layer, w, attr):
    out = {f"{attr}.weight": w["kernel"].T}
    if "bias" in w:
        out[f"{attr}.bias"] = w["bias"]
    return out


def conv2d(layer, w, attr):
    out = {f"{attr}.weight": w["kernel"].transpose(3, 2, 0, 1)}
    if "bias" in w:
        out[f"{attr}.bias"] = w["bias"]
    return out


def conv1d(layer, w, attr):
    out = {f"{attr}.weight": w["kernel"].transpose(2, 1, 0)}
    if "bias" in w:
        out[f"{attr}.bias"] = w["bias"]
    return out


def _depthwise(K):
    """(k_h, k_w, C, m) -> (C·m, 1, k_h, k_w): group c holds the m kernels of channel c."""
    kh, kw, c, m = K.shape
    return K.reshape(kh, kw, c * m).transpose(2, 0, 1)[:, None]


def depthwise_conv2d(layer, w, attr):
    out = {f"{attr}.weight": _depthwise(w["depthwise_kernel"])}
    if "bias" in w:
        out[f"{attr}.bias"] = w["bias"]
    return out


def separable_conv2d(layer, w, attr):
    out = {f"{attr}_depthwise.weight": _depthwise(w["depthwise_kernel"]),
           f"{attr}_pointwise.weight": w["pointwise_kernel"].transpose(3, 2, 0, 1)}
    if "bias" in w:
        out[f"{attr}_pointwise.bias"] = w["bias"]
    return out


def batch_normalization(layer, w, attr):
    return {f"{attr}.weight": w["gamma"], f"{attr}.bias": w["beta"], f"{attr}.running_mean": w["moving_mean"],
            f"{attr}.running_var": w["moving_variance"], f"{attr}.num_batches_tracked": np.array(0, np.int64)}


def embedding(layer, w, attr):
    return {f"{attr}.weight": w["embeddings"]}


def _rnn(w, attr, order=None):
    """weight_ih = Wᵀ, weight_hh = Uᵀ (gate blocks reordered by ``order``), b into bias_ih, zeros in bias_hh."""
    def blocks(a):
        if order is None:
            return a
        parts = np.split(a, 3, axis=-1)
        return np.concatenate([parts[i] for i in order], axis=-1)

    out = {f"{attr}.weight_ih_l0": blocks(w["kernel"]).T, f"{attr}.weight_hh_l0": blocks(w["recurrent_kernel"]).T}
    if "bias" in w:
        b = w["bias"]
        if b.ndim == 2:       # GRU reset_after=True: input bias row, recurrent bias row
            out[f"{attr}.bias_ih_l0"], out[f"{attr}.bias_hh_l0"] = blocks(b[0]), blocks(b[1])
        else:
            out[f"{attr}.bias_ih_l0"] = blocks(b)
            out[f"{attr}.bias_hh_l0"] = np.zeros_like(b)
    return out


def simple_rnn(layer, w, attr):
    return _rnn(w, attr)


def lstm(layer, w, attr):
    return _rnn(w, attr)        # i, f, c, o in both frameworks


GRU_ORDER = (1, 0, 2)          # Keras z, r, h -> PyTorch r, z, n


def gru(layer, w, attr):
    if layer.config.get("reset_after", True):
        return _rnn(w, attr, GRU_ORDER)
    out = _rnn(w, attr, GRU_ORDER)
    renamed = {f"{attr}.weight_ih": out[f"{attr}.weight_ih_l0"], f"{attr}.weight_hh": out[f"{attr}.weight_hh_l0"]}
    if "bias" in w:
        renamed[f"{attr}.bias"] = out[f"{attr}.bias_ih_l0"]   # GRUResetBefore has Keras's one bias
    return renamed


def normalized_axes(layer) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """LayerNormalization's axes of the batched channels-last tensor, in order, and their sizes."""
    axes, _ = layer_norm_axes(layer.config.get("axis", -1), len(layer.input_shape) + 1, layer.label)
    return axes, tuple(layer.input_shape[a - 1] for a in axes)


def layer_normalization(layer, w, attr):
    """γ, β laid over the normalized axes in order (Keras sorts the axes as written: a reshape)."""
    sizes = normalized_axes(layer)[1]
    out = {}
    if "gamma" in w:
        out[f"{attr}.weight"] = w["gamma"].reshape(sizes)
    if "beta" in w:
        out[f"{attr}.bias" if "gamma" in w else f"{attr}_beta"] = w["beta"].reshape(sizes)
    return out


def bidirectional(layer, w, attr):
    """Each direction as its layer; one bidirectional module keeps the backward one under ``*_reverse``."""
    inner = layer.wrapped
    convert = TO_PYTORCH[inner.type]
    forward, backward = ({name[len(prefix):]: a for name, a in w.items() if name.startswith(prefix)}
                         for prefix in ("forward_", "backward_"))
    if native_bidirectional(layer):
        out = convert(inner, forward, attr)
        out.update({f"{key}_reverse": a for key, a in convert(inner, backward, attr).items()})
        return out
    return {**convert(inner, forward, f"{attr}_forward"), **convert(inner, backward, f"{attr}_backward")}


def time_distributed(layer, w, attr):
    return TO_PYTORCH[layer.wrapped.type](layer.wrapped, w, attr)


def multi_head_attention(layer, w, attr):
    """Kernels (E, h, d) -> weight (h·d, E), heads one after another; output (h, d_v, E) -> (E, h·d_v)."""
    e = layer.input_shape[-1]
    weight = {name: w[f"{name}_kernel"].reshape(e, -1).T for name in ("query", "key", "value")}
    bias = {name: w[f"{name}_bias"].reshape(-1) for name in ("query", "key", "value") if f"{name}_bias" in w}
    out_weight = w["output_kernel"].reshape(-1, e).T
    if native_attention(layer):         # nn.MultiheadAttention: query, key, value stacked in in_proj
        out = {f"{attr}.in_proj_weight": np.concatenate(list(weight.values())), f"{attr}.out_proj.weight": out_weight}
        if bias:
            out[f"{attr}.in_proj_bias"] = np.concatenate(list(bias.values()))
            out[f"{attr}.out_proj.bias"] = w["output_bias"]
        return out
    out = {f"{attr}.{name}.weight": a for name, a in weight.items()}
    out.update({f"{attr}.{name}.bias": a for name, a in bias.items()})
    out[f"{attr}.output.weight"] = out_weight
    if "output_bias" in w:
        out[f"{attr}.output.bias"] = w["output_bias"]
    return out


TO_PYTORCH = {
    "Dense": dense, "Conv2D": conv2d, "Conv1D": conv1d, "DepthwiseConv2D": depthwise_conv2d,
    "SeparableConv2D": separable_conv2d, "BatchNormalization": batch_normalization, "Embedding": embedding,
    "SimpleRNN": simple_rnn, "LSTM": lstm, "GRU": gru,
    "Conv2DTranspose": conv2d, "Conv1DTranspose": conv1d,     # the same axis moves: (C_in, F, ...) first
    "LayerNormalization": layer_normalization,
    "Bidirectional": bidirectional, "TimeDistributed": time_distributed, "MultiHeadAttention": multi_head_attention,
}


def to_pytorch(layer, arrays: dict, attr: str) -> dict:
    """PyTorch state_dict entries of one layer (none for a layer without weights)."""
    if not arrays:
        return {}
    out = TO_PYTORCH[layer.type](layer, arrays, attr)
    return {k: np.ascontiguousarray(v) for k, v in out.items()}


def to_keras(layer, arrays: dict) -> list:
    """The arrays in the order ``layer.set_weights`` takes them: dltutor keeps Keras's layouts and order."""
    return [arrays[w.name] for w in layer.weights]
