"""Model code as people paste it, read with Python's ``ast`` module and never run.

Three shapes of code are understood, each turned into ``LayerCall``s (the same
objects the spec grammar makes):

    Keras Sequential    model = Sequential() / model.add(Dense(10)) ...,
                        model = keras.Sequential([layers.Dense(10, input_shape=(4,)), ...])
    Keras functional    x = Input(32, 32, 16)
                        y = Conv2D(16, 3, padding='same')(x)
                        out = Add()([x, y])             (the last assignment, or Model(..., outputs), is the output)
    PyTorch             model = nn.Sequential(nn.Conv2d(3, 16, 3), nn.ReLU(), ...)

Only literals are read: numbers (and arithmetic on them, such as 28*28), strings,
True/False/None, tuples and lists, bare names (``relu``), nested layer calls
(``Bidirectional(LSTM(8))``). Imports of keras, tensorflow and torch are skipped;
``model.summary()``, ``model.compile(...)`` and the like are skipped; anything else
(another import, a loop, a function, a class, a call of something that is not a
layer) is bad input naming its line: pasted text is data, not a program.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from dltutor import values
from dltutor.errors import InputError
from dltutor.modelspec.grammar import MAX_LAYERS, MAX_SPEC_TEXT, LayerCall

FRAMEWORK_MODULES = ("keras", "tensorflow", "tf_keras", "torch", "numpy")
SKIPPED_METHODS = ("summary", "compile", "build", "fit", "evaluate", "predict", "to", "cuda", "cpu", "eval",
                   "train", "count_params")
# keyword arguments that change neither shapes nor parameter counts: read past, not checked
IGNORED_KEYWORDS = {"name", "kernel_initializer", "bias_initializer", "recurrent_initializer",
                    "kernel_regularizer", "bias_regularizer", "activity_regularizer", "recurrent_regularizer",
                    "kernel_constraint", "bias_constraint", "recurrent_constraint", "dtype", "trainable",
                    "dropout", "recurrent_dropout", "recurrent_activation", "seed", "inplace", "device",
                    "padding_mode", "data_format", "noise_shape", "beta_initializer", "gamma_initializer",
                    "moving_mean_initializer", "moving_variance_initializer", "embeddings_initializer",
                    "unroll", "stateful", "go_backwards", "return_state", "mask_zero",
                    "depthwise_initializer", "pointwise_initializer", "sparse", "batch_size", "track_running_stats",
                    "batch_input_shape"}
SEQUENTIAL_NAMES = ("Sequential",)
MODEL_NAMES = ("Model", "Functional")
MAX_NUMBER = values.MAX_ABS


@dataclass
class Node:
    """One assignment of the functional form: ``name = call(inputs)``."""

    name: str
    call: LayerCall
    inputs: tuple[str, ...]        # names of the tensors fed in (none for an Input)
    line: int


@dataclass
class Pasted:
    framework: str                  # "keras" or "pytorch"
    form: str                       # "sequential" or "functional"
    calls: list[LayerCall] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    output: str = ""


def looks_like_code(text: str) -> bool:
    """True for Python code (assignments, ``model.add``, ``Sequential``, ``nn.``); a spec in
    the grammar (``Input(3) -> Dense(2)``, one layer per line) is not code."""
    if "->" in text or "\u2192" in text:
        return False
    if not re.search(r"(^|\n)\s*[A-Za-z_][A-Za-z0-9_.]*\s*=[^=]|\.add\s*\(|Sequential\s*\(|\bnn\.|^\s*(import|from)\s",
                     text):
        return False
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return bool(re.search(r"\.add\s*\(|Sequential\s*\(|\bnn\.|(^|\n)\s*(import|from)\s", text))
    return any(isinstance(node, (ast.Assign, ast.Import, ast.ImportFrom)) or
               (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) and
                _dotted(node.value.func).split(".")[-1] in ("add", "Sequential"))
               for node in tree.body) or "nn." in text


def _dotted(node) -> str:
    """``keras.layers.Dense`` → 'keras.layers.Dense'; anything else ''."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    return ""


class Reader:
    """Walks the syntax tree of pasted code; every error names the line."""

    def __init__(self, text: str):
        self.text = text
        self.position = 0
        self.framework = ""
        self.imported: set[str] = set()

    def fail(self, node, message: str) -> InputError:
        line = getattr(node, "lineno", 0)
        return InputError(f"pasted code, line {line}: {message}")

    def segment(self, node) -> str:
        return " ".join((ast.get_source_segment(self.text, node) or "").split())

    # ---------------------------------------------------------- values
    def value(self, node, depth: int = 0):
        if depth > 4:
            raise self.fail(node, "brackets nested too deeply")
        if isinstance(node, ast.Constant):
            v = node.value
            if v is None or isinstance(v, bool):
                return v
            if isinstance(v, (int, float)):
                return self.number(node, v)
            if isinstance(v, str):
                text = v.strip()
                return text.lower() if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", text) else text
            raise self.fail(node, f"{self.segment(node)!r} is not a layer argument")
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            inner = self.value(node.operand, depth + 1)
            if isinstance(inner, bool) or not isinstance(inner, (int, float)):
                raise self.fail(node, f"{self.segment(node)!r} is not a number")
            return -inner if isinstance(node.op, ast.USub) else inner
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.FloorDiv, ast.Div)):
            a, b = self.value(node.left, depth + 1), self.value(node.right, depth + 1)
            if any(isinstance(x, bool) or not isinstance(x, (int, float)) for x in (a, b)):
                raise self.fail(node, f"{self.segment(node)!r}: only numbers may be combined")
            if isinstance(node.op, (ast.FloorDiv, ast.Div)) and b == 0:
                raise self.fail(node, f"{self.segment(node)!r} divides by zero")
            result = {ast.Add: lambda: a + b, ast.Sub: lambda: a - b, ast.Mult: lambda: a * b,
                      ast.FloorDiv: lambda: a // b, ast.Div: lambda: a / b}[type(node.op)]()
            return self.number(node, result)
        if isinstance(node, (ast.Tuple, ast.List)):
            return tuple(self.value(e, depth + 1) for e in node.elts)
        if isinstance(node, (ast.Name, ast.Attribute)):
            name = _dotted(node)
            if not name:
                raise self.fail(node, f"{self.segment(node)!r} is not a layer argument")
            return name.split(".")[-1].lower()          # a bare word: relu, tf.nn.relu
        if isinstance(node, ast.Call):
            return self.layer(node, nested=True)
        raise self.fail(node, f"{self.segment(node)[:40]!r} is not a layer argument (only numbers, text, "
                              f"tuples and layers are read)")

    def number(self, node, v):
        if isinstance(v, float) and v != v or abs(v) > MAX_NUMBER:
            raise self.fail(node, f"number {self.segment(node)[:24]!r} is out of range")
        return int(v) if isinstance(v, float) and v.is_integer() and isinstance(node, ast.BinOp) else v

    def layer(self, node: ast.Call, nested: bool = False) -> LayerCall:
        name = _dotted(node.func).split(".")[-1]
        if not name:
            raise self.fail(node, f"{self.segment(node)[:40]!r} is not a layer")
        args = tuple(self.value(a) for a in node.args)
        kwargs = []
        for kw in node.keywords:
            if kw.arg is None:
                raise self.fail(node, "**arguments are not read; write the arguments out")
            if kw.arg.lower() in IGNORED_KEYWORDS:
                continue
            kwargs.append((kw.arg.lower(), self.value(kw.value)))
        if not nested:
            self.position += 1
            if self.position > MAX_LAYERS:
                raise self.fail(node, f"more than {MAX_LAYERS} layers")
        return LayerCall(name, args, tuple(kwargs), self.segment(node), self.position)

    # ------------------------------------------------------ statements
    def read(self) -> Pasted:
        try:
            tree = ast.parse(self.text)
        except (SyntaxError, ValueError) as exc:
            line = getattr(exc, "lineno", None)
            raise InputError(f"pasted code{f', line {line}' if line else ''} is not valid Python "
                             f"({getattr(exc, 'msg', 'cannot be read')}); a spec is written like "
                             f"Input(3) -> Dense(5) -> Dense(2)") from None
        sequential: list[LayerCall] | None = None
        model_var = ""
        nodes: list[Node] = []
        output = ""
        for stmt in tree.body:
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in stmt.names] if isinstance(stmt, ast.Import) else [stmt.module or ""]
                for mod in names:
                    if mod.split(".")[0] not in FRAMEWORK_MODULES:
                        raise self.fail(stmt, f"imports {mod!r}; only keras, tensorflow, torch and numpy imports "
                                              f"are read past (pasted code is read, never run)")
                    self.imported.add(mod.split(".")[0])
                continue
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(
                    stmt.value.value, str):
                continue                                            # a docstring
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                target, value = stmt.targets[0].id, stmt.value
                if not isinstance(value, ast.Call):
                    raise self.fail(stmt, f"{self.segment(stmt)[:50]!r} is not a layer or model")
                callee = _dotted(value.func).split(".")[-1]
                if callee in SEQUENTIAL_NAMES:
                    self.note_framework(value.func, stmt)
                    sequential, model_var = self.sequential(value), target
                    continue
                if callee in MODEL_NAMES:
                    output = self.model_output(value, stmt) or output
                    continue
                nodes.append(self.node(target, value, stmt))
                continue
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
                call = stmt.value
                func = _dotted(call.func)
                if func.endswith(".add") and sequential is not None and func[:-4] == model_var:
                    if len(call.args) != 1 or call.keywords or not isinstance(call.args[0], ast.Call):
                        raise self.fail(stmt, f"{model_var}.add(...) takes one layer")
                    sequential.append(self.layer(call.args[0]))
                    continue
                if func.split(".")[-1] in SKIPPED_METHODS or func == "print":
                    continue
                if func.split(".")[-1] in SEQUENTIAL_NAMES:             # nn.Sequential(...) on its own
                    self.note_framework(call.func, stmt)
                    sequential = self.sequential(call)
                    continue
                raise self.fail(stmt, f"{self.segment(stmt)[:50]!r} is not part of a model definition "
                                      f"(pasted code is read, never run)")
            kind = type(stmt).__name__.lower()
            raise self.fail(stmt, f"a {kind} statement is not part of a model definition; paste the "
                                  f"Sequential(...) or the layer assignments only (the code is read, never run)")
        if sequential is not None and nodes:
            raise InputError("pasted code mixes a Sequential model and functional assignments; paste one model")
        if sequential is not None:
            if not sequential:
                raise InputError("pasted code defines a Sequential model without layers")
            return Pasted(self.framework or "keras", "sequential", calls=sequential)
        if nodes:
            return Pasted("keras", "functional", nodes=nodes, output=output or nodes[-1].name)
        raise InputError("pasted code defines no model: write Sequential([...]), model.add(...) lines, "
                         "assignments like y = Dense(4)(x), or nn.Sequential(...)")

    def note_framework(self, func, stmt) -> None:
        prefix = _dotted(func).split(".")[0]
        torch_only = "torch" in self.imported and not self.imported & {"keras", "tensorflow", "tf_keras"}
        self.framework = ("pytorch" if prefix in ("nn", "torch") or (prefix == "Sequential" and torch_only)
                          else "keras")

    def sequential(self, call: ast.Call) -> list[LayerCall]:
        if self.framework == "pytorch":
            if call.keywords:
                raise self.fail(call, "nn.Sequential(...) takes the modules as arguments")
            return [self.layer(a) for a in self.calls_only(call.args)]
        layers = []
        for arg in call.args:
            if isinstance(arg, (ast.List, ast.Tuple)):
                layers += [self.layer(e) for e in self.calls_only(arg.elts)]
            else:
                raise self.fail(call, "Sequential takes a list of layers: Sequential([Dense(4), ...])")
        for kw in call.keywords:
            if kw.arg == "layers" and isinstance(kw.value, (ast.List, ast.Tuple)):
                layers += [self.layer(e) for e in self.calls_only(kw.value.elts)]
            elif kw.arg != "name":
                raise self.fail(call, f"Sequential has no argument {kw.arg!r} here")
        return layers

    def calls_only(self, elts) -> list[ast.Call]:
        for e in elts:
            if not isinstance(e, ast.Call):
                raise self.fail(e, f"{self.segment(e)[:40]!r} is not a layer (write Dense(4), nn.ReLU(), ...)")
        return list(elts)

    def node(self, target: str, value: ast.Call, stmt) -> Node:
        # y = Layer(args)(x)   or   x = Input(...)   or   m = Concatenate()([a, b])
        if isinstance(value.func, ast.Call):
            layer = self.layer(value.func)
            if len(value.args) != 1 or value.keywords:
                raise self.fail(stmt, f"{layer.name}(...) is applied to one tensor or a list of tensors")
            fed = value.args[0]
            elts = fed.elts if isinstance(fed, (ast.List, ast.Tuple)) else [fed]
            names = []
            for e in elts:
                if not isinstance(e, ast.Name):
                    raise self.fail(stmt, f"{self.segment(e)[:30]!r}: a layer is applied to names assigned above")
                names.append(e.id)
            return Node(target, layer, tuple(names), stmt.lineno)
        layer = self.layer(value)
        if layer.name.lower() not in ("input", "inputlayer"):
            raise self.fail(stmt, f"{layer.text[:40]!r} is a layer that is not applied to anything; write "
                                  f"{target} = {layer.text[:30]}(x)")
        return Node(target, layer, (), stmt.lineno)

    def model_output(self, call: ast.Call, stmt) -> str:
        out = None
        if len(call.args) >= 2:
            out = call.args[1]
        for kw in call.keywords:
            if kw.arg == "outputs":
                out = kw.value
        if out is None:
            return ""
        if not isinstance(out, ast.Name):
            raise self.fail(stmt, "Model(..., outputs=...) is read with one output name")
        return out.id


def read(text: str) -> Pasted:
    """The model in pasted code (see the module docstring)."""
    return Reader(values.check_length(text, "model code", MAX_SPEC_TEXT)).read()
