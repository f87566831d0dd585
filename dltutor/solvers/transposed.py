"""Output size of a transposed convolution, ``solve conv-output --transposed``:

    o = (i − 1)·s − 2·p + d·(k − 1) + a + 1      PyTorch's ConvTranspose (numeric padding p, output_padding a);
                                                  without dilation: o = (i − 1)·s − 2·p + k + a
    'same' (Keras Conv2DTranspose): o = i·s, or (i − 1)·s + k′ − 2·⌊k′/2⌋ + a (k′ = d·(k − 1) + 1) with output_padding a

A transposed convolution maps a size back to the one a convolution with the same kernel,
stride and padding would have shrunk from; several sizes shrink to the same one, and a
(``output_padding``) picks among them. Checked against torch.nn.ConvTranspose2d and keras
Conv2DTranspose (tests/reference/record_breadth.py).
"""

from __future__ import annotations

from dltutor import values
from dltutor.errors import InputError
from dltutor.modelspec.windows import transposed_output_size
from dltutor.solution import Solution, Step, fill


def transposed_length(n: int, k: int, s: int, padding: int | str, d: int, a: int | None,
                      dim: str = "") -> tuple[int, list[Step]]:
    where = f" ({dim})" if dim else ""
    keff = d * (k - 1) + 1
    if padding == "same":
        out = transposed_output_size(n, k, s, "same", a, d)
        if a is None:
            step = Step(f"Output size{where}, 'same' padding", "out = n*s", fill("{}*{}", n, s), out,
                        note="Keras's Conv2DTranspose with padding='same': the stride multiplies the size")
        else:
            pad = keff // 2
            step = Step(f"Output size{where}, 'same' padding", "out = (n - 1)*s + k_prime - 2*floor(k_prime/2) + a",
                        fill("({} - 1)*{} + {} - 2*{} + {}", n, s, keff, pad, a), out)
    else:
        p = 0 if padding == "valid" else int(padding)
        a = a or 0
        out = (n - 1) * s - 2 * p + d * (k - 1) + a + 1
        if d == 1:
            step = Step(f"Output size{where}", "out = (n - 1)*s - 2*p + k + a",
                        fill("({} - 1)*{} - 2*{} + {} + {}", n, s, p, k, a), out)
        else:
            step = Step(f"Output size{where}", "out = (n - 1)*s - 2*p + d*(k - 1) + a + 1",
                        fill("({} - 1)*{} - 2*{} + {}*({} - 1) + {} + 1", n, s, p, d, k, a), out)
    if out < 1:
        raise InputError(f"the transposed convolution has no output{where}: (n - 1)*s - 2*p + d*(k - 1) + a + 1 "
                         f"= {out}; use less --padding")
    return out, [step]


def transposed_solution(inputs: dict, size: values.Size, k: int, s: int, padding: int | str, d: int,
                        a: int | None) -> Solution:
    if a is not None and a >= s and a >= d:
        raise InputError(f"--output-padding {a} must be smaller than the stride {s} (or the dilation {d}): "
                         f"it picks one of the s sizes a convolution shrinks to the same output")
    if size.square:
        answer, steps = transposed_length(size.h, k, s, padding, d, a)
    else:
        out_h, steps_h = transposed_length(size.h, k, s, padding, d, a, "height")
        out_w, steps_w = transposed_length(size.w, k, s, padding, d, a, "width")
        steps = steps_h + steps_w + [Step("Output size", "out = H_out × W_out", fill("{} × {}", out_h, out_w),
                                          [out_h, out_w])]
        answer = [out_h, out_w]
    return Solution("conv-output", inputs, answer, tuple(steps))
