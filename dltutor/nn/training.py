"""The training loop and the data plumbing of ``Sequential.fit``/``evaluate``.

Data are reshaped to the model's Input shape when the sizes agree (64 digit pixels
fit ``Input(64)`` and ``Input(8, 8, 1)``); integer labels become one-hot rows when
the model has one output per class. Per-epoch ``loss``/``accuracy`` are the means
over the epoch's batches as they were trained (as Keras reports them);
``val_loss``/``val_accuracy`` are computed after the epoch in inference mode.
"""

from __future__ import annotations

import math
import time

import numpy as np

from dltutor.errors import InputError
from dltutor.nn import losses


# Layer outputs, cached inputs and im2col windows of one batch, in numbers: 50 million
# float32 values is 200 MB. A batch that would need more is refused before it runs.
MAX_BATCH_VALUES = 50_000_000
RECURRENT = ("SimpleRNN", "LSTM", "GRU")
# a transposed convolution spreads each *input* cell over a window: its windows are counted
# at the input cells, with the output channels (k_h·k_w·F numbers per input cell)
TRANSPOSED = ("Conv1DTranspose", "Conv2DTranspose")


def values_per_sample(layer) -> int:
    """About how many numbers one sample keeps in a resolved layer during a training step."""
    inp, out, cfg = layer.input_shape, layer.output_shape, layer.config
    n = math.prod(inp) + math.prod(out)
    if layer.wrapped is not None:         # two directions, or the wrapped layer at every time step
        return n + _copies(layer) * values_per_sample(layer.wrapped)
    if layer.type == "MultiHeadAttention":
        positions, heads, kd, vd = _attention(layer)
        # Q, K, V, O and their gradients; the scores, the weights and the dropout mask of every head
        return n + 2 * positions * heads * (2 * kd + 2 * vd) + 3 * heads * positions * positions
    window = cfg.get("kernel_size") or cfg.get("pool_size")
    if window and out and inp and layer.type in TRANSPOSED:
        n += math.prod(inp[:-1]) * math.prod(window) * out[-1]
    elif window and out and inp:          # the im2col matrix: one row of k_h·k_w·C per output cell
        n += math.prod(out[:-1]) * math.prod(window) * inp[-1]
    if layer.type in RECURRENT and inp:   # the states and gates of every time step
        n += inp[0] * cfg.get("units", 0) * 8
    if layer.type in ("BatchNormalization", "LayerNormalization"):   # X̂, kept for the backward pass
        n += math.prod(inp)
    if cfg.get("interpolation") == "bilinear":                        # the map interpolated along one axis
        n += math.prod(out)
    return n


# A training run's work: about (forward + backward) multiply-adds of every sample of every epoch.
# Beyond this a run would take hours on a laptop; it is refused before it starts.
MAX_TRAIN_WORK = 2e12


def work_per_sample(layer) -> int:
    """About how many multiply-adds one sample costs a resolved layer in its forward pass:
    each parameter once per output position (a convolution's kernel slides over every cell);
    bilinear upsampling applies an interpolation matrix along each axis (H_in + W_in per output value)."""
    out, cfg = layer.output_shape, layer.config
    if layer.wrapped is not None:
        return _copies(layer) * work_per_sample(layer.wrapped)
    if layer.type == "MultiHeadAttention":    # the projections at every position, then Q·Kᵀ and A·V per head
        positions, heads, kd, vd = _attention(layer)
        return layer.params * positions + heads * positions * positions * (kd + vd)
    if cfg.get("interpolation") == "bilinear" and out:
        return math.prod(out) * sum(layer.input_shape[:-1])
    positions = math.prod(out[:-1]) if (cfg.get("kernel_size") and out) else 1
    if layer.type in TRANSPOSED:
        positions = math.prod(layer.input_shape[:-1])  # each input cell meets the whole kernel once
    if layer.type in RECURRENT and layer.input_shape:
        positions = layer.input_shape[0]          # the cell runs once per time step
    return max(layer.params * positions, math.prod(out) if out else 1)


def _copies(wrapper) -> int:
    """How many times a wrapper runs its layer per sample: 2 directions, or once per time step."""
    return 2 if wrapper.type == "Bidirectional" else wrapper.input_shape[0]


def _attention(layer) -> tuple[int, int, int, int]:
    """(positions attended over, heads, key_dim, value_dim) of a resolved MultiHeadAttention."""
    cfg = layer.config
    return (math.prod(layer.input_shape[:-1]), cfg["num_heads"], cfg["key_dim"],
            cfg.get("value_dim") or cfg["key_dim"])


def check_work(model, samples: int, epochs: int) -> None:
    """InputError when ``epochs`` passes over ``samples`` samples would exceed MAX_TRAIN_WORK."""
    per = 3 * getattr(model, "work_per_sample", 0)       # backward costs about twice the forward
    total = per * samples * epochs
    if total > MAX_TRAIN_WORK:
        fits = int(MAX_TRAIN_WORK // max(per * samples, 1))
        raise InputError(f"this run needs about {total:.1e} multiply-adds ({epochs:,} epochs x {samples:,} samples "
                         f"x {per:,} per sample); the limit is {MAX_TRAIN_WORK:.0e}: use at most {fits:,} "
                         "epochs, fewer samples or a smaller model")


def check_batch(model, rows: int) -> None:
    """InputError when ``rows`` samples at once would need more than MAX_BATCH_VALUES numbers."""
    per = getattr(model, "values_per_sample", 0)
    if rows * per > MAX_BATCH_VALUES:
        fits = max(MAX_BATCH_VALUES // per, 0)
        raise InputError(f"a batch of {rows:,} samples needs about {rows * per:,} numbers in this model's layers; "
                         f"the limit is {MAX_BATCH_VALUES:,}: use a batch of at most {fits:,} or smaller layers")


def _fmt(shape) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def prepare_inputs(model, X):
    """X as an array of the model's dtype and shape (N, *input_shape), or InputError naming both shapes."""
    X = np.asarray(X)
    if model.layers and model.layers[0].type == "Embedding":
        X = X.astype(np.int64, copy=False)
    else:
        X = X.astype(model.dtype, copy=False)
    if X.ndim == 1:
        X = X[:, None]
    per_sample = X.shape[1:]
    if per_sample == model.input_shape:
        return X
    if math.prod(per_sample) == math.prod(model.input_shape):
        return X.reshape((len(X),) + model.input_shape)
    raise InputError(f"the data have {math.prod(per_sample)} values per sample {_fmt(per_sample)} but the "
                     f"model's Input{_fmt(model.input_shape)} takes {math.prod(model.input_shape)}: "
                     f"change Input to Input({', '.join(str(d) for d in per_sample)})")


def labels_to_targets(model, y, n: int):
    """(Y, labels): targets shaped like the output (N, K) and the integer labels for accuracy (or None)."""
    y = np.asarray(y)
    if len(y) != n:
        raise InputError(f"there are {n} samples but {len(y)} labels")
    out = model.output_shape
    K = out[-1] if out else 1
    if y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1 and K > 1):
        y = y.reshape(-1)
        whole = np.all(np.isfinite(y)) and np.all(y == np.round(y))
        if len(out) == 1 and K > 1:
            if not whole or (len(y) and (y.min() < 0 or y.max() >= K)):
                lo, hi = (y.min(), y.max()) if len(y) else (0, 0)
                raise InputError(f"the labels go from {lo:g} to {hi:g} but the model has {K} outputs: "
                                 f"the last layer needs one unit per class (0..{K - 1})")
            labels = y.astype(np.int64)
            return np.eye(K, dtype=model.dtype)[labels], labels
        if out == (1,):
            return y.astype(model.dtype)[:, None], (y.astype(np.int64) if whole else None)
    if y.shape[1:] == out:
        labels = None
        if len(out) == 1 and K > 1:
            labels = y.argmax(axis=1)
        elif out == (1,) and np.all(y == np.round(y)):
            labels = y[:, 0].astype(np.int64)
        return y.astype(model.dtype, copy=False), labels
    raise InputError(f"the labels have shape {_fmt(y.shape[1:])} per sample but the model's output is "
                     f"{_fmt(out)}: the last layer must match the labels")


def accuracy(P, labels):
    """Fraction of samples whose predicted class is the label (argmax, or P ≥ 0.5 for one output;
    ≥ 0 with ±1 labels). None when the labels are not classes."""
    if labels is None or len(labels) == 0:
        return None
    if P.ndim == 2 and P.shape[1] > 1:
        return float(np.mean(P.argmax(axis=1) == labels))
    p = P.reshape(len(P), -1)[:, 0]
    if labels.min() < 0:
        return float(np.mean(np.where(p >= 0, 1, -1) == labels))
    return float(np.mean((p >= 0.5).astype(np.int64) == labels))


def _should_stop(stop) -> bool:
    if stop is None:
        return False
    if hasattr(stop, "is_set"):
        return stop.is_set()
    return bool(stop())


class Trainer:
    """One ``fit`` call: shuffles, cuts batches, runs forward/backward/update, keeps the history."""

    def __init__(self, model, batch_size, shuffle, callback, on_batch, stop, verbose):
        if int(batch_size) < 1:
            raise InputError(f"batch size must be at least 1, got {batch_size}")
        self.model, self.batch_size, self.shuffle = model, int(batch_size), shuffle
        self.callback, self.on_batch, self.stop, self.verbose = callback, on_batch, stop, verbose

    def step(self, Xb, Yb):
        """One batch: forward, loss, backward, update. Returns (loss, P)."""
        model = self.model
        P = model.forward(Xb, training=True)
        loss = float(np.mean(model.loss.value(Yb, P)))
        if model.fused():
            grad = losses.softmax_cce_grad if model.loss.name == "cce" else losses.sigmoid_bce_grad
            model.backward(grad(Yb, P).astype(P.dtype, copy=False), fused=True)
        else:
            model.backward(model.loss.grad(Yb, P).astype(P.dtype, copy=False))
        pairs = model.trainable()
        model.optimizer.update([layer.weights[n] for layer, n in pairs], [layer.grads[n] for layer, n in pairs])
        return loss, P

    def run(self, X, y, epochs, validation_data=None):
        model = self.model
        model.stopped = False
        X = prepare_inputs(model, X)
        Y, labels = labels_to_targets(model, y, len(X))
        history = []
        n = len(X)
        check_batch(model, min(self.batch_size, n))
        batches = max(1, math.ceil(n / self.batch_size))
        for epoch in range(1, int(epochs) + 1):
            start = time.perf_counter()
            order = model.rng.permutation(n) if self.shuffle else np.arange(n)
            total_loss, right, seen = 0.0, 0.0, 0
            for b in range(batches):
                idx = order[b * self.batch_size:(b + 1) * self.batch_size]
                loss, P = self.step(X[idx], Y[idx])
                total_loss += loss * len(idx)
                if labels is not None:
                    right += accuracy(P, labels[idx]) * len(idx)
                seen += len(idx)
                if self.on_batch:
                    self.on_batch(epoch, b + 1, batches, loss)
                if _should_stop(self.stop):
                    model.stopped = True
                    break
            record = {"epoch": epoch, "loss": total_loss / max(seen, 1),
                      "accuracy": right / seen if labels is not None and seen else None,
                      "val_loss": None, "val_accuracy": None}
            if validation_data is not None and len(validation_data[0]):
                val = model.evaluate(*validation_data)
                record["val_loss"], record["val_accuracy"] = val["loss"], val["accuracy"]
            record["seconds"] = time.perf_counter() - start
            history.append(record)
            if self.verbose:
                print(_epoch_line(record, epochs))
            if self.callback:
                self.callback(record)
            if model.stopped:
                break
        return history


def _epoch_line(record, epochs) -> str:
    parts = [f"epoch {record['epoch']}/{epochs}", f"loss {record['loss']:.4f}"]
    for key in ("accuracy", "val_loss", "val_accuracy"):
        if record[key] is not None:
            parts.append(f"{key} {record[key]:.4f}")
    return "  ".join(parts)
