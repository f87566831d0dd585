"""Training presets of the toy data sets, shared by ``dltutor train`` and the TUI's training lab.

    settings("spiral", "sgd", classes=3)
    # {'model': 'Input(2) -> Dense(32, relu) -> Dense(3, softmax)', 'epochs': 200, 'batch': 32, 'lr': 0.1}

Per data set: the default model spec (``{K}`` stands for the number of classes),
epochs, batch size and Adam learning rate; SGD-like optimizers get the rate
multiplied by ``LR_FACTOR`` (capped at 0.5). ``check_fits`` says, before any
training, when a model's output cannot match the data's labels.
"""

from __future__ import annotations

from dltutor.errors import InputError

# data set -> (default model with {K} for the classes, epochs, batch, Adam learning rate)
DEFAULTS = {
    "xor": ("Input(2) -> Dense(8, tanh) -> Dense(1, sigmoid)", 300, 4, 0.05),
    "circles": ("Input(2) -> Dense(16, tanh) -> Dense(1, sigmoid)", 100, 32, 0.02),
    "moons": ("Input(2) -> Dense(16, tanh) -> Dense(1, sigmoid)", 100, 32, 0.02),
    "spiral": ("Input(2) -> Dense(32, relu) -> Dense({K}, softmax)", 200, 32, 0.01),
    "blobs": ("Input(2) -> Dense(8, relu) -> Dense({K}, softmax)", 50, 32, 0.01),
    "digits": ("Input(64) -> Dense(64, relu) -> Dense(10, softmax)", 20, 32, 0.005),
}
# SGD-like optimizers take larger steps than the adaptive ones
LR_FACTOR = {"adam": 1.0, "rmsprop": 1.0, "sgd": 10.0, "momentum": 2.0, "nesterov": 2.0}
MAX_LR = 0.5
# data sets whose number of classes is fixed (the others take --classes, default 3)
FIXED_CLASSES = {"xor": 2, "circles": 2, "moons": 2, "digits": 10}


def default_model(data: str, classes: int) -> str:
    return DEFAULTS[data][0].format(K=classes)


def default_lr(data: str, optimizer: str = "adam") -> float:
    return min(DEFAULTS[data][3] * LR_FACTOR[optimizer], MAX_LR)


def settings(data: str, optimizer: str = "adam", classes: int = 3) -> dict:
    """Model spec, epochs, batch and learning rate that ``dltutor train --data DATA`` would use."""
    if data not in DEFAULTS:
        raise InputError(f"unknown data set {data!r}; choose from {', '.join(DEFAULTS)}")
    _spec, epochs, batch, _lr = DEFAULTS[data]
    n_classes = FIXED_CLASSES.get(data, classes)
    return {"model": default_model(data, n_classes), "epochs": epochs, "batch": batch,
            "lr": default_lr(data, optimizer)}


def check_fits(model, data: str, classes: int) -> None:
    """The output must have one unit per class (or one sigmoid unit for two classes)."""
    out = model.output_shape
    if out == (classes,) or (classes == 2 and out == (1,)):
        return
    shape = "(" + ", ".join(str(d) for d in out) + ("," if len(out) == 1 else "") + ")"
    hint = "Dense(1, sigmoid) or Dense(2, softmax)" if classes == 2 else f"Dense({classes}, softmax)"
    raise InputError(f"the model's output {shape} does not fit {data}, which has {classes} classes "
                     f"(labels 0..{classes - 1}): end the model with {hint}")
