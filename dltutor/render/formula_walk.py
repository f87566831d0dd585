"""The walk of a formula's syntax tree, shared by the printers of ``render/formula.py``.

A formula is text such as ``out = floor((n + 2*p - k)/s) + 1``, the formula of
a worked step or a line of a lesson's ``math`` block. It is read by Python's
parser into a syntax tree (never evaluated) and printed by a printer per
target, one method per node type, like sympy's printers. The vocabulary is
that of the lessons (lessons/README.md): ``^`` or ``**`` for powers, Greek
names (``eta`` → η, ``delta_h1`` → δ with subscript h1, ``lamda`` → λ),
accents (``mhat`` → m̂, ``ctilde_t`` → c̃ₜ), subscript expressions
(``h_(t-1)``), ``Sum``/``Product`` with limits ``(i, 1, n)``, ``Piecewise``,
``Derivative`` (and ``dE/dw`` written as a quotient of d-names), ``Abs``,
``KroneckerDelta(i, j)`` (δᵢⱼ), a layer index as a parenthesised superscript
(``W^(1)`` W⁽¹⁾, ``w^(2)_11`` w⁽²⁾₁₁: ``^(`` one number or letter ``)`` right after a
name; a power is ``x^2``, ``x**2`` or ``e^(a + b)``), ``a <- b`` for an update
(a ← b), the operators of the course's notation
(``hadamard(a, b)`` a ⊙ b, ``conv(x, k)`` x ⊛ k, ``cross_correlate(x, k)``
x ⋆ k, ``fourier(x)`` ℱ(x), ``ifourier(X)`` ℱ⁻¹(X)), ``...`` or ``cdots`` for
an ellipsis, named functions (``ReLU(z)``, ``f(z)``, ``softmax_k(z)``) and
``[a, b]`` for a concatenated vector. Text that is not
an expression (``shape = input[:-1]``) falls back to verbatim text, so
nothing is ever lost.
"""

from __future__ import annotations

import ast
import re

from dltutor.values import format_number

GREEK = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "eta": "η", "theta": "θ",
         "sigma": "σ", "rho": "ρ", "eps": "ε", "epsilon": "ε", "mu": "μ", "lam": "λ", "lamda": "λ",
         "tau": "τ", "phi": "φ", "omega": "ω", "nabla": "∇", "kappa": "κ", "nu": "ν", "xi": "ξ",
         "psi": "ψ", "zeta": "ζ", "Delta": "Δ", "Sigma": "Σ", "Theta": "Θ", "Phi": "Φ", "Omega": "Ω"}
LATEX_GREEK = {"ε": r"\varepsilon", "∇": r"\nabla"}
ACCENTS = ("hat", "tilde", "bar", "prime")   # k_prime → k′ (a dilated kernel's span)
FUNCTIONS = {"exp", "log", "ln", "sqrt", "sin", "cos", "tanh", "sigmoid", "floor", "ceil", "max", "min",
             "Abs", "abs", "Norm", "Sum", "sum"}
BIG_OPERATORS = {"Sum": "sum", "Product": "product"}
# binary operators written as calls: name -> the operator's key for the printers (⊙, ⊛, ⋆)
INFIX = {"hadamard": "odot", "conv": "convolve", "cross_correlate": "star"}
TRANSFORMS = {"fourier": False, "ifourier": True}      # name -> inverse?
_OPS = {ast.Add: "+", ast.Sub: "−", ast.Mult: "·"}
LATEX_OPS = {"−": "-", "≤": r"\le", "≥": r"\ge", "≠": r"\ne"}
_CMP = {ast.Eq: "=", ast.Lt: "<", ast.Gt: ">", ast.LtE: "≤", ast.GtE: "≥", ast.NotEq: "≠"}


def split_equation(text: str) -> list[str]:
    """``a = b = c`` → [a, b, c] (``==``, ``<=`` and ``>=`` are not split)."""
    return [part.strip() for part in re.split(r"(?<![=<>!])=(?!=)", text)]


def split_statements(text: str) -> list[str]:
    """``y = a + b,  e = t - y`` → two formulas: a comma at bracket depth 0 followed by
    ``name =`` starts a new statement (a worked step may state several updates at once)."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += ch in "([{"
        depth -= ch in ")]}"
        if ch == "," and depth == 0 and re.match(r"\s*[A-Za-z_]\w*\s*=(?!=)", text[i + 1:]):
            parts.append(text[start:i])
            start = i + 1
    return [p.strip() for p in parts + [text[start:]]]


def split_exponent(text: str) -> tuple[str, int | None]:
    """``1e-07`` → ("1", -7); ``0.5`` → ("0.5", None)."""
    if "e" not in text.lower():
        return text, None
    mantissa, exp = text.lower().split("e")
    return mantissa, int(exp)


# a name's parenthesised superscript, the layer index: w^(2)_11 is read as the name w_11__sup2
_SUPERSCRIPT = re.compile(r"(?<![\w.])(?!e\^)([A-Za-z]\w*?)\^\((\d+|[A-Za-z])\)((?:_[A-Za-z0-9]+)?)(?![A-Za-z0-9_(])")
SUP_MARK = "__sup"


_UP = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹ˡ", "0123456789l"))
_DOWN = dict(zip("₀₁₂₃₄₅₆₇₈₉ᵢⱼ", "0123456789ij"))
# the same name written in Unicode (a label such as W⁽¹⁾, w⁽²⁾₁₁)
_UNICODE_SUPERSCRIPT = re.compile(f"([A-Za-z])⁽([{''.join(_UP)}]+)⁾([{''.join(_DOWN)}]*)")


def mark_superscripts(text: str) -> str:
    """``w^(2)_11`` (or ``w⁽²⁾₁₁``) → ``w_11__sup2``, ``W^(1)`` → ``W__sup1``: a layer index written
    as a parenthesised superscript becomes part of the name, so Python's parser reads it
    (``split_superscript`` takes it off again)."""
    text = _UNICODE_SUPERSCRIPT.sub(lambda m: m.group(1) + "^(" + "".join(_UP[c] for c in m.group(2)) + ")"
                                    + ("_" + "".join(_DOWN[c] for c in m.group(3)) if m.group(3) else ""), text)
    return _SUPERSCRIPT.sub(lambda m: f"{m.group(1)}{m.group(3)}{SUP_MARK}{m.group(2)}", text)


def split_superscript(name: str) -> tuple[str, str]:
    """``w_11__sup2`` → ("w_11", "2"); a name without a superscript → (name, "")."""
    head, mark, sup = name.partition(SUP_MARK)
    return (head, sup) if mark and sup else (name, "")


def parse_side(text: str):
    try:
        return ast.parse(mark_superscripts(text).replace("^", "**"), mode="eval").body
    except SyntaxError:
        return None


def symbol_parts(name: str) -> tuple[str, str]:
    """``beta1`` → (β, 1); ``k_eff`` → (k, eff); ``w_h`` → (w, h); ``w5_new`` → (w, "5,new")."""
    base, _, sub = name.partition("_")
    m = re.fullmatch(r"([A-Za-z]+?)(\d+)", base)
    if m and len(m.group(1)) == 1 and re.fullmatch(r"\d+", sub):          # h2_1 → h with 2,1 (layer 2, unit 1)
        return GREEK.get(m.group(1), m.group(1)), m.group(2) + "," + sub
    if m and not sub:
        base, sub = m.group(1), m.group(2)
    elif m and len(m.group(1)) == 1 and re.fullmatch(r"[A-Za-z]+", sub):   # w5_new → w with 5,new
        return GREEK.get(m.group(1), m.group(1)), m.group(2) + "," + sub
    return GREEK.get(base, base), GREEK.get(sub, sub)


def split_accent(name: str) -> tuple[str, str]:
    """``mhat_t`` → ("m_t", "hat"); ``ctilde`` and ``c_tilde`` → ("c", "tilde")."""
    base, sep, sub = name.partition("_")
    head, _, rest = sub.partition("_")
    if head in ACCENTS and (len(base) == 1 or base in GREEK):      # c_tilde_1, h_tilde
        return base + ("_" + rest if rest else ""), head
    for accent in ACCENTS:
        stem = base[: -len(accent)]
        if base.endswith(accent) and (len(stem) == 1 or stem in GREEK):
            return stem + sep + sub, accent
    return name, ""


_D_NAME = re.compile(r"d((?:[A-Za-z]\d*|net|out|" + "|".join(GREEK) + r")(?:_\w+)?)")


def d_name(node) -> str | None:
    """``dE`` → "E", ``dw5`` → "w5", ``ds_i`` → "s_i": the quantity of a differential
    written as a name (so ``dE/dw5`` is read as a derivative); None for other names
    (``delta``, ``dense``)."""
    if not isinstance(node, ast.Name):
        return None
    match = _D_NAME.fullmatch(node.id)
    return match.group(1) if match else None


def is_ordinary_derivative(expr, var) -> bool:
    """d/dx (not ∂/∂x) when what is differentiated depends on the variable alone: a function
    of just that variable (``sigmoid(z)`` by z) or a lower-case one-letter quantity by a
    one-letter variable (``y`` by ``u``, the one-variable chain rule). Capitals such as a loss
    ``E`` depend on many weights: partial."""
    if not isinstance(var, ast.Name):
        return False
    if isinstance(expr, ast.Call):
        return all(isinstance(a, ast.Name) and a.id == var.id for a in expr.args) and bool(expr.args)
    return (isinstance(expr, ast.Name) and len(expr.id) == 1 and expr.id.islower()
            and len(var.id) == 1)


class Printer:
    """Walks a syntax tree; subclasses say how each node looks in their language."""

    def doprint(self, text: str) -> str:
        """The formula typeset, or verbatim text when it is not an expression."""
        try:
            return self.strict(text)
        except ValueError:
            return self.verbatim(text)

    def strict(self, text: str) -> str:
        """The formula typeset; ``ValueError`` when it is not an expression of the vocabulary."""
        parts = split_statements(text)
        if len(parts) > 1:
            return self.statements([self.equals(self.sides(p)) for p in parts])
        return self.equals(self.sides(text))

    def sides(self, text: str) -> list[str]:
        """Every side of ``a = b = c`` typeset (for aligning a block of formulas at '=')."""
        if "<-" in text:                      # w <- w - lr*g: one side, an update (w ← …)
            target, _, rule = text.partition("<-")
            left = self.sides(target)
            if len(left) != 1:
                raise ValueError(f"not an update: {text!r}")
            return [self.assign(left[0], self.equals(self.sides(rule)))]
        sides = [parse_side(s) for s in split_equation(text)]
        if not text.strip() or any(s is None for s in sides):
            raise ValueError(f"not an expression: {text!r}")
        try:
            return [self.node(s) for s in sides]
        except (TypeError, ValueError, KeyError) as exc:
            raise ValueError(f"{text!r}: {exc}") from None

    def node(self, n) -> str:
        method = getattr(self, "print_" + type(n).__name__, None)
        if method is None:
            raise TypeError(type(n).__name__)
        return method(n)

    def print_Constant(self, n):
        if n.value is Ellipsis:
            return self.dots()
        if isinstance(n.value, (str, bool)) or n.value is None:
            raise TypeError("constant")
        return self.number(format_number(n.value, None))

    def name(self, name: str) -> str:
        name, sup = split_superscript(name)   # w^(2)_11: w with superscript (2) and subscript 11
        if name == "lr":                      # the learning rate is η on every face (the option stays --lr)
            name = "eta"
        plain, accent = split_accent(name)
        base, sub = symbol_parts(plain)
        if "_" in sub:                        # net_h2_1: net with subscript h₂,₁ (a subscripted name)
            return self.symbol(base, "", accent, sub_math=self.name(sub), sup=sup)
        return self.symbol(base, sub, accent, sup=sup)

    def print_Name(self, n):
        return self.dots() if n.id == "cdots" else self.name(n.id)

    def print_UnaryOp(self, n):
        if isinstance(n.op, ast.USub):
            return self.neg(self.wrap(n.operand, add=True, signed=True))
        if isinstance(n.op, ast.UAdd):
            return self.node(n.operand)
        raise TypeError("unary")

    def wrap(self, n, *, add=False, mul=False, signed=False) -> str:
        """Parenthesize what the source's (now gone) parentheses held: sums inside products,
        and a negative number after an operator (``0.5·(−0.1)``, ``−(−2)``, ``a + (−2)·b``)."""
        product = isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mult)
        out = self.print_BinOp(n, signed=signed) if product else self.node(n)
        needs = isinstance(n, ast.BinOp) and isinstance(n.op, (ast.Add, ast.Sub)) and (add or mul)
        needs = needs or (isinstance(n, ast.IfExp) and (add or mul))
        needs = needs or (signed and isinstance(n, ast.UnaryOp) and isinstance(n.op, (ast.USub, ast.UAdd)))
        return self.parens(out) if needs else out

    def print_BinOp(self, n, signed=False):
        """``signed``: the node follows an operator, so a leading negative factor needs
        parentheses (``a + (−0.5)·b``)."""
        if isinstance(n.op, ast.Div):
            var = d_name(n.right)
            if var is not None and d_name(n.left) is not None:          # dE/dw5 → ∂E/∂w₅
                return self._d_quotient(d_name(n.left), var)
            if (var is not None and isinstance(n.left, ast.BinOp) and isinstance(n.left.op, ast.Mult)
                    and d_name(n.left.right) is not None):              # lr*dE/dw5 → lr·∂E/∂w₅
                return self.times(self.wrap(n.left.left, mul=True, signed=signed),
                                  self._d_quotient(d_name(n.left.right), var))
            return self.frac(self.node(n.left), self.node(n.right))
        if isinstance(n.op, ast.Pow):
            base = self.node(n.left)
            if isinstance(n.left, (ast.BinOp, ast.UnaryOp)) or (isinstance(n.left, ast.Name)
                                                                and split_superscript(n.left.id)[1]):
                base = self.parens(base)          # (h⁽¹⁾₁)², not h⁽¹⁾₁²
            return self.power(base, self.node(n.right))
        if isinstance(n.op, ast.Mult) and isinstance(n.left, ast.Name) and n.left.id == "nabla":
            return self.juxtapose([self.node(n.left), self.wrap(n.right, mul=True, signed=True)])   # ∇f, no product
        if isinstance(n.op, ast.Mult):
            return self.times(self.wrap(n.left, mul=True, signed=signed), self.wrap(n.right, mul=True, signed=True))
        if isinstance(n.op, (ast.Add, ast.Sub)):
            right = self.wrap(n.right, add=isinstance(n.op, ast.Sub), signed=True)
            return self.binary(self.node(n.left), _OPS[type(n.op)], right)
        raise TypeError("operator")

    def _d_quotient(self, expr: str, var: str) -> str:
        ordinary = len(expr) == 1 and expr.islower() and len(var) == 1
        return self.derivative(self.name(expr), self.name(var), ordinary)

    def print_Compare(self, n):
        out = self.node(n.left)
        for op, right in zip(n.ops, n.comparators):
            out = self.binary(out, _CMP[type(op)], self.node(right))
        return out

    def print_IfExp(self, n):
        return self.cases([(self.node(n.body), self.node(n.test)), (self.node(n.orelse), None)])

    def print_Subscript(self, n):
        """``x[i, j]`` → x with subscript i,j (an index, never a slice)."""
        if not isinstance(n.value, ast.Name) or isinstance(n.slice, ast.Slice):
            raise TypeError("subscript")
        index = n.slice.elts if isinstance(n.slice, ast.Tuple) else [n.slice]
        if any(isinstance(i, ast.Slice) for i in index):
            raise TypeError("slice")
        name, sup = split_superscript(n.value.id)
        plain, accent = split_accent(name)
        base, sub = symbol_parts(plain)
        if sub:
            raise TypeError("subscript of a subscripted name")
        return self.symbol(base, "", accent, sub_math=self.comma_list([self.node(i) for i in index]), sup=sup)

    def print_List(self, n):
        """``[h, x]`` a concatenated vector in brackets; a vector of numbers (a, b), as every answer writes it."""
        items = self.comma_list([self.node(e) for e in n.elts])
        numbers = n.elts and all(isinstance(e, ast.Constant) or (isinstance(e, ast.UnaryOp)
                                                                 and isinstance(e.operand, ast.Constant))
                                 for e in n.elts)
        return self.parens(items) if numbers else self.brackets(items)

    def print_Call(self, n):
        if not isinstance(n.func, ast.Name) or n.keywords:
            raise TypeError("call")
        name = {"ceiling": "ceil"}.get(n.func.id, n.func.id)
        if name.endswith("_") and len(n.args) == 1 and len(name) > 1:     # h_(t-1): a subscript
            return self.symbol(*symbol_parts(name[:-1]), "", sub_math=self.node(n.args[0]))
        if name in INFIX and len(n.args) == 2:                   # hadamard(a, b) → a ⊙ b
            left, right = (self.wrap(a, add=True, mul=True) for a in n.args)
            return self.infix(left, INFIX[name], right)
        if name in TRANSFORMS and len(n.args) == 1:              # fourier(x) → ℱ(x)
            return self.transform(self.node(n.args[0]), TRANSFORMS[name])
        if name == "KroneckerDelta" and len(n.args) == 2:          # δᵢⱼ
            return self.symbol("δ", "", sub_math=self.juxtapose([self.node(a) for a in n.args]))
        if name == "Sum" and len(n.args) == 2 and not isinstance(n.args[1], ast.Tuple):
            return self.bigop("sum", self.node(n.args[1]), None, None, self.wrap(n.args[0], add=True))
        if name in BIG_OPERATORS and len(n.args) == 2 and isinstance(n.args[1], ast.Tuple):
            limits = n.args[1].elts
            if len(limits) != 3:
                raise TypeError("limits are (index, from, to)")
            index, lower, upper = (self.node(e) for e in limits)
            return self.bigop(BIG_OPERATORS[name], index, lower, upper, self.wrap(n.args[0], add=True))
        if name == "Piecewise":
            return self.cases([self._piece(p) for p in n.args])
        if name == "Derivative":
            if len(n.args) != 2:
                raise TypeError("Derivative(expression, variable)")
            expr, var = n.args
            ordinary = is_ordinary_derivative(expr, var)
            if (isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and len(expr.func.id) == 1
                    and len(expr.args) > 1 and isinstance(var, ast.Name)):
                return self.derivative(self.node(expr.func), self.node(var), False)   # f(x, y) by x: ∂f/∂x
            if isinstance(expr, ast.Name):
                return self.derivative(self.node(expr), self.node(var), ordinary)
            return self.derivative_of(self.wrap(expr, add=True), self.node(var), ordinary)
        args = [self.node(a) for a in n.args]
        if name in ("Sum", "sum") and len(n.args) == 1:
            args = [self.wrap(n.args[0], add=True)]
        if name in FUNCTIONS:
            return self.call(name, args)
        plain, accent = split_accent(name)
        base, sub = symbol_parts(plain)
        if len(base) == 1:                               # f(z), D(G(z)), Y_c(i, j): a function symbol
            return self.symbol(base, sub, accent) + self.parens(self.comma_list(args))
        return self.operator(base, sub, args)            # ReLU(z), softmax_k(z)

    def _piece(self, node):
        if not isinstance(node, ast.Tuple) or len(node.elts) != 2:
            raise TypeError("Piecewise takes (value, condition) pairs")
        value, cond = node.elts
        otherwise = isinstance(cond, ast.Constant) and cond.value is True
        return self.node(value), None if otherwise else self.node(cond)

    def print_Tuple(self, n):
        items = [self.node(e) for e in n.elts]
        return self.parens(self.comma_list(items) + ("," if len(items) == 1 else ""))

    # --- what subclasses provide ------------------------------------
    def statements(self, parts):                # several formulas of one step, one under the other
        return self.comma_list(parts)

    def comma_list(self, items):
        return ", ".join(items)

    def juxtapose(self, items):                 # indices side by side: δ with subscript ij
        return " ".join(items)

    def verbatim(self, text): ...
    def dots(self): ...
    def equals(self, sides): ...
    def number(self, text): ...
    def symbol(self, base, sub, accent="", sub_math="", sup=""): ...   # sub_math: a subscript already typeset;
    #                                                                   sup: a layer index, shown as ⁽ˡ⁾
    def assign(self, target, rule): ...       # an update: target ← rule
    def neg(self, x): ...
    def parens(self, x): ...
    def brackets(self, x): ...
    def frac(self, a, b): ...
    def power(self, a, b): ...
    def times(self, a, b): ...
    def binary(self, a, op, b): ...
    def cases(self, rows): ...                  # [(value, condition or None for "otherwise")]
    def bigop(self, kind, index, lower, upper, body): ...   # lower/upper None: ∑ over index only
    def infix(self, a, op, b): ...              # op: "odot" (⊙), "convolve" (⊛), "star" (⋆)
    def transform(self, x, inverse): ...        # ℱ(x), ℱ⁻¹(x)
    def derivative(self, expr, var, ordinary): ...        # dy/dx, ∂E/∂w
    def derivative_of(self, expr, var, ordinary): ...     # d/dz σ(z)
    def call(self, name, args): ...             # the names of FUNCTIONS
    def operator(self, name, sub, args): ...    # any other multi-letter function name
