"""Whole programs: a model spec as Keras or PyTorch code (``dltutor solve params --emit``) and the
script of ``dltutor convert`` (the same model, its trained weights loaded, outputs printed as JSON).

    emit(spec, "pytorch")  ->  text of a program that builds ``model`` (an nn.Module) and, run as a
                               script, prints the output shape for a zero batch and the parameter count
    converted(model, arrays, "keras", "m.weights.npz", "m.npz")  ->  (script text, arrays to save beside it)

``model`` here is ``dltutor.modelspec.resolve(spec)``: the layers with their configs and Keras shapes.
"""

from __future__ import annotations

import textwrap

from dltutor.errors import InputError
from dltutor.frameworks import keras_code, layouts, pytorch_code


def _count(n: int) -> str:
    return f"{n:,}"


def _doc(text: str) -> str:
    """``text`` safe inside a triple-quoted docstring."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


# ------------------------------------------------------------------ PyTorch

def _pytorch_class(model):
    """(helpers and class text, input layout, output layout, PyTorch's parameter count, pieces)."""
    layout = start = pytorch_code.input_layout(model)
    pieces, init, forward, helpers = [], [], [], []
    for i, layer in enumerate(model.layers, start=1):
        p = pytorch_code.piece(i, layer, layout)
        pieces.append(p)
        init += p.modules
        shape = pytorch_code.torch_shape(layer.output_shape, p.layout)
        lines = list(p.forward)
        lines[-1] += f"  # {layer.label} -> (N, {', '.join(map(str, shape))}){'; ' + p.note if p.note else ''}"
        forward += lines
        helpers += [h for h in p.helpers if h not in helpers]
        layout = p.layout
    in_shape = pytorch_code.torch_shape(model.input_shape, start)
    body = ["class Model(nn.Module):",
            f'    """{_doc(model.text)}"""', "",
            "    def __init__(self):",
            "        super().__init__()"]
    body += [f"        {line}" for line in init]
    body += ["", f"    def forward(self, x):  # x: (N, {', '.join(map(str, in_shape))})"]
    body += [f"        {line}" for line in forward] + ["        return x"]
    text = "".join(pytorch_code.HELPERS[h] + "\n" for h in helpers) + "\n".join(body) + "\n"
    n_params = sum(_size(shape) for p in pieces for _, shape in p.params)
    return text, start, layout, n_params, pieces


def _size(shape) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


def pytorch_differences(model, pieces) -> list[str]:
    """Comment lines: how PyTorch's count differs from Keras's, layer by layer (empty if it does not)."""
    notes = []
    for layer, p in zip(model.layers, pieces):
        torch_n = sum(_size(s) for _, s in p.params)
        if torch_n == layer.params:
            continue
        kind = layer.wrapped.type if layer.wrapped is not None else layer.type    # a wrapper counts as its layer
        if kind == "BatchNormalization":
            why = "the moving mean and variance are buffers in PyTorch, not parameters"
        elif kind in ("SimpleRNN", "LSTM"):
            why = "PyTorch has two bias vectors (bias_ih and bias_hh; bias_hh is loaded as zeros), Keras one"
        else:
            why = "the frameworks count this layer differently"
        notes.append(f"#   {layer.label}: PyTorch {_count(torch_n)}, Keras {_count(layer.params)}: {why}")
    return notes


def _pytorch_header(model, n_params, pieces) -> list[str]:
    lines = [f"# PyTorch counts {_count(n_params)} parameters; Keras (dltutor solve params) counts "
             f"{_count(model.total)} ({_count(model.trainable)} trainable)."]
    diff = pytorch_differences(model, pieces)
    lines += (["# They differ:"] + diff) if diff else ["# The counts agree layer by layer."]
    return lines


PYTORCH_IMPORTS = "import torch\nfrom torch import nn\nimport torch.nn.functional as F"
KERAS_IMPORTS = "import keras\nfrom keras import layers"


def program(*blocks: str) -> str:
    """Top-level blocks of a Python file, two blank lines apart."""
    return "\n\n\n".join(b.strip("\n") for b in blocks if b and b.strip()) + "\n"


def emit_pytorch(model) -> str:
    text, start, _, n_params, pieces = _pytorch_class(model)
    in_shape = pytorch_code.torch_shape(model.input_shape, start)
    head = [f"# {model.text}", "# PyTorch: channels first, recurrent layers batch_first=True."]
    head += _pytorch_header(model, n_params, pieces)
    zero = f"torch.zeros(1, {', '.join(map(str, in_shape))})"
    return program("\n".join(head) + "\n" + PYTORCH_IMPORTS, text, "model = Model()", textwrap.dedent(f"""
        if __name__ == "__main__":
            x = {zero}  # a zero batch of one input
            model.eval()  # inference, as Keras's model(x): Dropout off, BatchNorm's running statistics
            y = model(x)
            print("output", tuple(y.shape), "parameters", sum(p.numel() for p in model.parameters()))
        """))


# ------------------------------------------------------------------ Keras

def _keras_model(model) -> tuple[str, list[str]]:
    """(the Sequential text, helper function texts)."""
    rows, helpers = [], []
    for i, layer in enumerate(model.layers, start=1):
        call, used = keras_code.layer_call(i, layer)
        helpers += [h for h in used if h not in helpers]
        shape = ", ".join(map(str, layer.output_shape))
        rows.append(f"    {call},  # -> (None, {shape}), {_count(layer.params)} params")
    shape = ", ".join(map(str, model.input_shape)) + ("," if len(model.input_shape) == 1 else "")
    text = "model = keras.Sequential([\n" + f"    keras.Input(shape=({shape})),\n" + "\n".join(rows) + "\n])\n"
    return text, [keras_code.HELPERS[h] for h in helpers]


def _keras_header(model) -> list[str]:
    return [f"# {model.text}",
            f"# Keras counts {_count(model.total)} parameters ({_count(model.trainable)} trainable, "
            f"{_count(model.non_trainable)} non-trainable), as dltutor solve params.",
            "# Keras 3 runs on the backend KERAS_BACKEND names (tensorflow, jax or torch)."]


def emit_keras(model) -> str:
    text, helpers = _keras_model(model)
    zeros = f"np.zeros((1, {', '.join(map(str, model.input_shape))}), dtype='float32')"
    return program("\n".join(_keras_header(model)) + "\nimport numpy as np\n" + KERAS_IMPORTS, *helpers, text,
                   textwrap.dedent(f"""
        if __name__ == "__main__":
            y = model({zeros})  # a zero batch of one input
            print("output", tuple(y.shape), "parameters", model.count_params())
        """))


EMITTERS = {"pytorch": emit_pytorch, "keras": emit_keras}


def emit(spec: str, framework: str) -> str:
    """The program text that builds the model of ``spec`` in ``framework`` (pytorch or keras)."""
    from dltutor.modelspec import resolve

    if framework not in EMITTERS:
        raise InputError(f"--emit {framework!r}: choose pytorch or keras")
    return EMITTERS[framework](resolve(spec))


# ------------------------------------------------------------------ dltutor convert

READ_ROWS = '''
def read_rows(path):
    """The CSV rows as dltutor predict reads them: one sample per row, Keras's (channels-last) order."""
    X = np.loadtxt(path, delimiter=",", ndmin=2, dtype=np.float32)
    return X.reshape((len(X),) + INPUT_SHAPE)
'''

SCRIPT_IMPORTS = "import json\nimport sys\nfrom pathlib import Path\n\nimport numpy as np"


def _guarded(imports: str, needs: str) -> str:
    """A converted script's framework imports: without the framework it says what to install
    (one line, exit status 1), not a traceback."""
    body = "\n".join("    " + line for line in imports.splitlines())
    return (f"try:\n{body}\nexcept ModuleNotFoundError as missing:\n"
            f"    sys.exit(f\"this program needs {needs} ({{missing.name}} is not installed)\")")
RUN = 'if __name__ == "__main__":\n    main(sys.argv[1])'


def _docstring(model, source: str, framework: str, weights_file: str, layouts_note: str) -> str:
    return "\n".join([f'"""{_doc(model.text)}', "",
                      f"Made by `dltutor convert {_doc(source)} --to {framework}`: the model with the weights trained",
                      f"in dltutor ({_doc(weights_file)}, beside this file; {layouts_note}).", "",
                      "    python THIS_FILE.py X.csv    prints {\"outputs\": [[...], ...]}, as dltutor predict",
                      '"""'])


def _weights_by_layer(model, arrays: dict) -> list[dict]:
    """dltutor's saved arrays (``NN.Type.name``) grouped per layer, by Keras weight name."""
    return [{w.name: arrays[f"{i:02d}.{layer.type}.{w.name}"] for w in layer.weights}
            for i, layer in enumerate(model.layers, start=1)]


def converted_pytorch(model, arrays: dict, weights_file: str, source: str) -> tuple[str, dict]:
    text, start, end, n_params, pieces = _pytorch_class(model)
    state = {}
    for i, (layer, w) in enumerate(zip(model.layers, _weights_by_layer(model, arrays)), start=1):
        state.update(layouts.to_pytorch(layer, w, pytorch_code.attr_name(i, layer)))
    expected = {k for p in pieces for k, _ in p.params + p.buffers}
    if set(state) != expected:      # the layout table and the module code must name the same tensors
        raise RuntimeError(f"converted weights {sorted(state)} do not match the modules' {sorted(expected)}")
    main = ["def main(path):", "    X = read_rows(path)"]
    if start == "cf" and len(model.input_shape) > 1:
        main.append("    X = np.moveaxis(X, -1, 1)  # channels first")
    main += ["    with torch.no_grad():", "        Y = model(torch.from_numpy(X))"]
    if end == "cf" and len(model.output_shape) > 1:
        main.append("        Y = Y.movedim(1, -1)  # back to Keras's order, as dltutor predict prints it")
    main.append('    print(json.dumps({"outputs": Y.reshape(len(Y), -1).tolist()}))')
    head = _docstring(model, source, "pytorch", weights_file, "already in PyTorch's layouts") + "\n" + \
        "\n".join(_pytorch_header(model, n_params, pieces))
    loads = "\n".join([
        "model = Model()",
        f"weights = np.load(Path(__file__).with_name({weights_file!r}))",
        "model.load_state_dict({name: torch.from_numpy(weights[name]) for name in weights.files})",
        "model.eval()  # inference: Dropout off, BatchNorm uses its running statistics"])
    script = program(head + "\n" + SCRIPT_IMPORTS + "\n" + _guarded(PYTORCH_IMPORTS, "PyTorch: pip install torch") +
                     "\n\n" +
                     f"INPUT_SHAPE = {tuple(model.input_shape)!r}  # one sample, Keras's order (channels last)",
                     READ_ROWS, text, loads, "\n".join(main), RUN)
    return script, state


def converted_keras(model, arrays: dict, weights_file: str, source: str) -> tuple[str, dict]:
    text, helpers = _keras_model(model)
    loads, keep = [f"weights = np.load(Path(__file__).with_name({weights_file!r}))"], {}
    for i, (layer, w) in enumerate(zip(model.layers, _weights_by_layer(model, arrays))):
        if not w:
            continue
        names = [f"{i + 1:02d}.{layer.type}.{name}" for name in w]
        keep.update(zip(names, layouts.to_keras(layer, w)))
        listed = ", ".join(f"weights[{n!r}]" for n in names)
        loads.append(f"model.layers[{i}].set_weights([{listed}])")
    head = _docstring(model, source, "keras", weights_file, "dltutor keeps Keras's layouts") + "\n" + \
        "\n".join(_keras_header(model)[1:])
    main = "\n".join([
        "def main(path):",
        "    X = read_rows(path)",
        "    Y = keras.ops.convert_to_numpy(model(X, training=False))",
        '    print(json.dumps({"outputs": Y.reshape(len(Y), -1).tolist()}))'])
    script = program(head + "\n" + SCRIPT_IMPORTS + "\n" +
                     _guarded(KERAS_IMPORTS, "Keras 3 and its backend: pip install keras torch, "
                                             "then run it with KERAS_BACKEND=torch") + "\n\n" +
                     f"INPUT_SHAPE = {tuple(model.input_shape)!r}  # one sample, channels last",
                     *helpers, READ_ROWS, text + "\n".join(loads), main, RUN)
    return script, keep


CONVERTERS = {"pytorch": converted_pytorch, "keras": converted_keras}


def converted(model, arrays: dict, framework: str, weights_file: str, source: str) -> tuple[str, dict]:
    """(script text, arrays to save as ``weights_file`` beside it) for a model saved by dltutor.

    ``arrays`` are the saved weights by key ``NN.Type.name``; ``source`` names the saved file
    in the script's docstring."""
    if framework not in CONVERTERS:
        raise InputError(f"--to {framework!r}: choose pytorch or keras")
    return CONVERTERS[framework](model, arrays, weights_file, source)
