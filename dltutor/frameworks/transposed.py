"""Keras's transposed convolutions in PyTorch's terms: the arguments of nn.ConvTranspose1d/2d.

Both frameworks first spread every input cell over its window, a full output of (n − 1)·s + k′
cells per axis (k′ = d·(k − 1) + 1), then cut it:

    PyTorch  p cells before, p − output_padding after (padding p; 0 ≤ output_padding < max(s, d))
    Keras    (before, after) = ``dltutor.modelspec.windows.transposed_cuts``

An axis where 0 ≤ before − after < max(s, d) is padding=before, output_padding=before − after.
Any other axis (Keras's 'same' with an odd total, e.g. k = 3, s = 2: Keras cuts the last cell,
PyTorch's padding=1, output_padding=1 would cut the first) is left uncut by the module and a
slice of the output keeps Keras's cells. A negative cut there (zeros to add) has no such code
and is refused; the model spec's rules (output_padding < s) never lead to one.
"""

from __future__ import annotations

from dltutor.errors import InputError
from dltutor.modelspec.windows import transposed_cuts


def arguments(layer) -> tuple[list[str], str | None]:
    """(nn.ConvTranspose keyword arguments after kernel_size, e.g. ["stride=(2, 2)", "padding=(1, 1)"],
    the index that keeps Keras's cells of the output, e.g. "0:8, 0:8", or None)."""
    cfg = layer.config
    k, s, d = (tuple(cfg[key]) for key in ("kernel_size", "strides", "dilation_rate"))
    dims = len(k)
    a = cfg.get("output_padding") or (None,) * dims
    cuts = [transposed_cuts(*axis) for axis in zip(k, s, (cfg["padding"],) * dims, a, d)]
    native = [0 <= b - e < max(si, di) for (b, e), si, di in zip(cuts, s, d)]
    if any(e < 0 for (_, e), ok in zip(cuts, native) if not ok):     # a slice cannot add zeros
        raise InputError(f"{layer.label}: no exact PyTorch code for these cuts of the output {cuts}")
    pads = [(b, b - e) if ok else (0, 0) for (b, e), ok in zip(cuts, native)]
    pick = (lambda t: t[0]) if dims == 1 else tuple
    args = [f"{name}={pick(v)}" for name, v, default in (
        ("stride", s, 1), ("dilation", d, 1), ("padding", [p for p, _ in pads], 0),
        ("output_padding", [o for _, o in pads], 0)) if any(x != default for x in v)]
    if not cfg.get("use_bias", True):
        args.append("bias=False")
    if all(native):
        return args, None
    keep = [":" if ok else f"{b}:{b + n}" for (b, _), ok, n in zip(cuts, native, layer.output_shape[:-1])]
    return args, ", ".join(keep)
