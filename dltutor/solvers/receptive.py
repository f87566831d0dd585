"""The receptive field of a stack of convolution and pooling layers.

    k′ = d·(k − 1) + 1                    a dilated window covers d·(k − 1) + 1 inputs
    r_l   = r_(l−1) + (k′ − 1)·j_(l−1)     receptive field, in input pixels (r_0 = 1)
    j_l   = j_(l−1)·s                      jump: input pixels between neighbouring outputs (j_0 = 1)

(Araujo, Norris and Sim, "Computing receptive fields of convolutional neural
networks", Distill 2019.) Padding moves the field but does not change its size.
The spec is the grammar of ``solve params``; an ``Input`` is optional. Checked
against PyTorch: the input pixels that receive a gradient from one output unit
(tests/reference/record_breadth.py).
"""

from __future__ import annotations

from dltutor.errors import InputError
from dltutor.solution import Filled, Solution, Step, Table
from dltutor.solvers.registry import Option, plain_text, register

WINDOWS = {"Conv1D": 1, "Conv2D": 2, "DepthwiseConv2D": 2, "SeparableConv2D": 2, "MaxPooling1D": 1,
           "AveragePooling1D": 1, "MaxPooling2D": 2, "AveragePooling2D": 2}
# no window of their own: the field keeps its size (padding and cropping only shift it)
PASS_THROUGH = {"Activation", "ReLU", "LeakyReLU", "BatchNormalization", "Dropout", "LayerNormalization",
                "ZeroPadding1D", "ZeroPadding2D", "Cropping1D", "Cropping2D"}
UPSAMPLING = {"UpSampling1D", "UpSampling2D", "Conv1DTranspose", "Conv2DTranspose"}


def _window(call, layer_type: str, spatial: int):
    """Kernel, stride and dilation per axis of a sliding-window layer."""
    from dltutor.modelspec import bind
    from dltutor.modelspec.layers import pair, single

    cfg = bind(call, layer_type)
    where = f"layer {call.position} {call.text!r}"
    axis = pair if spatial == 2 else single
    if "Pooling" in layer_type:
        k = axis(cfg["pool_size"], "pool_size", where)
        s = k if cfg.get("strides") is None else axis(cfg["strides"], "strides", where)
        d = (1,) * spatial
    else:
        k = axis(cfg["kernel_size"], "kernel_size", where)
        s = axis(cfg["strides"], "strides", where)
        d = axis(cfg.get("dilation_rate", 1), "dilation_rate", where)
    return k, s, d


def _shown(values: list[int], square: bool):
    return values[0] if square else list(values)


@register(
    "receptive-field", topic="cnn",
    summary="receptive field and jump of a stack of convolution and pooling layers",
    options=[Option("spec", plain_text, "the layers, as in solve params (Input optional)", required=True,
                    argument=True, metavar="SPEC")],
    examples=['"Conv2D(8,3) -> Conv2D(8,3) -> MaxPooling2D(2) -> Conv2D(16,3)"',
              '"Input(64,64,3) -> Conv2D(16,5,strides=2) -> Conv2D(32,3,dilation_rate=2)"',
              '"Conv1D(8,3) -> Conv1D(8,3,dilation_rate=2) -> Conv1D(8,3,dilation_rate=4)"'],
)
def receptive_field(spec: str) -> Solution:
    """Receptive field r (input pixels seen by one output unit, per axis) and jump j (input
    pixels between neighbouring outputs) after each sliding-window layer of the spec."""
    from dltutor.modelspec import TYPES, parse_spec

    calls = parse_spec(spec)
    spatial = None
    r: list[int] = []
    j: list[int] = []
    steps: list[Step] = []
    rows = []
    stopped = ""
    for call in calls:
        layer_type = TYPES.get(call.name.lower())
        if layer_type is None:
            raise InputError(f"unknown layer {call.name!r} (layer {call.position})")
        if layer_type == "Input":
            if call.position != 1:
                raise InputError(f"layer {call.position} {call.text!r}: Input may only be the first layer")
            continue
        if layer_type in PASS_THROUGH:
            continue
        if layer_type in UPSAMPLING:
            raise InputError(f"layer {call.position} {call.text!r} makes the map larger: a jump below one "
                             f"input pixel is outside this formula (it covers convolution and pooling layers)")
        if layer_type not in WINDOWS:
            stopped = (f"{call.text} (layer {call.position}) combines every position, so from there on "
                       f"each unit sees the whole input; the field is the one before it")
            break
        if spatial is None:
            spatial = WINDOWS[layer_type]
            r, j = [1] * spatial, [1] * spatial
        elif WINDOWS[layer_type] != spatial:
            raise InputError(f"layer {call.position} {call.text!r} is {WINDOWS[layer_type]}-D but the layers "
                             f"before it are {spatial}-D")
        k, s, d = _window(call, layer_type, spatial)
        keff = [dd * (kk - 1) + 1 for kk, dd in zip(k, d)]
        new_r = [rr + (ke - 1) * jj for rr, ke, jj in zip(r, keff, j)]
        new_j = [jj * ss for jj, ss in zip(j, s)]
        square = len(set(new_r)) == 1 and len(set(new_j)) == 1 and len(set(keff)) == 1
        ax = 0
        dil = f"k_prime = {d[ax]}*({k[ax]} - 1) + 1 = {keff[ax]}; " if d[ax] > 1 else ""
        steps.append(Step(f"Layer {call.position}: {call.text}", "r = r_prev + (k_prime - 1)*j_prev, j = j_prev*s",
                          Filled(dil + "r = {} + ({} - 1)*{}, j = {}*{}", (r[ax], keff[ax], j[ax], j[ax], s[ax]))
                          if square else Filled("; ".join(
                              f"axis {a + 1}: r = {{}} + ({{}} - 1)*{{}}, j = {{}}*{{}}" for a in range(spatial)),
                              tuple(v for a in range(spatial) for v in (r[a], keff[a], j[a], j[a], s[a]))),
                          [_shown(new_r, square), _shown(new_j, square)]))
        r, j = new_r, new_j
        rows.append((call.position, call.text, _shown(r, square), _shown(j, square)))
    if spatial is None:
        raise InputError("the spec has no convolution or pooling layer, so there is no receptive field to "
                         "compute (e.g. \"Conv2D(8,3) -> MaxPooling2D(2) -> Conv2D(16,3)\")")
    square = len(set(r)) == 1 and len(set(j)) == 1
    answer = {"receptive_field": _shown(r, square), "jump": _shown(j, square)}
    steps.append(Step("Receptive field of the last layer", "r_L, j_L", "", [answer["receptive_field"],
                                                                            answer["jump"]],
                      note=stopped or "padding shifts the field but does not change its size",
                      table=Table(("layer", "", "r", "j"), tuple(rows))))
    return Solution("receptive-field", {"spec": spec}, answer, tuple(steps))
