"""The training lab's state: a data set, a model built from its spec, an optimizer, the history.

A plain object over the engine (``dltutor.nn``), so the lab screen only draws:

    lab = LabSession("moons", "Input(2) -> Dense(16, tanh) -> Dense(1, sigmoid)", "adam", lr=0.02)
    lab.train(5, stop=threading.Event(), on_epoch=print)    # epochs go on from where they were
    lab.boundary(36, 14)                                      # predicted class per cell of a grid

Defaults (model, epochs, batch, learning rate per data set) come from
``dltutor.nn.presets``, as those of ``dltutor train`` do, so both faces agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from dltutor.errors import InputError
from dltutor.nn.presets import check_fits, settings


def defaults(data: str, optimizer: str = "adam", classes: int = 3) -> dict:
    """Model spec, epochs, batch and learning rate that ``dltutor train --data DATA`` would use."""
    return settings(data, optimizer, classes)


@dataclass
class Boundary:
    """The predicted class of every cell of a width × height grid over the data, and where the samples fall."""

    classes: np.ndarray          # (height, width) ints, row 0 at the top
    points: list[tuple[int, int, int]]   # (row, col, true label)
    n_classes: int


class LabSession:
    def __init__(self, data: str, spec: str, optimizer: str = "adam", lr: float = 0.01, batch: int = 32,
                 seed: int = 0, samples: int | None = None, classes: int | None = None):
        from dltutor.nn import data as datasets
        from dltutor.nn.model import build
        from dltutor.nn.training import prepare_inputs

        self.data, self.spec, self.batch, self.seed = data, spec, int(batch), seed
        self.X, self.y = datasets.load(data, samples=samples, classes=classes, seed=seed)
        self.n_classes = max(int(self.y.max()) + 1, 2)
        try:
            self.model = build(spec, seed=seed)
        except InputError as exc:
            raise InputError(f"model: {exc}") from None
        prepare_inputs(self.model, self.X[:1])
        check_fits(self.model, data, self.n_classes)
        self.model.compile(optimizer=optimizer, lr=lr)
        self.history: list[dict] = []
        self.two_d = self.X.ndim == 2 and self.X.shape[1] == 2

    @property
    def epoch(self) -> int:
        return len(self.history)

    @property
    def optimizer(self):
        return self.model.optimizer

    def set_lr(self, lr: float) -> None:
        """Takes effect from the next batch, also while training runs in another thread."""
        self.model.optimizer.lr = float(lr)

    def train(self, epochs: int, stop=None, on_epoch=None) -> None:
        """``epochs`` more epochs (fewer when ``stop`` is set); ``on_epoch(record)`` after each."""
        def callback(record):
            record = dict(record, epoch=self.epoch + 1)
            self.history.append(record)
            if on_epoch:
                on_epoch(record)

        if epochs > 0:
            self.model.fit(self.X, self.y, epochs=epochs, batch_size=self.batch, callback=callback, stop=stop)

    # ------------------------------------------------------------ views
    def extent(self) -> tuple[np.ndarray, np.ndarray]:
        """The corners (low, high) of the area the map covers: the samples and a margin around them."""
        lo, hi = self.X.min(axis=0), self.X.max(axis=0)
        pad = (hi - lo) * 0.08 + 1e-6
        return lo - pad, hi + pad

    def map_size(self, width: int, height: int) -> tuple[int, int]:
        """The largest grid within ``width`` × ``height`` terminal cells that keeps the data's proportions."""
        if not self.two_d:
            return width, height
        lo, hi = self.extent()
        return fit_aspect(width, height, float(hi[0] - lo[0]), float(hi[1] - lo[1]))

    def boundary(self, width: int, height: int) -> Boundary | None:
        """Predicted classes on a grid covering the samples (2-D data sets only)."""
        if not self.two_d or width < 2 or height < 2:
            return None
        lo, hi = self.extent()
        xs = np.linspace(lo[0], hi[0], width)
        ys = np.linspace(hi[1], lo[1], height)         # top row = largest y
        gx, gy = np.meshgrid(xs, ys)
        P = self.model.predict(np.column_stack([gx.ravel(), gy.ravel()]).astype(np.float32))
        classes = (P.argmax(axis=1) if P.shape[1] > 1 else (P[:, 0] >= 0.5).astype(int)).reshape(height, width)
        cols = np.clip(((self.X[:, 0] - lo[0]) / (hi[0] - lo[0]) * (width - 1)).round().astype(int), 0, width - 1)
        rows = np.clip(((hi[1] - self.X[:, 1]) / (hi[1] - lo[1]) * (height - 1)).round().astype(int), 0, height - 1)
        points = list(zip(rows.tolist(), cols.tolist(), self.y.tolist()))
        return Boundary(classes, points, self.n_classes)

    def rule_lines(self) -> list[tuple[str, str]]:
        """The optimizer's update rules, as written and with the current numbers put in."""
        from dltutor.render.terminal import pretty_formula
        from dltutor.values import format_number

        opt = self.model.optimizer
        numbers = {name: format_number(value, 4) for name, value in opt.hyper().items()}
        numbers["t"] = str(max(opt.iterations, 1))
        # the watched weight (sample_weight) is element 0 of the first trainable array,
        # whose optimizer state is slots[0]
        state = {k: float(v.flat[0]) for k, v in opt.slots[0].items()} if opt.slots else {}
        watched = self.sample_weight()
        if watched is not None and opt.iterations:
            state["w"] = watched[1]
        lines = []
        for rule in opt.rules:
            filled = re.sub(r"\b(" + "|".join(map(re.escape, numbers)) + r")\b",
                            lambda m: numbers[m.group(1)], rule)
            shown = pretty_formula(filled)
            target = rule.split("=", 1)[0].strip()
            if rule.startswith("alpha_t") and hasattr(opt, "step_size") and opt.iterations:
                shown += " = " + format_number(opt.step_size(), 4)
            elif target in state:
                shown += " → " + format_number(state[target], 4)
            lines.append((pretty_formula(rule), shown))
        return lines

    def sample_weight(self) -> tuple[str, float, float] | None:
        """One weight and its latest gradient (the first of the first trainable layer), to watch change."""
        for layer, name in self.model.trainable():
            w, g = layer.weights[name], layer.grads.get(name)
            if w.size:
                return f"{layer.label}.{name}[0]", float(w.flat[0]), float(g.flat[0]) if g is not None else 0.0
        return None


# ------------------------------------------------------------------ chart axes

def _nice_step(raw: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k that is at least ``raw``."""
    import math

    if raw <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in (1.0, 2.0, 2.5, 5.0, 10.0):
        if factor * power >= raw * (1 - 1e-9):
            return factor * power
    return 10.0 * power


def epoch_ticks(last: int, most: int = 6) -> list[int]:
    """Whole-number epoch ticks up to ``last``: every epoch when there are few, else multiples of a
    round step (5, 10, 20, 25, 50 ...).

    >>> epoch_ticks(100)
    [20, 40, 60, 80, 100]
    """
    last = max(int(last), 1)
    step = max(1, int(_nice_step(last / most)))
    return list(range(step, last + 1, step)) if step > 1 else list(range(1, last + 1))


def value_ticks(lo: float, hi: float, rows: int, most: int = 5) -> list[float]:
    """Evenly spaced round y ticks ``start + i·step`` that cover [lo, hi], for a chart of ``rows`` rows.

    The number of gaps between ticks divides ``rows - 1`` where it can, so that the ticks also
    fall on evenly spaced rows; of those, the one whose axis fits [lo, hi] most tightly."""
    import math

    rows = max(int(rows), 2)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        lo, hi = 0.0, 1.0
    if hi - lo < 1e-12:
        lo, hi = lo - 0.5 * (abs(lo) or 1), hi + 0.5 * (abs(hi) or 1)
    allowed = [k for k in range(min(most - 1, rows - 1), 0, -1) if (rows - 1) % k == 0 and k >= 2]
    # at least two gaps: one gap cannot cover a range that straddles a multiple of every step (0)
    allowed = allowed or [k for k in range(min(most - 1, rows - 1), 0, -1) if k >= 2] or [2]
    best = None
    for gaps in allowed:
        step = _nice_step((hi - lo) / gaps)
        for _ in range(200):          # each round takes the next round step up: ends long before 200
            start = math.floor(lo / step + 1e-9) * step
            if start + gaps * step >= hi - 1e-12:
                break
            step = _nice_step(step * 1.0001)
        if best is None or gaps * step < best[0] * best[1] - 1e-12:
            best = (gaps, step, start)
    gaps, step, start = best
    return [round(start + i * step, 12) for i in range(gaps + 1)]


def tick_labels(ticks: list[float]) -> list[str]:
    """The ticks with as many decimals as their step needs (0.25, 0.50, 0.75: all with two)."""
    step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
    decimals = 0
    while decimals < 6 and abs(round(step, decimals) - step) > 1e-9 * max(step, 1e-12):
        decimals += 1
    if decimals > 4 or max(abs(t) for t in ticks) >= 1e5:      # tiny or huge: 3 significant figures
        return [f"{t:.3g}" for t in ticks]
    return [f"{t:.{decimals}f}" for t in ticks]


def fit_aspect(width: int, height: int, x_span: float, y_span: float, cell_ratio: float = 2.0) -> tuple[int, int]:
    """The largest grid within ``width`` × ``height`` cells that shows the data without stretching it.

    A terminal cell is about ``cell_ratio`` times as tall as it is wide, so a square of data
    is ``cell_ratio`` columns wide for each row."""
    if width < 2 or height < 2 or x_span <= 0 or y_span <= 0:
        return width, height
    rows_for_width = width * (y_span / x_span) / cell_ratio
    if rows_for_width <= height:
        return width, max(2, round(rows_for_width))
    return max(2, round(height * cell_ratio * x_span / y_span)), height
