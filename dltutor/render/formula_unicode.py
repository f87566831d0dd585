"""Formulas and names as plain Unicode mathematics, for the terminal and for prose.

``h_tilde_1`` → h̃₁, ``x**2 + 10*y**2`` → x² + 10·y², ``Sum(dL/dw, (t, 1, T))`` → ∑ₜ₌₁ᵀ ∂L/∂w,
``KroneckerDelta(i, j)`` → δᵢⱼ: the walk of ``render/formula_walk.py`` printed with
Unicode sub- and superscripts where every character has one (``W_h`` keeps ``_h`` only
when a letter has no subscript form, as ``b_z``). ``prose`` applies it to the names and
little formulas inside a sentence (a step's title, a note, a table's column), so the
words stay words and the symbols read as mathematics.
"""

from __future__ import annotations

import re

from dltutor.render.formula_walk import Printer, split_exponent

SUB = dict(zip("0123456789+-−=()aehijklmnoprstuvxβγρφχ",
               "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ"))
SUP = dict(zip("0123456789+-−=()abcdefghijklmnoprstuvwxyzT",
               "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᵀ"))
_ACCENT = {"hat": "\u0302", "tilde": "\u0303", "bar": "\u0304", "prime": "′"}
_INFIX = {"odot": "⊙", "convolve": "⊛", "star": "⋆"}


def subscript(text: str) -> str:
    """``t-1`` → ₜ₋₁; text with a character that has no subscript form → ``_t`` or ``_(text)``."""
    plain = text.replace(" ", "")
    if plain and all(ch in SUB or ch == "," for ch in plain):
        return "".join(SUB.get(ch, ch) for ch in plain)                 # h₂,₁: the comma kept
    return "_" + (text if re.fullmatch(r"[A-Za-z0-9]+", text) else f"({text})")      # d_model, x_(i+1)


def superscript(text: str) -> str:
    plain = text.replace(" ", "")
    if plain and all(ch in SUP for ch in plain):
        return "".join(SUP[ch] for ch in plain)
    return "^" + (text if re.fullmatch(r"\w+", text) else f"({text})")


class UnicodePrinter(Printer):
    def doprint(self, text: str) -> str:
        return uniform_subscripts(super().doprint(text))

    def strict(self, text: str) -> str:
        return uniform_subscripts(super().strict(text))
    def verbatim(self, text):
        return text

    def equals(self, sides):
        return " = ".join(sides)

    def number(self, text):
        mantissa, exp = split_exponent(text)
        mantissa = mantissa.replace("-", "−")
        if exp is None:
            return mantissa
        power = "10" + superscript(str(exp))
        return power if mantissa == "1" else f"{mantissa}·{power}"

    def symbol(self, base, sub, accent="", sub_math="", sup=""):
        if accent:
            base = base + _ACCENT[accent]
        if sup:                                          # w⁽²⁾₁₁: the layer index before the subscript
            base = base + superscript(f"({sup})")
        if sub_math:
            return base + subscript(sub_math)
        head, _, tail = sub.partition(",")
        if tail == "new" or sub == "new":                # w5_new → w₅ⁿᵉʷ
            return base + (subscript(head) if tail else "") + "ⁿᵉʷ"
        return base + (subscript(sub) if sub else "")

    def statements(self, parts):
        return ",  ".join(parts)

    def assign(self, target, rule):
        return f"{target} ← {rule}"

    def dots(self):
        return "…"

    def neg(self, x):
        return "−" + x

    def parens(self, x):
        return f"({x})"

    def brackets(self, x):
        return f"[{x}]"

    def print_List(self, n):
        """A list of rows of equal length is a matrix: [a, b; c, d], not [[a, b], [c, d]]."""
        import ast

        rows = n.elts
        if rows and all(isinstance(r, ast.List) for r in rows) and len({len(r.elts) for r in rows}) == 1:
            return "[" + "; ".join(", ".join(self.node(e) for e in r.elts) for r in rows) + "]"
        return super().print_List(n)

    def frac(self, a, b):
        """a/b, each side in parentheses only when it has an operator outside brackets and bars:
        ``exp(−z)/(1 + exp(−z))²``, not ``(exp(−z))/((1 + exp(−z))²)``."""
        def wrap(s: str) -> str:
            bare = s
            for pattern in (r"\([^()]*\)", r"\[[^\[\]]*\]", r"\|[^|]*\|", r"‖[^‖]*‖"):
                while re.search(pattern, bare):
                    bare = re.sub(pattern, "", bare)
            return f"({s})" if re.search(r"[ +−·/]", bare) else s
        return f"{wrap(a)}/{wrap(b)}"

    def power(self, a, b):
        return a + superscript(b)

    def times(self, a, b):
        if re.fullmatch(r"[\d.]+", a) and re.match(r"[A-Za-zα-ω]", b) and len(b) <= 3:
            return a + b                                   # 10y², not 10·y²
        return f"{a}·{b}"

    def binary(self, a, op, b):
        return f"{a} {op} {b}"

    def cases(self, rows):
        """The rows of a case distinction as the typeset faces' cases read: ``1 if z > 0, 0 otherwise``."""
        return ", ".join(f"{v} if {c}" if c is not None else f"{v} otherwise" for v, c in rows)

    def bigop(self, kind, index, lower, upper, body):
        sign = "∏" if kind == "product" else "∑"
        if lower is None:
            return sign + subscript(index) + " " + body
        return sign + subscript(f"{index}={lower}") + superscript(upper) + " " + body

    def infix(self, a, op, b):
        return f"{a} {_INFIX[op]} {b}"

    def transform(self, x, inverse):
        return "ℱ" + ("⁻¹" if inverse else "") + f"({x})"

    def juxtapose(self, items):
        return "".join(items)

    def derivative(self, expr, var, ordinary):
        d = "d" if ordinary else "∂"
        return f"{d}{expr}/{d}{var}"

    def derivative_of(self, expr, var, ordinary):
        d = "d" if ordinary else "∂"
        return f"{d}/{d}{var} {expr}"

    def call(self, name, args):
        inner = ", ".join(args)
        if name in ("floor", "ceil"):
            return ("⌊{}⌋" if name == "floor" else "⌈{}⌉").format(inner)
        if name in ("Abs", "abs"):
            return f"|{inner}|"
        if name == "Norm":
            return f"‖{inner}‖"
        if name == "sqrt":
            return f"√({inner})"
        if name in ("Sum", "sum"):
            return f"∑ {inner}"
        return ("σ" if name == "sigmoid" else name) + f"({inner})"

    def operator(self, name, sub, args):
        return name + (subscript(sub) if sub else "") + "(" + ", ".join(args) + ")"


def to_unicode(text: str) -> str:
    """A formula (sympy-syntax text) as Unicode mathematics; text that is no formula as it is."""
    return UnicodePrinter().doprint(text)


# a name with a subscript or an accent (h_tilde_1, x_t, h_(t-1), w_ij, net_o1), or a power (x**2)
_NAME = re.compile(r"(?<![\w.\\/])(?<!\w-)(?:[A-Za-zα-ω][\u0302\u0303]?\w*?(?:_\([^()\s]*\)|_[A-Za-z0-9]+)+(?:\*\*\d+)?"
                   r"|[A-Za-z]\w*\*\*\d+)(?!\()(?![^\W²³])")                  # h_t² is a name squared
# words of prose that look like names but are not (Keras's option names are reworded at their source)
_KEEP = re.compile(r"[a-z]{2,}_[a-z]{3,}(?:_\w+)?")


# a name with a layer index (w^(2)_11, W^(1), w^(2)[10,1]), or its derivative dE/dw^(2)_11
_LAYER_NAME = re.compile(r"(?<![\w.\\/-])(?:d[A-Z]/d)?(?!e\^)[A-Za-z]\w*?\^\((?:\d+|[A-Za-z])\)"
                         r"(?:_[A-Za-z0-9]+|\[\d+,\s?\d+\])?(?![A-Za-z0-9_(])")


def _name(match: re.Match) -> str:
    token = match.group(0)
    if _KEEP.fullmatch(token) and not token.endswith(("_tilde", "_hat")):
        return token
    try:
        return UnicodePrinter().strict(token.replace("_tilde_", "tilde_").replace("−", "-"))
    except ValueError:
        return token


def _brackets(text: str) -> str:
    """``floor(a/b) + 1`` → ``⌊a/b⌋ + 1`` (and ceil → ⌈ ⌉), at the matching parenthesis."""
    for name, (left, right) in {"floor": ("⌊", "⌋"), "ceil": ("⌈", "⌉")}.items():
        while (m := re.search(rf"\b{name}\(", text)):
            depth, end = 0, None
            for i in range(m.end() - 1, len(text)):
                depth += {"(": 1, ")": -1}.get(text[i], 0)
                if depth == 0:
                    end = i
                    break
            if end is None:
                break
            text = text[:m.start()] + left + text[m.end():end] + right + text[end + 1:]
    return text


# a script that Unicode has no characters for (h_T, W_f, net_(h₁,₁), 10000^(2i/d)), as ``prose``
# leaves it: the faces that can set scripts (HTML <sub>/<sup>, Typst #sub/#super, LaTeX and
# Markdown math) set it with ``with_scripts``; the terminal shows _ and ^, as plain-text
# mathematics writes them
LEFT_SCRIPT = re.compile(r"(?<![\w\\])([A-Za-zα-ωΑ-Ω]|net|\d+)([_^])(\([^()\s]+\)|[A-Za-z0-9]+)(?![\w])")


# the gates' weights and biases are named by letters, half of which have no subscript form
GATE_BASES = {"W", "b", "b′"}
_LETTER_SUB = {script: plain for plain, script in SUB.items() if plain.isalpha() and plain.isascii()}


def uniform_subscripts(text: str) -> str:
    """One spelling per family of names: where a letter has no subscript form (W_f), its
    siblings written with the same base lose theirs too, ``W_f, Wᵢ`` → ``W_f, W_i``; weights and
    biases (``GATE_BASES``) always, so that W_f, W_i, W_z, W_r read alike from step to step.
    Subscripts of digits and of more than one character (h₀, hₜ₋₁, Wᵢⱼ) stay as they are."""
    bases = set(re.findall(r"(?<![\w\\])([A-Za-z]′?)_[A-Za-z](?![\w(])", text)) | GATE_BASES
    letters = "".join(_LETTER_SUB)
    return re.sub(rf"(?<![\w\\])([A-Za-z]′?)([{letters}])(?![{letters}₀-₉₊₋₌₍₎A-Za-z0-9_])",
                  lambda m: f"{m.group(1)}_{_LETTER_SUB[m.group(2)]}" if m.group(1) in bases else m.group(0), text)


def with_scripts(text: str, plain, script) -> str:
    """``text`` with ``plain(piece)`` applied to the text and ``script(base, mark, script_text)`` to
    each script of ``LEFT_SCRIPT`` (mark "_" or "^"): ``h_T`` → script("h", "_", "T"),
    ``net_(h₁,₁)`` → script("net", "_", "h₁,₁"), ``10000^(2i/d)`` → script("10000", "^", "2i/d")."""
    out, at = [], 0
    for m in LEFT_SCRIPT.finditer(text):
        if m.group(2) == "_" and m.group(1).isdigit():
            continue                                     # 1_000 is not a subscript
        inner = m.group(3)[1:-1] if m.group(3).startswith("(") else m.group(3)
        out += [plain(text[at:m.start()]), script(m.group(1), m.group(2), inner)]
        at = m.end()
    out.append(plain(text[at:]))
    return "".join(out)


def prose(text: str) -> str:
    """A sentence with its names and little formulas as mathematics: ``candidate state h_tilde_1``
    → ``candidate state h̃₁``; ``r_1*h_0`` → ``r₁·h₀``; ``-0.5`` → ``−0.5`` (a true minus sign)."""
    if not text:
        return text
    out = re.sub(r"\((\d+),\)", r"(\1)", text)                          # a shape (10,) → (10)
    out = re.sub(r"_\{(\w+)\}", r"_\1", out)                              # h_{T} → h_T
    out = _brackets(out.replace(" -> ", " → "))
    out = re.sub(r"\bsqrt\(", "√(", out)                               # sqrt(v + ε) → √(v + ε)
    out = re.sub(r"\b([A-Z])(\d)\[(\d),\s?(\d)\]",                            # W1[2,1] → (W₁)₂₁, an entry
                 lambda m: f"({m.group(1)}{SUB[m.group(2)]}){SUB[m.group(3)]}{SUB[m.group(4)]}", out)
    out = _LAYER_NAME.sub(_name, out)                                    # w^(2)_11 → w⁽²⁾₁₁
    out = _NAME.sub(_name, out)
    out = re.sub(r"(?<![\w/])d([A-Z])/d([A-Za-z]\w*)\b", lambda m: f"∂{m.group(1)}/∂{to_unicode(m.group(2))}", out)  # dE/do
    out = re.sub(r"\bdelta = ", "δ = ", out)
    out = re.sub(r"(?<=[\w)])\*\*(\d+|\(-?\d+\))",
                 lambda m: superscript(m.group(1).strip("()").replace("-", "−")), out)   # (a - b)**2 → (a − b)²
    out = re.sub(r"(?<=[\w)]) - (?=[\w(])", " − ", out)                # 1 - z → 1 − z
    out = re.sub(r"\blr(?=\s*[·*]| = )", "η", out)                     # lr·e·x → η·e·x (the learning rate)
    out = re.sub(r"(?<![\w\\])([α-ω])(\d)(?![\d.])", lambda m: m.group(1) + SUB[m.group(2)], out)   # β2 → β₂
    out = re.sub(r"(?<![\w\\.'’-])([a-z])(\d{1,2})(?![\w.(])",                                     # w5 → w₅, x1 → x₁
                 lambda m: m.group(1) + "".join(SUB[d] for d in m.group(2)), out)
    out = re.sub(r"(?<=[\w)])\^(\w+|\(-?\w+\))",
                 lambda m: superscript(m.group(1).strip("()").replace("-", "−")), out)      # β2^t → β2ᵗ
    out = re.sub(r"(?<![\w.])(\d+)\*(?=[A-Za-z])", lambda m: "" if m.group(1) == "1" else m.group(1),
                 out)                                                   # 2*x² → 2x², 1*x² → x²
    out = re.sub(r"(?<=[\w)\]₀-₉ₐ-ₜ²³])\*(?=[\w(\[−-])", "·", out)        # r₁*h₀ → r₁·h₀
    out = re.sub(r"(?<=[\d)]) x (?=[\d(])", " × ", out)                 # 1 x (1 + 1) → 1 × (1 + 1)
    out = re.sub(r"(?<=[\w)]) [−-] -(\d[\d.]*)", r" − (−\1)", out)         # a - -1 → a − (−1)
    out = re.sub(r"\blearning rate (?=-?\d)", "learning rate η = ", out)   # the symbol the rules use
    out = re.sub(r"(?<=[=(,]) -(?=[A-Za-z(√])", " −", out)              # = -exp(z) → = −exp(z)
    out = re.sub(r"(?<=[(\[])-(?=[A-Za-z(√])", "−", out)                   # exp(-z) → exp(−z)
    out = re.sub(r"(?<![\w'])([a-zσ])'(?=\()", r"\1′", out)                  # f'(net) → f′(net)
    out = re.sub(r"(?<![\w)\]])-(?=[a-zα-ω][₀-₉ₐ-ₜᵢ-ᵪ])", "−", out)         # and -sᵢ·sⱼ → and −sᵢ·sⱼ
    out = re.sub(r"(?<![\w.])(\d+(?:\.\d+)?)e([+\-−]?)(\d+)\b",                 # 8.04e-5 → 8.04×10⁻⁵
                 lambda m: f"{m.group(1)}×10{superscript(('−' if m.group(2) in ('-', '−') else '') + str(int(m.group(3))))}",
                 out)
    out = re.sub(r"(?<![\w.\-])-(?=\.?\d)", "−", out)                 # -0.5 → −0.5, not 2-2-2
    return uniform_subscripts(out)
