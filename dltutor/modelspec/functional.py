"""The Keras functional form: skip connections and branches, one assignment per line.

    x = Input(32, 32, 16)
    y = Conv2D(16, 3, padding='same')(x)
    out = Add()([x, y])

Each assignment applies a layer to tensors named above it; ``Add``, ``Subtract``,
``Multiply``, ``Average``, ``Maximum``, ``Minimum`` need inputs of one shape and
keep it, ``Concatenate(axis=-1)`` joins along an axis. The output is the last
assignment (or the ``outputs`` of a pasted ``Model(...)``); assignments that do not
lead to it are left out of the model, as Keras's ``Model(inputs, outputs)`` leaves
them out, and a note names them.
"""

from __future__ import annotations

from dltutor.errors import InputError
from dltutor.modelspec.grammar import quoted
from dltutor.modelspec.layers import Layer, Model, shape_sizes, shape_text
from dltutor.modelspec.pasted import Node
from dltutor.solution import fill

ELEMENTWISE = ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum")
MERGES = {name.lower(): name for name in ELEMENTWISE + ("Concatenate",)}


def _merge(node: Node, shapes: list[tuple[int, ...]]) -> Layer:
    kind = MERGES[node.call.name.lower()]
    where = f"line {node.line} {quoted(node.call.text)}"
    if len(shapes) < 2:
        raise InputError(f"{where}: {kind} needs a list of at least two tensors, e.g. {kind}()([x, y])")
    if kind == "Subtract" and len(shapes) != 2:
        raise InputError(f"{where}: Subtract takes exactly two tensors")
    if kind != "Concatenate":
        if node.call.args or node.call.kwargs:
            raise InputError(f"{where}: {kind}() takes no arguments")
        if len(set(shapes)) > 1:
            listed = ", ".join(shape_text(s) for s in shapes)
            raise InputError(f"{where}: {kind} needs inputs of one shape, got {listed}")
        return Layer(kind, node.call.text, {}, shapes[0], shapes[0], (), "shape = the inputs' (common) shape",
                     fill("{}", shape_text(shapes[0])), "", "params = 0", "",
                     "element by element: nothing to learn")
    axis = -1
    for key, value in node.call.kwargs:
        if key != "axis" or isinstance(value, bool) or not isinstance(value, int):
            raise InputError(f"{where}: Concatenate takes only axis=<whole number>")
        axis = value
    if node.call.args:
        raise InputError(f"{where}: write Concatenate(axis=-1)")
    rank = len(shapes[0])
    if any(len(s) != rank for s in shapes) or not -rank <= axis < rank:
        raise InputError(f"{where}: Concatenate needs inputs of one rank and an axis inside it, got "
                         f"{', '.join(shape_text(s) for s in shapes)}")
    a = axis % rank
    others = {s[:a] + s[a + 1:] for s in shapes}
    if len(others) > 1:
        raise InputError(f"{where}: Concatenate on axis {axis} needs the other sizes to agree, got "
                         f"{', '.join(shape_text(s) for s in shapes)}")
    out = shapes[0][:a] + (sum(s[a] for s in shapes),) + shapes[0][a + 1:]
    return Layer("Concatenate", node.call.text, {"axis": axis}, shapes[0], out, (),
                 "size on the axis = sum of the inputs' sizes", fill(" + ".join("{}" for _ in shapes) + " = {}",
                                                                     *[s[a] for s in shapes], out[a]),
                 "", "params = 0", "", "joining tensors has nothing to learn")


def resolve_graph(nodes: list[Node], output: str, text: str, rule_for) -> Model:
    """Shapes and counts of every assignment, in order. ``rule_for(call)`` gives the rule of a layer
    (raising the unknown-layer error)."""
    shapes: dict[str, tuple[int, ...]] = {}
    model = None
    built: list[tuple[Node, Layer]] = []
    for node in nodes:
        where = f"line {node.line} {quoted(node.call.text)}"
        if not node.inputs:              # an Input
            shape_args = node.call.args or tuple(v for k, v in node.call.kwargs if k in ("shape", "input_shape"))
            shape = shape_sizes(shape_args, where, "Input")
            shapes[node.name] = shape
            if model is None:
                model = Model(text, shape)
            continue
        for name in node.inputs:
            if name not in shapes:
                raise InputError(f"{where}: {name!r} is not assigned above this line")
        if model is None:
            raise InputError(f"{where}: the functional form starts with an Input, e.g. x = Input(32, 32, 3)")
        ins = [shapes[n] for n in node.inputs]
        if node.call.name.lower() in MERGES:
            layer = _merge(node, ins)
        else:
            if len(ins) != 1:
                raise InputError(f"{where}: {node.call.name} takes one tensor; merge several with Add()([...]) "
                                 f"or Concatenate()([...])")
            layer = rule_for(node.call)(node.call, ins[0])
        shapes[node.name] = layer.output_shape
        built.append((node, layer))
    if output not in shapes:
        raise InputError(f"the model's output {output!r} is not assigned in the pasted code")
    if model is None or not built:
        raise InputError("the functional form needs layers after the Input, e.g. y = Dense(4)(x)")
    # Keras's Model(inputs, outputs) holds only the layers on a path to the output
    needed, wanted = set(), {output}
    for node, _ in reversed(built):
        if node.name in wanted:
            wanted.discard(node.name)
            wanted.update(node.inputs)
            needed.add(id(node))
    model.layers = [layer for node, layer in built if id(node) in needed]
    dropped = [f"{node.name} = {node.call.text}" for node, _ in built if id(node) not in needed]
    if not model.layers:
        raise InputError(f"the output {output!r} is an Input: there are no layers between input and output")
    if dropped:
        last = model.layers[-1]
        last.shape_note = "; ".join(n for n in (last.shape_note, (
            f"left out, as Keras's Model(inputs, outputs) leaves them out: {', '.join(dropped)} "
            f"(not on a path to the output {output})")) if n)
    return model
