"""The per-layer rules: each layer type's output shape and weights, with the working.

A rule takes the ``LayerCall`` and the input shape (batch dimension left out)
and returns a ``Layer``: output shape, weights as Keras creates them, and the
formula, substituted formula and note behind the shape and the parameter
count. Counts follow Keras 3 exactly: GRU with ``reset_after=True``,
BatchNormalization 4·C of which 2·C non-trainable, SeparableConv2D's
depthwise kernel without bias. ``LAYER_RULES`` maps each canonical type to
its rule (Input is handled by ``resolve``).
"""

from __future__ import annotations

import math

from dltutor.errors import InputError
from dltutor.modelspec.layers import Layer, Weight, bind, pair, shape_text, single, whole_number
from dltutor.modelspec.windows import OUTPUT_FORMULA, SAME_FORMULA, window_output
from dltutor.solution import Filled, fill
from dltutor.modelspec.grammar import LayerCall, quoted


def _need_rank(call: LayerCall, layer_type: str, shape: tuple[int, ...], rank: int, what: str) -> None:
    if len(shape) != rank:
        raise InputError(f"layer {call.position} {quoted(call.text)}: {layer_type} needs a {rank}-D input "
                         f"{what} but gets {shape_text(shape)}")


def _dense(call, shape):
    cfg = bind(call, "Dense")
    n_in, units = shape[-1], cfg["units"]
    weights = [Weight("kernel", (n_in, units))]
    if cfg["use_bias"]:
        weights.append(Weight("bias", (units,)))
        pf, ps = "params = n_in*units + units", fill("{}*{} + {}", n_in, units, units)
    else:
        pf, ps = "params = n_in*units (no bias)", fill("{}*{}", n_in, units)
    out = shape[:-1] + (units,)
    note = ("" if len(shape) < 2 else
            f"Dense acts on the last axis only (size {n_in}), as Keras does; a Flatten before it was "
            f"probably meant (it would see all {math.prod(shape)} values)")
    return Layer("Dense", call.text, cfg, shape, out, tuple(weights),
                 "shape = (..., units)", fill("{} -> {}", shape_text(shape), shape_text(out)), note,
                 pf, ps, "one weight per input-output pair, one bias per unit")


def _window_dims(call, layer_type, shape, kernel, strides, padding, dilation, spatial: int):
    dims = ("height", "width") if spatial == 2 else ("length",)
    outs, subs, notes = [], [], []
    causal = padding == "causal"
    if causal:      # Conv1D: d*(k - 1) zeros on the left only, then a valid convolution
        shape = (shape[0] + dilation[0] * (kernel[0] - 1),) + tuple(shape[1:])
        padding = 0
        notes.append(f"causal: {dilation[0] * (kernel[0] - 1)} zero(s) = d*(k - 1) added on the left only, so "
                     f"step t sees no later step; n below is the padded length")
    for i, dim in enumerate(dims):
        try:
            out, steps = window_output(shape[i], kernel[i], strides[i], padding, dilation[i],
                                       dim=dim, layer="pool" if "Pool" in layer_type else "kernel")
        except InputError as exc:
            raise InputError(f"layer {call.position} {quoted(call.text)}: {exc}") from None
        outs.append(out)
        last = steps[-1] if padding != "same" else steps[-2]
        subs.append(last.substituted.render() if isinstance(last.substituted, Filled) else str(last.substituted))
        if last.note and last.note not in notes:
            notes.append(last.note)
    formula = SAME_FORMULA if padding == "same" else OUTPUT_FORMULA
    if len(set(subs)) == 1 and len(dims) == 2:
        # a square input and window: one line for both axes
        return outs, formula, f"height and width: {subs[0]} = {outs[0]}", "; ".join(notes)
    return outs, formula, "; ".join(f"{d}: {s} = {o}" for d, s, o in zip(dims, subs, outs)), "; ".join(notes)


def _sliding(call, layer_type: str, shape, spatial: int) -> tuple[dict, str]:
    """Config and error prefix of a layer that slides over 1 or 2 spatial axes (plus channels)."""
    _need_rank(call, layer_type, shape, spatial + 1,
               "(height, width, channels)" if spatial == 2 else "(steps, channels)")
    return bind(call, layer_type), f"layer {call.position} {quoted(call.text)}"


def _conv(layer_type, spatial):
    def rule(call, shape):
        cfg, where = _sliding(call, layer_type, shape, spatial)
        if spatial == 2:
            k = pair(cfg["kernel_size"], "kernel_size", where)
            s = pair(cfg["strides"], "strides", where)
            d = pair(cfg["dilation_rate"], "dilation_rate", where)
        else:
            k = single(cfg["kernel_size"], "kernel_size", where)
            s = single(cfg["strides"], "strides", where)
            d = single(cfg["dilation_rate"], "dilation_rate", where)
        cfg.update(kernel_size=k, strides=s, dilation_rate=d)
        c_in = shape[-1]
        outs, sf, ss, note = _window_dims(call, layer_type, shape, k, s, cfg["padding"], d, spatial)
        kexpr = "*".join(str(x) for x in k)
        bias = cfg["use_bias"]
        if layer_type in ("Conv2D", "Conv1D") and cfg.get("groups", 1) != 1:
            f, g = cfg["filters"], whole_number(cfg["groups"], "groups", where)
            if c_in % g or f % g:
                raise InputError(f"{where}: groups {g} must divide the input channels {c_in} and the "
                                 f"filters {f}")
            weights = [Weight("kernel", k + (c_in // g, f))] + ([Weight("bias", (f,))] if bias else [])
            c_out = f
            kk = "k_h*k_w" if spatial == 2 else "k"
            pf = (f"params = ({kk}*(C_in/groups) + 1)*filters" if bias
                  else f"params = {kk}*(C_in/groups)*filters (no bias)")
            ps = fill("({}*{} + 1)*{}", kexpr, c_in // g, f) if bias else fill("{}*{}*{}", kexpr, c_in // g, f)
            pnote = (f"{g} groups: each filter sees only the {c_in // g} input channels of its group "
                     f"({f // g} filters per group)")
        elif layer_type in ("Conv2D", "Conv1D"):
            f = cfg["filters"]
            weights = [Weight("kernel", k + (c_in, f))] + ([Weight("bias", (f,))] if bias else [])
            c_out = f
            pf = "params = (k_h*k_w*C_in + 1)*filters" if bias else "params = k_h*k_w*C_in*filters (no bias)"
            if spatial == 1:
                pf = pf.replace("k_h*k_w", "k")
            ps = fill("({}*{} + 1)*{}" if bias else "{}*{}*{}", kexpr, c_in, f) if bias else \
                fill("{}*{}*{}", kexpr, c_in, f)
            pnote = "each filter has one weight per kernel cell and input channel, plus one bias"
        elif layer_type == "DepthwiseConv2D":
            m = cfg["depth_multiplier"]
            c_out = c_in * m
            weights = [Weight("depthwise_kernel", k + (c_in, m))] + ([Weight("bias", (c_out,))] if bias else [])
            pf = ("params = k_h*k_w*C_in*m + C_in*m" if bias else "params = k_h*k_w*C_in*m (no bias)")
            ps = fill("{}*{}*{} + {}*{}", kexpr, c_in, m, c_in, m) if bias else fill("{}*{}*{}", kexpr, c_in, m)
            pnote = "one k × k kernel per input channel (times the depth multiplier m), each with a bias"
        else:  # SeparableConv2D
            m, f = cfg["depth_multiplier"], cfg["filters"]
            c_out = f
            weights = [Weight("depthwise_kernel", k + (c_in, m)), Weight("pointwise_kernel", (1, 1, c_in * m, f))]
            weights += [Weight("bias", (f,))] if bias else []
            pf = ("params = k_h*k_w*C_in*m + C_in*m*filters + filters" if bias
                  else "params = k_h*k_w*C_in*m + C_in*m*filters (no bias)")
            ps = (fill("{}*{}*{} + {}*{}*{} + {}", kexpr, c_in, m, c_in, m, f, f) if bias
                  else fill("{}*{}*{} + {}*{}*{}", kexpr, c_in, m, c_in, m, f))
            pnote = "depthwise kernel (no bias) + 1x1 pointwise kernel + one bias per filter"
        out = tuple(outs) + (c_out,)
        return Layer(layer_type, call.text, cfg, shape, out, tuple(weights), sf, ss, note, pf, ps, pnote)
    return rule


def _pool(layer_type, spatial):
    def rule(call, shape):
        cfg, where = _sliding(call, layer_type, shape, spatial)
        if spatial == 2:
            k = pair(cfg["pool_size"], "pool_size", where)
            s = pair(cfg.get("strides") if cfg.get("strides") is not None else k, "strides", where)
        else:
            k = single(cfg["pool_size"], "pool_size", where)
            s = k if cfg.get("strides") is None else single(cfg["strides"], "strides", where)
        cfg.update(pool_size=k, strides=s)
        outs, sf, ss, note = _window_dims(call, layer_type, shape, k, s, cfg["padding"], (1,) * spatial, spatial)
        out = tuple(outs) + (shape[-1],)
        return Layer(layer_type, call.text, cfg, shape, out, (), sf, ss, note,
                     "params = 0", "", "pooling has nothing to learn")
    return rule


def _global_pool(layer_type, spatial):
    def rule(call, shape):
        cfg, _ = _sliding(call, layer_type, shape, spatial)
        out = (shape[-1],)
        return Layer(layer_type, call.text, cfg, shape, out, (), "shape = (channels,)",
                     fill("{} -> {}", shape_text(shape), shape_text(out)), "one value per channel",
                     "params = 0", "", "pooling has nothing to learn")
    return rule


def _flatten(call, shape):
    cfg = bind(call, "Flatten")
    out = (math.prod(shape),)
    return Layer("Flatten", call.text, cfg, shape, out, (), "shape = (product of the input sizes)",
                 fill("{} = {}", "*".join(str(d) for d in shape), out[0]), "", "params = 0", "",
                 "flattening only rearranges values")


def _identity(layer_type, note):
    def rule(call, shape):
        cfg = bind(call, layer_type)
        return Layer(layer_type, call.text, cfg, shape, shape, (), "shape = input shape",
                     fill("{}", shape_text(shape)), "", "params = 0", "", note)
    return rule


def _batchnorm(call, shape):
    cfg = bind(call, "BatchNormalization")
    c = shape[-1]
    weights = (Weight("gamma", (c,)), Weight("beta", (c,)),
               Weight("moving_mean", (c,), False), Weight("moving_variance", (c,), False))
    return Layer("BatchNormalization", call.text, cfg, shape, shape, weights, "shape = input shape",
                 fill("{}", shape_text(shape)), "", "params = 4*C (gamma, beta, moving mean, moving variance)",
                 fill("4*{}", c), f"2*{c} = {2 * c} trainable (gamma, beta) and {2 * c} non-trainable "
                 "(the moving mean and variance are updated by averaging, not by gradients)")


def _embedding(call, shape):
    cfg = bind(call, "Embedding")
    _need_rank(call, "Embedding", shape, 1, "(sequence length,)")
    vocab, dim = cfg["input_dim"], cfg["output_dim"]
    out = shape + (dim,)
    return Layer("Embedding", call.text, cfg, shape, out, (Weight("embeddings", (vocab, dim)),),
                 "shape = (length, output_dim)", fill("({}, {})", shape[0], dim), "",
                 "params = input_dim*output_dim", fill("{}*{}", vocab, dim), "one vector of output_dim per word")


GATES = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}


def _recurrent(layer_type):
    def rule(call, shape):
        cfg = bind(call, layer_type)
        _need_rank(call, layer_type, shape, 2, "(time steps, features)")
        steps_, n_in = shape
        u = cfg["units"]
        g = GATES[layer_type]
        bias = cfg["use_bias"]
        reset_after = layer_type == "GRU" and cfg.get("reset_after", True)
        weights = [Weight("kernel", (n_in, g * u)), Weight("recurrent_kernel", (u, g * u))]
        if bias:
            weights.append(Weight("bias", (2, g * u) if reset_after else (g * u,)))
        gate_text = {1: "", 4: "4*", 3: "3*"}[g]
        if bias and reset_after:
            pf = "params = 3*(units*(n_in + units) + 2*units)"
            ps = fill("3*({}*({} + {}) + 2*{})", u, n_in, u, u)
            pnote = ("three blocks (update, reset, candidate); reset_after=True keeps two bias vectors, "
                     "one for the input and one for the recurrent part")
        else:
            pf = f"params = {gate_text}(units*(n_in + units) + units)" if bias else \
                f"params = {gate_text}units*(n_in + units)"
            ps = (fill(gate_text + "({}*({} + {}) + {})", u, n_in, u, u) if bias
                  else fill(gate_text + "{}*({} + {})", u, n_in, u))
            pnote = {"SimpleRNN": "input weights, recurrent weights and a bias for each unit",
                     "LSTM": "four blocks (input, forget, cell candidate, output), each with input weights, "
                             "recurrent weights and biases",
                     "GRU": "three blocks (update, reset, candidate), each with input weights, "
                            "recurrent weights and biases"}[layer_type]
        out = (steps_, u) if cfg["return_sequences"] else (u,)
        # every time step's output (return sequences) or the last one's
        sf = "shape = (steps, units)" if cfg["return_sequences"] else "shape = (units,)"
        return Layer(layer_type, call.text, cfg, shape, out, tuple(weights), sf,
                     fill("{}", shape_text(out)), "", pf, ps, pnote)
    return rule


def _reshape(call, shape):
    where = f"layer {call.position} {quoted(call.text)}"
    if call.kwargs and not all(k in ("target_shape", "shape") for k, _ in call.kwargs):
        raise InputError(f"{where}: Reshape takes only the target shape, e.g. Reshape(4, 4, 16)")
    args = call.args or tuple(v for _, v in call.kwargs)
    if len(args) == 1 and isinstance(args[0], tuple):
        args = args[0]
    if not args:
        raise InputError(f"{where}: Reshape needs the target shape, e.g. Reshape(4, 4, 16)")
    dims = []
    for a in args:
        if isinstance(a, bool) or not isinstance(a, int) or (a < 1 and a != -1):
            raise InputError(f"{where}: target sizes must be positive whole numbers (or one -1), got {quoted(a)}")
        dims.append(a)
    total = math.prod(shape)
    if dims.count(-1) > 1:
        raise InputError(f"{where}: at most one size may be -1")
    if -1 in dims:
        known = math.prod(d for d in dims if d != -1)
        if total % known:
            raise InputError(f"{where}: {total} values cannot be reshaped to {tuple(dims)}")
        dims[dims.index(-1)] = total // known
    if math.prod(dims) != total:
        raise InputError(f"{where}: the input has {total} values {shape_text(shape)} but "
                         f"{shape_text(tuple(dims))} holds {math.prod(dims)}")
    out = tuple(dims)
    return Layer("Reshape", call.text, {"target_shape": out}, shape, out, (),
                 "shape = target shape (same number of values)",
                 fill("{} -> {}", shape_text(shape), shape_text(out)), "", "params = 0", "",
                 "reshaping only rearranges values")


LAYER_RULES = {
    "Dense": _dense,
    "Conv2D": _conv("Conv2D", 2),
    "Conv1D": _conv("Conv1D", 1),
    "DepthwiseConv2D": _conv("DepthwiseConv2D", 2),
    "SeparableConv2D": _conv("SeparableConv2D", 2),
    "MaxPooling2D": _pool("MaxPooling2D", 2),
    "AveragePooling2D": _pool("AveragePooling2D", 2),
    "MaxPooling1D": _pool("MaxPooling1D", 1),
    "AveragePooling1D": _pool("AveragePooling1D", 1),
    "GlobalAveragePooling2D": _global_pool("GlobalAveragePooling2D", 2),
    "GlobalMaxPooling2D": _global_pool("GlobalMaxPooling2D", 2),
    "GlobalAveragePooling1D": _global_pool("GlobalAveragePooling1D", 1),
    "GlobalMaxPooling1D": _global_pool("GlobalMaxPooling1D", 1),
    "Flatten": _flatten,
    "Dropout": _identity("Dropout", "dropout zeroes random inputs while training; nothing to learn"),
    "Activation": _identity("Activation", "an activation has nothing to learn"),
    "LeakyReLU": _identity("LeakyReLU", "an activation has nothing to learn"),
    "ReLU": _identity("ReLU", "an activation has nothing to learn"),
    "BatchNormalization": _batchnorm,
    "Embedding": _embedding,
    "SimpleRNN": _recurrent("SimpleRNN"),
    "LSTM": _recurrent("LSTM"),
    "GRU": _recurrent("GRU"),
    "Reshape": _reshape,
}
