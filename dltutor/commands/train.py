"""``dltutor train``: train a small model on a toy data set, with live progress.

A thin shell over the engine (``dltutor.nn``): parse the options, load and split
the data, build the model from its spec, fit with a Rich progress bar, print a
summary table (or, with ``--json``, the one object of CLI.md). Ctrl-C stops after
the current batch and keeps what was trained.
"""

from __future__ import annotations

import json
import math
import signal
import threading
import time

import click

from dltutor.commands.common import CONTEXT, examples_epilog
from dltutor.errors import InputError
from dltutor.nn.presets import DEFAULTS, LR_FACTOR, MAX_LR, check_fits, default_lr, default_model

MAX_EPOCHS = 100_000

EXAMPLES = [
    "--data xor",
    "--data spiral --classes 3 --model \"Input(2) -> Dense(32, relu) -> Dense(3, softmax)\" --epochs 200",
    "--data digits --model \"Input(8,8,1) -> Conv2D(8, 3, relu) -> MaxPooling2D(2) -> Flatten "
    "-> Dense(10, softmax)\" --epochs 10 --save digits.npz",
    "--data moons --optimizer sgd --lr 0.5 --json",
]


def _per_data(index: int, sep: str = " ", join: str = ", ") -> str:
    """The default of every data set from ``DEFAULTS`` (column ``index``), equal ones grouped:
    'xor 300, circles/moons 100, ...' (so the help can never list fewer data sets than there are)."""
    groups: dict[str, list[str]] = {}
    for name, row in DEFAULTS.items():
        groups.setdefault(str(row[index]).replace("{K}", "K"), []).append(name)
    return join.join(f"{'/'.join(names)}{sep}{value}" for value, names in groups.items())


def _lr_factors() -> str:
    groups: dict[float, list[str]] = {}
    for name, factor in LR_FACTOR.items():
        if factor != 1:
            groups.setdefault(factor, []).append(name)
    return ", ".join(f"×{factor:g} for {'/'.join(names)}" for factor, names in groups.items())


def _finite(value):
    return value if value is None or math.isfinite(value) else None


def _fraction(text: str) -> float:
    from dltutor.values import parse_fraction

    value = float(parse_fraction(text, "--test-split"))
    if not 0 <= value < 1:
        raise InputError(f"--test-split must be from 0 up to (not including) 1, got {text}")
    return value


@click.command(context_settings=CONTEXT, epilog=examples_epilog("dltutor train", EXAMPLES))
@click.option("--data", "data_name", required=True, metavar="NAME",
              help="data set: xor, circles, moons, spiral, blobs or digits (8x8 images, 64 values)")
@click.option("--classes", type=click.IntRange(2, 20), default=None,
              help="number of classes for spiral and blobs [default: 3]")
@click.option("--samples", type=click.IntRange(1, 100_000), default=None,
              help="number of samples [default: xor 4, circles/moons 200, spiral/blobs 300, digits 1797]")
@click.option("--model", "spec", default=None, metavar="SPEC",
              help="model spec, as for 'solve params' [default: " + _per_data(0, ": ", "; ")
                   + "; K = --classes]")
@click.option("--loss", type=click.Choice(["auto", "mse", "bce", "cce"]), default="auto", show_default=True,
              help="auto: cce for a softmax output, bce for one sigmoid unit, mse otherwise")
@click.option("--optimizer", type=click.Choice(["sgd", "momentum", "nesterov", "rmsprop", "adam"]),
              default="adam", show_default=True)
@click.option("--lr", type=click.FloatRange(0, 10, min_open=True), default=None,
              help=f"learning rate [default with {' or '.join(n for n, f in LR_FACTOR.items() if f == 1)}: "
                   f"{_per_data(3)}; {_lr_factors()}; "
                   f"at most {MAX_LR:g}]")
@click.option("--epochs", type=click.IntRange(0, MAX_EPOCHS), default=None,
              help=f"passes over the training data [default: {_per_data(1)}]")
@click.option("--batch", type=click.IntRange(1, 100_000), default=None,
              help=f"mini-batch size [default: {_per_data(2)}]")
@click.option("--test-split", "test_split", default=None, metavar="F",
              help="fraction held out for testing [default: 0.2; xor 0, its 4 points are all needed]")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=0, show_default=True,
              help="seed of the data, the weights and the shuffling")
@click.option("--save", "save_path", default=None, metavar="FILE.npz", help="save the trained weights (.npz)")
@click.option("--load", "load_path", default=None, metavar="FILE.npz", help="start from saved weights")
@click.option("--json", "as_json", is_flag=True,
              help="print one JSON object {kind, inputs, history, final} and no progress")
def train(data_name, classes, samples, spec, loss, optimizer, lr, epochs, batch, test_split, seed,
          save_path, load_path, as_json):
    """Train a small neural network on a toy data set, with live loss and accuracy.

    The model is built from a model spec (the grammar of 'dltutor solve params', with
    activations such as Dense(32, relu)); the data are reshaped to its Input shape when the
    sizes agree (digits: Input(64) or Input(8,8,1)). Ctrl-C stops after the current batch,
    keeps what was trained, prints the summary and saves if --save was given.
    """
    from dltutor.files import check_path
    from dltutor.nn import data as datasets
    from dltutor.nn.model import build
    from dltutor.nn.weights_io import check_writable

    if lr is not None and not math.isfinite(lr):    # click's FloatRange lets NaN through
        raise InputError(f"--lr {lr} is not a finite number; give a learning rate above 0, at most 10")
    if save_path:
        check_path(save_path, "--save")
    if load_path:
        check_path(load_path, "--load")
    if data_name not in DEFAULTS:
        raise InputError(f"unknown data set {data_name!r} for --data; choose from {', '.join(DEFAULTS)}")
    _spec, default_epochs, default_batch, _lr = DEFAULTS[data_name]
    X, y = datasets.load(data_name, samples=samples, classes=classes, seed=seed)
    n_classes = int(y.max()) + 1 if data_name != "xor" else 2
    n_classes = max(n_classes, classes or 0, 2)
    split = _fraction(test_split) if test_split is not None else (0.0 if data_name == "xor" else 0.2)
    X_train, y_train, X_test, y_test = datasets.split(X, y, split, seed=seed)
    spec = spec if spec is not None else default_model(data_name, n_classes)
    try:
        model = build(spec, seed=seed)
    except InputError as exc:
        raise exc.with_option("--model") from None
    from dltutor.nn.training import check_work, prepare_inputs

    prepare_inputs(model, X_train[:1])      # the data must fit the Input before anything runs
    check_fits(model, data_name, n_classes)
    epochs = default_epochs if epochs is None else epochs
    batch = default_batch if batch is None else batch
    check_work(model, len(X_train), epochs)       # a run that would take hours is refused before it starts
    lr = lr if lr is not None else default_lr(data_name, optimizer)
    model.compile(loss=loss, optimizer=optimizer, lr=lr)
    if save_path:
        check_writable(save_path)
    if load_path:
        model.load(load_path)

    inputs = {"data": data_name, "classes": n_classes, "samples": int(len(X)), "model": spec,
              "loss": model.loss.name, "optimizer": optimizer, "lr": lr, "epochs": epochs, "batch": batch,
              "test_split": split, "seed": seed, "save": save_path, "load": load_path}
    validation = (X_test, y_test) if len(X_test) else None
    stop = threading.Event()
    started = time.perf_counter()
    with _ctrl_c_sets(stop):
        if as_json:
            history = model.fit(X_train, y_train, epochs=epochs, batch_size=batch,
                                validation_data=validation, stop=stop)
        else:
            history = _fit_with_progress(model, X_train, y_train, epochs, batch, validation, stop)
    seconds = time.perf_counter() - started

    final = model.evaluate(X_train, y_train) if len(X_train) else {"loss": None, "accuracy": None}
    test = model.evaluate(X_test, y_test) if len(X_test) else {"loss": None, "accuracy": None}
    summary = {"loss": final["loss"], "accuracy": final["accuracy"], "val_loss": test["loss"],
               "val_accuracy": test["accuracy"], "params": model.count_params()}
    if save_path:
        model.save(save_path)
    if as_json:
        out = {"kind": "train", "inputs": inputs,
               "history": [{k: _finite(v) for k, v in r.items()} for r in history],
               "final": {k: _finite(v) if isinstance(v, float) else v for k, v in summary.items()}}
        click.echo(json.dumps(out, allow_nan=False))
        return
    _print_summary(inputs, model, history, summary, seconds, len(X_train), len(X_test))


class _ctrl_c_sets:
    """While active, the first Ctrl-C (or SIGTERM, as ``kill`` sends it) sets ``event`` (training
    stops after the batch, then the summary and the save run); a second one aborts."""

    SIGNALS = ("SIGINT", "SIGTERM")

    def __init__(self, event):
        self.event, self.old = event, {}

    def handler(self, signum, frame):
        if self.event.is_set():
            raise KeyboardInterrupt
        self.event.set()

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for name in self.SIGNALS:
                if hasattr(signal, name):
                    self.old[name] = signal.signal(getattr(signal, name), self.handler)
        return self

    def __exit__(self, *exc):
        for name, old in self.old.items():
            signal.signal(getattr(signal, name), old)
        return False


def _fit_with_progress(model, X, y, epochs, batch, validation, stop):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    batches = max(1, math.ceil(len(X) / batch))
    columns = [TextColumn("[bold]epoch {task.fields[epoch]}/{task.fields[epochs]}"), BarColumn(),
               MofNCompleteColumn(), TextColumn("{task.fields[metrics]}"), TimeRemainingColumn()]
    with Progress(*columns, transient=False) as progress:
        task = progress.add_task("train", total=epochs * batches, epoch=0, epochs=epochs, metrics="")

        def on_batch(epoch, b, n, loss):
            progress.update(task, advance=1, epoch=epoch)

        def on_epoch(record):
            text = f"loss {record['loss']:.4f}"
            if record["accuracy"] is not None:
                text += f"  acc {record['accuracy']:.1%}"
            if record["val_accuracy"] is not None:
                text += f"  test acc {record['val_accuracy']:.1%}"
            progress.update(task, metrics=text)

        return model.fit(X, y, epochs=epochs, batch_size=batch, validation_data=validation,
                         callback=on_epoch, on_batch=on_batch, stop=stop)


def _print_summary(inputs, model, history, summary, seconds, n_train, n_test):
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if model.stopped:
        last = history[-1]["epoch"] if history else 0
        console.print(f"[yellow]stopped by Ctrl-C during epoch {last}: keeping the weights trained so far[/]")
    table = Table(title="training summary", show_header=False)
    table.add_column("what", style="bold")
    table.add_column("value")
    split = f"{n_train} train / {n_test} test" if n_test else f"{n_train} (no test split)"
    table.add_row("data", f"{inputs['data']}, {inputs['classes']} classes, {split}")
    table.add_row("model", inputs["model"])
    table.add_row("parameters", f"{summary['params']:,}")
    table.add_row("training", f"{inputs['loss']} loss, {inputs['optimizer']} (lr {inputs['lr']:g}), "
                              f"batch {inputs['batch']}, {len(history)} of {inputs['epochs']} epochs, {seconds:.2f} s")
    for label, key in (("train", ""), ("test", "val_")):
        if summary[key + "loss"] is not None:
            acc = summary[key + "accuracy"]
            acc_text = f"   accuracy {acc:.1%}" if acc is not None else ""
            table.add_row(label, f"loss {summary[key + 'loss']:.4f}{acc_text}")
    console.print(table)
    if inputs["save"]:
        note = " (the weights trained before Ctrl-C)" if model.stopped else ""
        console.print(f"saved the weights to {inputs['save']}{note}")
