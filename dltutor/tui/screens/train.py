"""Training lab: train a model on a toy data set with live charts and a decision-boundary map.

Training runs in a worker thread (``LabSession.train`` → ``Sequential.fit``)
so the screen never freezes; ``fit``'s ``stop`` event pauses it after the
current batch, and a new run goes on from the same weights and optimizer
state. The learning rate can be changed while it runs: the next batch uses it.
The screen is redrawn at most ~12 times a second however fast the epochs are.
"""

from __future__ import annotations

import threading
import time

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, Select, Static

from dltutor.errors import InputError
from dltutor.tui.widgets.boundary import MARKS, BoundaryMap
from dltutor.tui.widgets.fields import GrammarValidator, first_failure

DATASETS = ("xor", "circles", "moons", "spiral", "blobs", "digits")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "rmsprop", "adam")
REDRAW_SECONDS = 0.08


def _lr(text: str) -> float:
    from dltutor.values import parse_number

    value = parse_number(text, "learning rate")
    if not 0 < value <= 10:
        raise InputError(f"the learning rate must be greater than 0 and at most 10, got {text}")
    return value


def _whole(what: str, minimum: int = 1):
    def parse(text: str) -> int:
        from dltutor.values import parse_int

        return parse_int(text, what, minimum=minimum, maximum=10**9)
    return parse


class TrainScreen(Screen):
    HELP = ("Training lab: choose a data set, a model spec (the grammar of 'dltutor solve params') and an "
            "optimizer, then ^R trains for the number of epochs given (^R again pauses, and resumes). "
            "Enter in the learning-rate field changes it at once, even while training. ^O resets the "
            "weights. The map shows the class the model predicts everywhere (shades) and the samples "
            "(marks); a mark on another class's shade is a sample it gets wrong.")
    BINDINGS = [
        Binding("escape", "leave", "Back", tooltip="stop training and go back"),
        Binding("ctrl+r", "run", "Train/pause", tooltip="train up to the epochs given; again pauses; again "
                                                        "resumes from the same weights"),
        Binding("ctrl+o", "reset", "Reset", tooltip="fresh weights from the model and settings above"),
    ]

    def __init__(self, data: str = "moons", optimizer: str = "adam", seed: int = 0):
        super().__init__()
        from dltutor.tui.lab import defaults

        self.data, self.optimizer_name, self.seed = data, optimizer, seed
        self.settings = defaults(data, optimizer)
        self.session = None
        self.stop = threading.Event()
        self.running = False
        self.target = self.settings["epochs"]
        self.last_error = ""

    def compose(self) -> ComposeResult:
        from textual_plotext import PlotextPlot

        s = self.settings
        yield Header()
        with Horizontal(id="lab-controls", classes="row"):
            yield Select([(d, d) for d in DATASETS], value=self.data, allow_blank=False, id="data", compact=True)
            yield Select([(o, o) for o in OPTIMIZERS], value=self.optimizer_name, allow_blank=False,
                         id="optimizer", compact=True)
            yield Label("lr")
            yield Input(f"{s['lr']:g}", id="lr", compact=True, validators=[GrammarValidator(_lr)])
            yield Label("batch")
            yield Input(str(s["batch"]), id="batch", compact=True,
                        validators=[GrammarValidator(_whole("batch size"))])
            yield Label("epochs")
            yield Input(str(s["epochs"]), id="epochs", compact=True,
                        validators=[GrammarValidator(_whole("epochs"))])
        with Horizontal(id="lab-model", classes="row"):
            yield Label("model")
            yield Input(s["model"], id="model", compact=True)
            yield Button("Train", id="run", variant="primary", compact=True)
            yield Button("Reset", id="reset", compact=True)
        yield Static("", id="lab-error", classes="error")
        with Horizontal(id="lab-main"):
            with Vertical(id="charts"):
                yield PlotextPlot(id="loss-chart")
                yield PlotextPlot(id="acc-chart")
            with Vertical(id="boundary"):
                yield BoundaryMap(id="map")
        yield Static(id="rules")
        yield Static(id="lab-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#boundary").border_title = "decision map"
        self.query_one("#lab-error").display = False
        self.reset_session()
        self.call_after_refresh(self.first_map)

    def first_map(self) -> None:
        """The untrained model's map, once the map has a size (it has none while the screen mounts)."""
        if self.session is not None and not self.running:
            self.redraw()

    # ------------------------------------------------------------ session
    def set_error(self, message: str) -> None:
        error = self.query_one("#lab-error", Static)
        error.update(message)
        error.display = bool(message)

    def reset_session(self) -> bool:
        """A fresh model from the fields; False (and the reason shown) when they do not make one."""
        from dltutor.tui.lab import LabSession

        self.stop.set()
        self.stop = threading.Event()
        self.running = False
        try:
            lr = _lr(self.query_one("#lr", Input).value)
            batch = _whole("batch size")(self.query_one("#batch", Input).value)
            self.session = LabSession(self.data, self.query_one("#model", Input).value, self.optimizer_name,
                                      lr, batch, seed=self.seed)
        except InputError as exc:
            self.session = None
            self.set_error(str(exc))
            self.query_one("#lab-status", Static).update(Text("fix the settings above", style="red"))
            return False
        self.set_error("")
        self.redraw()
        return True

    def snapshot(self) -> dict:
        """What the screen shows, computed in the thread that trains (the boundary needs a forward pass)."""
        session = self.session
        size = self.query_one("#map", BoundaryMap).size
        return {"session": session, "history": list(session.history),
                "boundary": session.boundary(size.width, size.height),
                "rules": session.rule_lines(), "weight": session.sample_weight()}

    def redraw(self, snap: dict | None = None) -> None:
        snap = snap or self.snapshot()
        if snap["session"] is not self.session:
            return  # a late update of a session that was reset meanwhile
        history = snap["history"]
        epochs = [r["epoch"] for r in history]
        for chart_id, key, title in (("#loss-chart", "loss", "loss"), ("#acc-chart", "accuracy", "accuracy")):
            chart = self.query_one(chart_id)
            plt = chart.plt
            plt.clear_data()
            plt.clear_figure()
            plt.title(title)
            points = [(e, r[key]) for e, r in zip(epochs, history) if r.get(key) is not None]
            if points:
                plt.plot([p[0] for p in points], [p[1] for p in points], marker="braille")
            if key == "accuracy":
                plt.ylim(0, 1)
            chart.refresh()
        session = self.session
        marks = " ".join(f"{MARKS[k]} {k}" for k in range(min(session.n_classes, len(MARKS))))
        self.query_one("#boundary").border_subtitle = f"class: {marks}" if session.two_d else ""
        if session.two_d:
            self.query_one("#map", BoundaryMap).show(snap["boundary"])
        else:
            self.query_one("#map", BoundaryMap).show(None, f"{session.data} has {session.X.shape[1]} "
                                                           "inputs: the map is drawn for 2-D data sets")
        rules = Text()
        opt = session.optimizer
        rules.append(f"{opt.name} update, step t = {opt.iterations}", style="bold")
        if snap["weight"]:
            name, w, g = snap["weight"]
            rules.append(f"   {name}: w = {w:.3g}, g = {g:.2g}", style="dim")
        for _general, filled in snap["rules"]:
            rules.append(f"\n  {filled}", style="cyan")
        self.query_one("#rules", Static).update(rules)
        last = history[-1] if history else None
        status = Text()
        done = bool(history) and session.epoch >= self.target
        status.append("training" if self.running else "done" if done else "paused" if history else "ready",
                      style="bold green" if self.running else "bold yellow")
        status.append(f"  epoch {session.epoch}/{max(self.target, session.epoch)}")
        status.append(f"  lr {session.optimizer.lr:g}")
        if last:
            status.append(f"  loss {last['loss']:.4f}")
            if last.get("accuracy") is not None:
                status.append(f"  accuracy {last['accuracy']:.3f}")
        status.append(f"  · {len(session.X)} samples · {session.model.count_params()} params", style="dim")
        self.query_one("#lab-status", Static).update(status)

    # ------------------------------------------------------------ training
    @on(Button.Pressed, "#run")
    def action_run(self) -> None:
        if self.running:
            self.stop.set()
            return
        if self.session is None and not self.reset_session():
            return
        try:
            epochs = _whole("epochs")(self.query_one("#epochs", Input).value)
        except InputError as exc:
            self.set_error(str(exc))
            return
        if self.session.epoch >= epochs:
            epochs = self.session.epoch + epochs       # finished: another round of as many epochs
            self.query_one("#epochs", Input).value = str(epochs)
        self.target = epochs
        self.stop = threading.Event()
        self.running = True
        self.query_one("#run", Button).label = "Pause"
        self.train_worker(self.session, epochs - self.session.epoch, self.stop)

    @work(thread=True, exclusive=True, group="train")
    def train_worker(self, session, epochs: int, stop: threading.Event) -> None:
        last = 0.0

        def on_epoch(record) -> None:
            nonlocal last
            now = time.monotonic()
            if now - last < REDRAW_SECONDS or session is not self.session:
                return
            last = now
            snap = self.snapshot()
            self.app.call_from_thread(self.redraw, snap)

        error = ""
        try:
            session.train(epochs, stop, on_epoch)
        except InputError as exc:
            error = str(exc)
        except FloatingPointError as exc:   # a diverging run is a lesson, not a crash
            error = f"training diverged ({exc}); lower the learning rate and reset"
        if session is self.session:
            snap = self.snapshot()
            self.app.call_from_thread(self.finished, session, snap, error)

    def finished(self, session, snap: dict, error: str) -> None:
        if session is not self.session:
            return
        self.running = False
        self.query_one("#run", Button).label = "Train"
        if error:
            self.set_error(error)
        self.redraw(snap)

    @on(Button.Pressed, "#reset")
    def action_reset(self) -> None:
        self.reset_session()

    def action_leave(self) -> None:
        self.stop.set()
        self.app.pop_screen()

    # ------------------------------------------------------------ settings
    @on(Input.Submitted, "#lr")
    def lr_changed(self, event: Input.Submitted) -> None:
        event.stop()
        message = first_failure(event.validation_result)
        if message:
            self.set_error(message)
            return
        self.set_error("")
        if self.session is not None:
            self.session.set_lr(_lr(event.value))
            self.notify(f"learning rate is now {event.value}", timeout=2)
            if not self.running:
                self.redraw()

    @on(Input.Submitted, "#model, #batch")
    def rebuild(self, event: Input.Submitted) -> None:
        event.stop()
        self.reset_session()

    @on(Input.Submitted, "#epochs")
    def epochs_entered(self, event: Input.Submitted) -> None:
        event.stop()
        if not self.running:
            self.action_run()

    @on(Input.Changed, "#lr, #batch, #epochs")
    def check_field(self, event: Input.Changed) -> None:
        self.set_error(first_failure(event.validation_result))

    @on(Select.Changed, "#data")
    def data_changed(self, event: Select.Changed) -> None:
        from dltutor.tui.lab import defaults

        if event.value == self.data:
            return
        self.data = event.value
        self.settings = s = defaults(self.data, self.optimizer_name)
        self.query_one("#model", Input).value = s["model"]
        self.query_one("#lr", Input).value = f"{s['lr']:g}"
        self.query_one("#batch", Input).value = str(s["batch"])
        self.query_one("#epochs", Input).value = str(s["epochs"])
        self.target = s["epochs"]
        self.reset_session()

    @on(Select.Changed, "#optimizer")
    def optimizer_changed(self, event: Select.Changed) -> None:
        from dltutor.tui.lab import defaults

        if event.value == self.optimizer_name:
            return
        self.optimizer_name = event.value
        self.query_one("#lr", Input).value = f"{defaults(self.data, self.optimizer_name)['lr']:g}"
        self.reset_session()
