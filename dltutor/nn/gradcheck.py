"""Finite-difference gradient checks for layers, losses and whole models (run in float64).

    numeric  ∂L/∂w ≈ (L(w + ε) − L(w − ε)) / (2ε)           central differences, ε = 1e-6
    error    ‖analytic − numeric‖ / (‖analytic‖ + ‖numeric‖)   (0 when both vanish, or when the
             analytic gradient is exactly 0 and every numeric entry is below NOISE)

A layer is checked through the scalar L = Σ R ⊙ layer(X) with a fixed random R, so
backward(R) must return ∂L/∂X and leave ∂L/∂W in ``layer.grads``. Large arrays are
checked on a random sample of their entries to keep the tests fast.
"""

from __future__ import annotations

import numpy as np

EPS = 1e-6
NOISE = 1e-7      # the rounding noise of a central difference of an O(1) loss in float64, ~1e-16/EPS


def relative_error(analytic, numeric) -> float:
    a, n = np.asarray(analytic, dtype=float), np.asarray(numeric, dtype=float)
    if not a.any() and np.abs(n).max(initial=0.0) < NOISE:
        return 0.0          # a gradient that is exactly 0 (attention's key bias); numeric is rounding noise
    scale = np.linalg.norm(a) + np.linalg.norm(n)
    return 0.0 if scale == 0 else float(np.linalg.norm(a - n) / scale)


def _entries(array, max_entries, rng):
    size = array.size
    if size <= max_entries:
        return np.arange(size)
    return rng.choice(size, max_entries, replace=False)


def numeric_gradient(f, array, entries, eps=EPS):
    """Central differences of the scalar f() with respect to ``array.flat[entries]`` (changed in place, restored)."""
    if not array.flags.c_contiguous:
        raise ValueError("numeric_gradient changes the array through a flat view: it must be C-contiguous")
    flat = array.reshape(-1)
    out = np.empty(len(entries))
    for k, i in enumerate(entries):
        old = flat[i]
        flat[i] = old + eps
        plus = f()
        flat[i] = old - eps
        minus = f()
        flat[i] = old
        out[k] = (plus - minus) / (2 * eps)
    return out


def layer_input(layer, batch: int, rng):
    """A random batch that the layer accepts (word indices for an Embedding)."""
    if layer.type == "Embedding":
        return rng.integers(0, layer.config["input_dim"], size=(batch,) + layer.input_shape)
    return rng.standard_normal((batch,) + layer.input_shape)


def check_layer(layer, X=None, *, batch: int = 3, seed: int = 0, max_entries: int = 60) -> dict[str, float]:
    """Relative errors of dX and of every trainable weight's gradient: {"dX": .., "kernel": .., ...}."""
    rng = np.random.default_rng(seed)
    X = layer_input(layer, batch, rng) if X is None else X
    layer.need_input_grad = True

    def forward():
        layer.rng = np.random.default_rng(seed + 1)     # the same dropout mask every time
        return layer.forward(X, training=True)

    R = rng.standard_normal(forward().shape)
    loss = lambda: float(np.sum(R * forward()))         # noqa: E731
    loss()
    dX = layer.backward(R)
    analytic = {name: layer.grads[name].copy() for name in layer.trainable_names()}
    errors = {}
    if dX is not None:
        idx = _entries(X, max_entries, rng)
        errors["dX"] = relative_error(dX.reshape(-1)[idx], numeric_gradient(loss, X, idx))
    for name, grad in analytic.items():
        W = layer.weights[name]
        idx = _entries(W, max_entries, rng)
        errors[name] = relative_error(grad.reshape(-1)[idx], numeric_gradient(loss, W, idx))
    return errors


def check_loss(loss, Y, P) -> float:
    """Relative error of ``loss.grad`` (∂ mean loss/∂P) against finite differences."""
    P = np.array(P, dtype=float)
    value = lambda: float(np.mean(loss.value(Y, P)))    # noqa: E731
    idx = np.arange(P.size)
    return relative_error(loss.grad(Y, P).reshape(-1), numeric_gradient(value, P, idx))


def check_model(model, X, Y, *, seed: int = 0, max_entries: int = 40) -> dict[str, float]:
    """Whole-model check: the gradient of the batch loss (fused output included) for every weight."""
    rng = np.random.default_rng(seed)
    from dltutor.nn import losses

    def value():
        for layer in model.layers:
            layer.rng = np.random.default_rng(seed + 1)
        return float(np.mean(model.loss.value(Y, model.forward(X, training=True))))

    value()
    P = model.layers[-1].A
    if model.fused():
        grad = losses.softmax_cce_grad if model.loss.name == "cce" else losses.sigmoid_bce_grad
        model.backward(grad(Y, P), fused=True)
    else:
        model.backward(model.loss.grad(Y, P))
    errors = {}
    for i, (layer, name) in enumerate(model.trainable()):
        W, g = layer.weights[name], layer.grads[name].copy()
        idx = _entries(W, max_entries, rng)
        errors[f"{i}.{layer.type}.{name}"] = relative_error(g.reshape(-1)[idx], numeric_gradient(value, W, idx))
    return errors
