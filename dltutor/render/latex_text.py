"""Text for pdflatex's text mode: special characters escaped, symbols and scripts as inline math.

Shared by the LaTeX document printer (``render/latex.py``) and the formula printer's verbatim
fallback (``render/formula.py``), so neither imports the other.
"""

from __future__ import annotations

import re

from dltutor.render.formula_unicode import SUB, SUP


def latex_escape(text: str) -> str:
    text = re.sub(r"([#$%&_{}])", r"\\\1", text.replace("\\", r"\textbackslash{}"))
    return text.replace("~", r"\textasciitilde{}").replace("^", r"\textasciicircum{}")


# Characters of the prompts and steps that pdflatex cannot take as they are (text mode).
TEXT_SYMBOLS = {
    "²": r"\textsuperscript{2}", "³": r"\textsuperscript{3}", "½": r"\textonehalf{}", "…": r"\ldots{}",
    "–": "--", "—": "---", "·": r"$\cdot$", "×": r"$\times$", "ᵀ": r"$^{\mathsf{T}}$", "←": r"$\leftarrow$",
    "→": r"$\rightarrow$", "∂": r"$\partial$", "∇": r"$\nabla$", "−": r"$-$", "√": r"$\surd$", "′": r"$^{\prime}$",
    "≠": r"$\neq$", "≥": r"$\geq$", "≤": r"$\leq$", "≈": r"$\approx$", "⊙": r"$\odot$", "Σ": r"$\Sigma$",
    "∑": r"$\sum$", "∞": r"$\infty$", "±": r"$\pm$", "⌊": r"$\lfloor$", "⌋": r"$\rfloor$",
    "⌈": r"$\lceil$", "⌉": r"$\rceil$", "α": r"$\alpha$", "β": r"$\beta$", "γ": r"$\gamma$",
    "δ": r"$\delta$", "ε": r"$\varepsilon$", "η": r"$\eta$", "θ": r"$\theta$", "λ": r"$\lambda$",
    "μ": r"$\mu$", "ρ": r"$\rho$", "σ": r"$\sigma$", "τ": r"$\tau$", "φ": r"$\phi$", "ω": r"$\omega$",
    "Δ": r"$\Delta$", "“": "``", "”": "''", "’": "'", "‘": "`",
}
_ACCENTS = {"\u0302": "hat", "\u0303": "tilde"}
# the sub- and superscripts of names in prose (h̃₁, hₜ₋₁, x²): math in text mode
_SUBS = {script: plain for plain, script in SUB.items() if plain != "−"}
_SUPS = {script: plain for plain, script in SUP.items() if plain != "−"}


def _scripts(text: str) -> str:
    """Runs of Unicode sub- and superscripts (hₜ₋₁, w₅ⁿᵉʷ, w⁽²⁾₁₁) as one math script each: $_{t-1}$,
    $^{(2)}_{11}$; a lone ² or ³ stays text (\\textsuperscript)."""
    subs, sups = "".join(_SUBS), "".join(_SUPS)

    def script(m: re.Match) -> str:
        if m.group(0) in ("²", "³"):
            return m.group(0)
        out = ""
        for run in (m.group(1, 2) if m.group(1) else m.group(3, 4)):
            if run:
                mark, plain = ("_", _SUBS) if run[0] in _SUBS else ("^", _SUPS)
                out += mark + "{" + "".join(plain[c] for c in run) + "}"
        return "$" + out + "$"

    return re.sub(f"([{subs}]+)([{sups}]*)|([{sups}]+)([{subs}]*)", script, text)


def _math_chars(text: str) -> str:
    """Text already inside math (a subscript): the symbols as math commands, without `$`."""
    return "".join(TEXT_SYMBOLS.get(ch, ch).strip("$") if ch in "−·×" else ch for ch in text)


def latex_text(text: str) -> str:
    """Plain text for pdflatex: special characters escaped, Greek and math symbols as math (``σ`` → ``$\\sigma$``).

    A combining accent on a letter becomes a math accent: ``h̃`` → ``$\\tilde{h}$``."""
    out = latex_escape(text)
    out = re.sub(r"(?<![\w\\])([A-Za-z])\\_([A-Za-z0-9]+|\([^()\s]*\))",                # h_T → $h_{T}$
                 lambda m: f"${m.group(1)}_{{{_math_chars(m.group(2).strip('()'))}}}$", out)
    out = re.sub(r"(?<![\w\\])(\d+|[A-Za-z])\\textasciicircum\{\}\(([^()\s]*)\)",     # 10000^(2i/d) → $10000^{2i/d}$
                 lambda m: f"${m.group(1)}^{{{_math_chars(m.group(2))}}}$", out)
    out = re.sub("(\\w)([\u0302\u0303])", lambda m: f"$\\{_ACCENTS[m.group(2)]}{{{m.group(1)}}}$", out)
    out = "".join(TEXT_SYMBOLS.get(ch, ch) for ch in _scripts(out))
    # `$a$$b$` would open display math: join into `$a{}b$` (the braces end a command such as \cdot)
    return re.sub(r"(?<!\\)\$\$", "{}", out)
