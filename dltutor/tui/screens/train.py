"""Training lab: train a model on a toy data set with live charts and a decision-boundary map.

Training runs in a worker thread (``LabSession.train`` → ``Sequential.fit``)
so the screen never freezes; ``fit``'s ``stop`` event pauses it after the
current batch, and a new run goes on from the same weights and optimizer
state. The learning rate can be changed while it runs: the next batch uses it.
The screen is redrawn at most ~12 times a second however fast the epochs are,
and the speed setting holds training back to a pace a person can follow
(10 epochs a second unless asked otherwise). Before training, the status line
says what ^R will do and the charts show their axes over the planned epochs.
"""

from __future__ import annotations

import math
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
from dltutor.tui.widgets.boundary import BoundaryMap, legend
from dltutor.tui.widgets.fields import GrammarValidator, first_failure

DATASETS = ("xor", "circles", "moons", "spiral", "blobs", "digits")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "rmsprop", "adam")
REDRAW_SECONDS = 0.08
# speed setting -> epochs per second (None: as fast as the machine goes)
SPEEDS = {"2/s": 2.0, "10/s": 10.0, "50/s": 50.0, "max": None}
DEFAULT_SPEED = "10/s"


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
            "weights. The speed setting sets how many epochs a second are trained (10/s by default, so "
            "you can watch; max: as fast as the machine can). The map shows the class the model "
            "predicts everywhere (the shading: its legend is under the map) and the samples (marks, "
            "their true class); a mark on another class's shading is a sample it gets wrong. The map "
            "keeps the data's proportions.")
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
        self.speed = SPEEDS[DEFAULT_SPEED]

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
            yield Label("speed")
            yield Select([(name, name) for name in SPEEDS], value=DEFAULT_SPEED, allow_blank=False, id="speed",
                         compact=True)
            yield Button("Train", id="run", variant="primary", compact=True)
            yield Button("Reset", id="reset", compact=True)
        yield Static("", id="lab-error", classes="error")
        with Horizontal(id="lab-main"):
            with Vertical(id="charts"):
                yield PlotextPlot(id="loss-chart")
                yield PlotextPlot(id="acc-chart")
            with Vertical(id="boundary"):
                yield BoundaryMap(id="map")
                yield Static(id="map-legend")
        yield Static(id="rules")
        yield Static(id="lab-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#boundary").border_title = "decision map"
        self.query_one("#data", Select).focus()
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
                "boundary": session.boundary(*session.map_size(size.width, size.height)),
                "rules": session.rule_lines(), "weight": session.sample_weight()}

    def redraw(self, snap: dict | None = None) -> None:
        snap = snap or self.snapshot()
        if snap["session"] is not self.session:
            return  # a late update of a session that was reset meanwhile
        history = snap["history"]
        session = self.session
        planned = max(self.target, session.epoch, 1)
        for chart_id, key in (("#loss-chart", "loss"), ("#acc-chart", "accuracy")):
            self.draw_chart(self.query_one(chart_id), key, history, planned)
        self.query_one("#map-legend", Static).update(legend(session.n_classes) if session.two_d else "")
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
        self.query_one("#lab-status", Static).update(self.status_text(history))

    def status_text(self, history: list) -> Text:
        """What the lab is doing, or (before training) what ^R will do."""
        session = self.session
        last = history[-1] if history else None
        done = bool(history) and session.epoch >= self.target
        status = Text()
        if not history and not self.running:
            speed = "as fast as it can" if self.speed is None else f"at {self.speed:g} epochs/s"
            status.append("ready", style="bold yellow")
            status.append(f"  ^R trains {self.target} epoch{'s' if self.target != 1 else ''} on "
                          f"{len(session.X)} {session.data} samples {speed}")
            status.append(f" · {session.model.count_params()} params", style="dim")
            return status
        status.append("training" if self.running else "done" if done else "paused",
                      style="bold green" if self.running else "bold yellow")
        status.append(f"  epoch {session.epoch}/{max(self.target, session.epoch)}")
        if last:
            status.append(f"  loss {last['loss']:.4f}")
            if last.get("accuracy") is not None:
                status.append(f"  accuracy {last['accuracy']:.3f}")
        status.append(f"  lr {session.optimizer.lr:g}", style="dim")
        return status

    def draw_chart(self, chart, key: str, history: list, planned: int) -> None:
        """One chart: whole-number epochs on x (1 to the epochs planned), round evenly spaced values on y."""
        from dltutor.tui.lab import epoch_ticks, tick_labels, value_ticks

        plt = chart.plt
        plt.clear_data()
        plt.clear_figure()
        plt.xlabel("epoch")
        plt.ylabel(key)
        # a diverging run can log inf or nan: those are left out of the chart (the status line says so)
        points = [(r["epoch"], r[key]) for r in history
                  if r.get(key) is not None and math.isfinite(r[key])]
        rows = max(chart.size.height - 4, 2)          # less the frame, the tick labels and the axis labels
        if key == "accuracy":
            lo, hi = 0.0, 1.0
        elif points:
            lo, hi = min(p[1] for p in points), max(p[1] for p in points)
        else:
            lo, hi = 0.0, 1.0
        yticks = value_ticks(lo, hi, rows) if key != "accuracy" else value_ticks(0.0, 1.0, rows)
        xticks = epoch_ticks(planned, most=max(2, min(6, chart.size.width // 8)))
        plt.xlim(1, max(planned, 2))
        plt.ylim(yticks[0], yticks[-1])
        plt.xticks(xticks, [str(t) for t in xticks])
        plt.yticks(yticks, tick_labels(yticks))
        if points:
            plt.plot([p[0] for p in points], [p[1] for p in points], marker="braille")
        else:
            plt.text("^R starts training" if key == "loss" else f"{key} per epoch, once training starts",
                     (1 + max(planned, 2)) / 2, (yticks[0] + yticks[-1]) / 2, alignment="center")
        chart.refresh()

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
        pace = time.monotonic()

        def on_epoch(record) -> None:
            nonlocal last, pace
            if self.speed is not None:       # hold back to the chosen epochs a second (stop ends the wait)
                pace = max(pace + 1.0 / self.speed, time.monotonic())
                stop.wait(max(0.0, pace - time.monotonic()))
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

    @on(Select.Changed, "#speed")
    def speed_changed(self, event: Select.Changed) -> None:
        self.speed = SPEEDS[event.value]      # the next epoch goes at the new pace
        if not self.running and self.session is not None:
            self.redraw()

    @on(Select.Changed, "#optimizer")
    def optimizer_changed(self, event: Select.Changed) -> None:
        from dltutor.tui.lab import defaults

        if event.value == self.optimizer_name:
            return
        self.optimizer_name = event.value
        self.query_one("#lr", Input).value = f"{defaults(self.data, self.optimizer_name)['lr']:g}"
        self.reset_session()
