"""Wrappers and the layers of sequence models, Keras's rules (shapes without the batch):

    Bidirectional(layer, merge_mode=concat)  a forward and a backward copy of a recurrent layer:
        params = 2·params(layer); last size ×2 for concat, unchanged for sum, mul, ave
    TimeDistributed(layer)                   the layer applied to every time step:
        (T, ...) → (T, layer's output), params = params(layer)
    LayerNormalization                       params = 2·C (gamma, beta, all trainable; C: the sizes of
                                             the normalized axes, the last one by default)
    MultiHeadAttention(num_heads, key_dim, value_dim=key_dim)   self-attention in a sequential spec:
        query, key: E·h·key_dim + h·key_dim each; value: E·h·value_dim + h·value_dim;
        output: h·value_dim·E + E                (E = the input's last size; biases with use_bias)
"""

from __future__ import annotations

from dataclasses import replace

from dltutor.errors import InputError
from dltutor.modelspec.grammar import LayerCall, quoted
from dltutor.modelspec.layers import Layer, Weight, bind, shape_text, whole_number
from dltutor.solution import fill

MERGE_MODES = ("concat", "sum", "mul", "ave")
RECURRENT = ("SimpleRNN", "LSTM", "GRU")


def _where(call) -> str:
    return f"layer {call.position} {quoted(call.text)}"


def _inner(call: LayerCall, wrapper: str) -> LayerCall:
    """The wrapped layer: the first positional argument (or layer=...)."""
    inner = call.args[0] if call.args else dict(call.kwargs).get("layer")
    if not isinstance(inner, LayerCall):
        raise InputError(f"{_where(call)}: {wrapper} wraps a layer, e.g. {wrapper}(LSTM(16))"
                         + (f"; got {quoted(inner)}" if inner is not None else ""))
    return replace(inner, position=call.position)


def _bidirectional(call, shape, rule_for):
    where = _where(call)
    inner = _inner(call, "Bidirectional")
    extra = [k for k, _ in call.kwargs if k not in ("layer", "merge_mode")] + (
        ["(a second positional argument)"] if len(call.args) > 1 else [])
    if extra:
        raise InputError(f"{where}: Bidirectional takes the layer and merge_mode, not {extra[0]}")
    merge = dict(call.kwargs).get("merge_mode", "concat")
    if merge not in MERGE_MODES:
        raise InputError(f"{where}: merge_mode must be one of {', '.join(MERGE_MODES)}, got {quoted(merge)}")
    one = rule_for(inner)(inner, shape)
    if one.type not in RECURRENT:
        raise InputError(f"{where}: Bidirectional wraps a recurrent layer (SimpleRNN, LSTM, GRU), "
                         f"not {quoted(inner.name)}")
    out = one.output_shape
    if merge == "concat":
        out = out[:-1] + (2 * out[-1],)
    weights = tuple(replace(w, name=f"forward_{w.name}") for w in one.weights) + tuple(
        replace(w, name=f"backward_{w.name}") for w in one.weights)
    sf = ("shape = the layer's, last size doubled (concat)" if merge == "concat"
          else f"shape = the layer's ({merge} of the two directions)")
    return Layer("Bidirectional", call.text, {"layer": one.config, "merge_mode": merge, "inner": one.type},
                 shape, out, weights, sf, fill("{} -> {}", shape_text(one.output_shape), shape_text(out)),
                 one.shape_note, "params = 2*params(layer)", fill("2*({})", one.params_substituted or one.params),
                 f"a forward and a backward {one.type}, each with its own weights: {one.params_note}", wrapped=one)


def _time_distributed(call, shape, rule_for):
    where = _where(call)
    inner = _inner(call, "TimeDistributed")
    if len(shape) < 2:
        raise InputError(f"{where}: TimeDistributed needs an input with a time axis, (steps, ...), "
                         f"but gets {shape_text(shape)}")
    one = rule_for(inner)(inner, shape[1:])
    out = (shape[0],) + one.output_shape
    return Layer("TimeDistributed", call.text, {"layer": one.config, "inner": one.type}, shape, out, one.weights,
                 "shape = (steps,) + the layer's output for one step",
                 fill("({},) + {} = {}", shape[0], shape_text(one.output_shape), shape_text(out)), one.shape_note,
                 one.params_formula, one.params_substituted,
                 f"the same weights at every time step: {one.params_note}" if one.params_note else
                 "the same weights at every time step", wrapped=one)


def layer_norm_axes(axis, rank: int, where: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """LayerNormalization's ``axis`` (an int or a tuple, as Keras takes it; axes of the batched tensor
    of rank ``rank``) as (the normalized axes, positive and in order; the axes of gamma/beta in
    Keras's order). Keras sorts the axes as written, so (1, −1) gives gamma the shape
    (C, H) while the layer lays it over the axes in order (a reshape, as Keras's
    ``ops.layer_normalization`` broadcasts it). InputError for the batch axis, an axis out of range,
    a repeated axis or a value that is not a whole number."""
    written = axis if isinstance(axis, tuple) else (axis,)
    if not written:
        raise InputError(f"{where}: axis needs at least one axis, e.g. axis=-1")
    out = []
    for a in written:
        if isinstance(a, bool) or not isinstance(a, int):
            raise InputError(f"{where}: axis must be a whole number or a tuple of them, got {quoted(axis)}")
        if not -rank < a < rank or a == 0:
            raise InputError(f"{where}: axis {a} is not a feature axis of an input of rank {rank} with the batch "
                             f"(use 1 to {rank - 1}, or -1 to -{rank - 1})")
        out.append(a % rank)
    if len(set(out)) != len(out):
        raise InputError(f"{where}: axis {quoted(axis)} names the same axis twice")
    return tuple(sorted(out)), tuple(a % rank for a in sorted(written))


def _layer_norm(call, shape):
    cfg = bind(call, "LayerNormalization")
    _, weight_axes = layer_norm_axes(cfg["axis"], len(shape) + 1, _where(call))
    sizes = tuple(shape[a - 1] for a in weight_axes)
    weights = []
    if cfg.get("scale", True):
        weights.append(Weight("gamma", sizes))
    if cfg.get("center", True):
        weights.append(Weight("beta", sizes))
    n = len(weights)
    c = "*".join(str(d) for d in sizes)
    return Layer("LayerNormalization", call.text, cfg, shape, shape, tuple(weights), "shape = input shape",
                 fill("{}", shape_text(shape)), "", f"params = {n}*C" if n else "params = 0",
                 fill(f"{n}*{{}}", c) if n else "",
                 "one scale (gamma) and one shift (beta) per feature, all trainable: unlike batch "
                 "normalization there are no moving statistics"
                 + ("" if weight_axes == (len(shape),) else f"; C = {c}, the sizes of the normalized axes"))


def _mha(call, shape):
    cfg = bind(call, "MultiHeadAttention")
    where = _where(call)
    h = whole_number(cfg["num_heads"], "num_heads", where)
    kd = whole_number(cfg["key_dim"], "key_dim", where)
    vd = kd if cfg.get("value_dim") is None else whole_number(cfg["value_dim"], "value_dim", where)
    if len(shape) < 2:
        raise InputError(f"{where}: MultiHeadAttention needs a sequence (steps, features), got {shape_text(shape)}")
    rate = cfg["dropout"]
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate < 1:
        raise InputError(f"{where}: dropout must be a number from 0 up to (not including) 1, got {quoted(rate)}")
    e = shape[-1]
    bias = cfg["use_bias"]
    weights = []
    for name, dim in (("query", kd), ("key", kd), ("value", vd)):
        weights.append(Weight(f"{name}_kernel", (e, h, dim)))
        if bias:
            weights.append(Weight(f"{name}_bias", (h, dim)))
    weights.append(Weight("output_kernel", (h, vd, e)))
    if bias:
        weights.append(Weight("output_bias", (e,)))
    if bias:
        pf = "params = 2*(E*h*key_dim + h*key_dim) + (E*h*value_dim + h*value_dim) + (h*value_dim*E + E)"
        ps = fill("2*({}*{}*{} + {}*{}) + ({}*{}*{} + {}*{}) + ({}*{}*{} + {})",
                  e, h, kd, h, kd, e, h, vd, h, vd, h, vd, e, e)
    else:
        pf = "params = 2*E*h*key_dim + E*h*value_dim + h*value_dim*E"
        ps = fill("2*{}*{}*{} + {}*{}*{} + {}*{}*{}", e, h, kd, e, h, vd, h, vd, e)
    return Layer("MultiHeadAttention", call.text, cfg, shape, shape, tuple(weights), "shape = input shape",
                 fill("{}", shape_text(shape)),
                 "self-attention: the sequence is the query, the key and the value", pf, ps,
                 "projections of the query, key and value per head, and the output projection back to E")


# wrappers take a third argument, rule_for(call): the rule of the wrapped layer
WRAPPER_RULES = {"Bidirectional": _bidirectional, "TimeDistributed": _time_distributed}
RULES = {
    "LayerNormalization": _layer_norm,
    "MultiHeadAttention": _mha,
}
# wrappers bind their own arguments (the first one is a layer); the others use the layer table
SIGNATURES = {
    "LayerNormalization": (),
    "MultiHeadAttention": ("num_heads", "key_dim"),
}
EXTRA_KEYWORDS = {
    "LayerNormalization": ("axis", "epsilon", "center", "scale"),
    "MultiHeadAttention": ("value_dim", "use_bias", "dropout", "output_shape", "attention_axes"),
}
DEFAULTS = {
    "LayerNormalization": {"axis": -1, "epsilon": 0.001, "center": True, "scale": True},
    "MultiHeadAttention": {"value_dim": None, "use_bias": True, "dropout": 0.0, "output_shape": None},
}
