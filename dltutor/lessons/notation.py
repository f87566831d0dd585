"""The course's notation as sympy functions, for the ``math`` blocks of lessons.

``parse_math`` (``dltutor.lessons.mathblock``) turns these names of the math-block syntax
into the functions below; their ``_pretty`` methods say how the terminal shows
them (sympy's printers call ``_pretty``/``_latex`` on an object that has one):

=====================  ==============  ==========================================
math-block syntax      shown           meaning
=====================  ==============  ==========================================
``hadamard(a, b)``     a ⊙ b           element-wise (Hadamard) product
``conv(x, k)``         x ⊛ k           convolution (kernel flipped)
``cross_correlate(x, k)``  x ⋆ k       cross-correlation (what Conv2D computes)
``fourier(x)``         ℱ(x)            Fourier transform
``ifourier(X)``        ℱ⁻¹(X)          inverse Fourier transform
``Sum(a_k, k)``        ∑ₖ a_k          a sum over an index without written limits
=====================  ==============  ==========================================

The typeset exports (LaTeX, Typst, MathML) read the same names in
``render/formula_walk.py``. This module imports sympy at the top: import it
only inside the functions that need it.
"""

from __future__ import annotations

import sympy
from sympy.printing.pretty.stringpict import prettyForm, stringPict


def _operand(printer, arg):
    form = printer._print(arg)
    if arg.is_Add or isinstance(arg, Infix) or (arg.is_Mul and arg.could_extract_minus_sign()):
        form = prettyForm(*form.parens())
    return form


class Infix(sympy.Function):
    """A binary operator written between its operands (``a ⊙ b``); never evaluated."""

    symbol = "?"
    latex_symbol = "?"

    @classmethod
    def eval(cls, *args):
        return None

    def _pretty(self, printer):
        forms = [_operand(printer, a) for a in self.args]
        out = forms[0]
        for form in forms[1:]:
            out = prettyForm(*stringPict.next(out, f" {self.symbol} ", form))
        out.binding = prettyForm.MUL
        return out

    def _latex(self, printer):
        parts = []
        for a in self.args:
            text = printer._print(a)
            parts.append(r"\left(" + text + r"\right)" if a.is_Add or isinstance(a, Infix) else text)
        return f" {self.latex_symbol} ".join(parts)


class Hadamard(Infix):
    """Element-wise product of two equally shaped arrays: (a ⊙ b)ᵢ = aᵢ·bᵢ."""

    nargs = 2
    symbol = "⊙"
    latex_symbol = r"\odot"


class Convolution(Infix):
    """Convolution (x ⊛ k)(n) = Σₘ x(m)·k(n − m): the kernel is flipped."""

    nargs = 2
    symbol = "⊛"
    latex_symbol = r"\circledast"


class CrossCorrelation(Infix):
    """Cross-correlation (x ⋆ k)(n) = Σₘ x(n + m)·k(m): what Keras's Conv2D computes."""

    nargs = 2
    symbol = "⋆"
    latex_symbol = r"\star"


class Fourier(sympy.Function):
    """The (discrete) Fourier transform ℱ(x)."""

    nargs = 1
    head = "ℱ"
    latex_head = r"\mathcal{F}"

    @classmethod
    def eval(cls, *args):
        return None

    def _pretty(self, printer):
        form = prettyForm(*printer._print(self.args[0]).parens())
        return prettyForm(*form.left(self.head), binding=prettyForm.FUNC)

    def _latex(self, printer):
        return self.latex_head + r"\left(" + printer._print(self.args[0]) + r"\right)"


class InverseFourier(Fourier):
    """The inverse transform ℱ⁻¹(X)."""

    head = "ℱ⁻¹"
    latex_head = r"\mathcal{F}^{-1}"


class IndexSum(sympy.Function):
    """``Sum(body, k)``: a sum over the index k whose range is understood (∑ₖ body)."""

    nargs = 2

    @classmethod
    def eval(cls, *args):
        return None

    def _pretty(self, printer):
        sign = prettyForm(*prettyForm("∑").below(printer._print(self.args[1])))
        sign.baseline = 0
        body = _operand(printer, self.args[0])
        return prettyForm(*stringPict.next(sign, " ", body), binding=prettyForm.MUL)

    def _latex(self, printer):
        return r"\sum_{" + printer._print(self.args[1]) + "} " + printer._print(self.args[0])


class CompareChain(sympy.Function):
    """``a < b <= c``: operands and operator symbols alternating (sympy has no chained
    comparison that prints as one); also an update ``w ← w − η·g``."""

    @classmethod
    def eval(cls, *args):
        return None

    def _pretty(self, printer):
        out = None
        for i, arg in enumerate(self.args):
            form = prettyForm(f" {arg.name} ") if i % 2 else printer._print(arg)
            out = form if out is None else prettyForm(*stringPict.next(out, form))
        return out

    def _latex(self, printer):
        ops = {"<": "<", ">": ">", "≤": r"\le", "≥": r"\ge", "←": r"\leftarrow"}
        return " ".join(ops[a.name] if i % 2 else printer._print(a) for i, a in enumerate(self.args))


class LayerSymbol(sympy.Symbol):
    """A name shown as the calculator writes it, where sympy's printers would not: one with a layer
    index, ``w^(2)_11`` (w⁽²⁾₁₁, w⁽ˡ⁾ᵢⱼ), and a gate's weight or bias, ``W_x`` (W_x, as W_f)."""

    def _pretty(self, printer):
        from dltutor.render.formula_unicode import to_unicode

        return prettyForm(to_unicode(self.name))

    def _latex(self, printer):
        from dltutor.render.formula import to_latex

        return to_latex(self.name)


COMPARE_SIGNS = {"GtE": "≥", "LtE": "≤", "Gt": ">", "Lt": "<"}

NOTATION = {"hadamard": Hadamard, "conv": Convolution, "cross_correlate": CrossCorrelation,
            "fourier": Fourier, "ifourier": InverseFourier}
DOTS = sympy.Symbol("…")          # `...` or `cdots` in a product: d_1*d_2*...*d_n
