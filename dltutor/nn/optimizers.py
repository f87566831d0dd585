"""Optimizers with Keras 3's update rules, vectorized over any number of weight arrays.

The engine trains with these, and ``solve optimizer`` explains the very same
updates step by step (it reads the slots after each update), so the numbers a
student sees are the ones the engine uses.

    sgd       w ← w − lr·g
    momentum  v ← β·v − lr·g;  w ← w + v
    nesterov  v ← β·v − lr·g;  w ← w + β·v − lr·g          (Keras SGD(nesterov=True))
    rmsprop   s ← ρ·s + (1 − ρ)·g²;  w ← w − lr·g/√(s + ε)
    adam      m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²
              α_t = lr·√(1 − β2^t)/(1 − β1^t);  w ← w − α_t·m/(√v + ε)
"""

from __future__ import annotations

import numpy as np


class Optimizer:
    """Base: ``update(params, grads)`` changes the arrays in place; ``slots[i]`` holds
    the state of weight array ``i`` (velocity, moments) after the last update."""

    name = "optimizer"
    rules: tuple[str, ...] = ()
    slot_names: tuple[str, ...] = ()

    def __init__(self, lr: float = 0.01):
        self.lr = float(lr)
        self.iterations = 0
        self.slots: list[dict[str, np.ndarray]] = []

    def update(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        if not self.slots:
            self.slots = [{k: np.zeros_like(p) for k in self.slot_names} for p in params]
        self.iterations += 1
        for p, g, slot in zip(params, grads, self.slots):
            self._apply(p, g, slot)

    def _apply(self, p: np.ndarray, g: np.ndarray, slot: dict) -> None:  # pragma: no cover - abstract
        raise TypeError(f"{type(self).__name__} defines no update rule")

    def hyper(self) -> dict[str, float]:
        return {"lr": self.lr}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v:g}" for k, v in self.hyper().items())
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    name = "sgd"
    rules = ("w = w - lr*g",)

    def _apply(self, p, g, slot):
        p -= self.lr * g


class Momentum(Optimizer):
    name = "momentum"
    rules = ("v = beta*v - lr*g", "w = w + v")
    slot_names = ("v",)

    def __init__(self, lr: float = 0.01, beta: float = 0.9):
        super().__init__(lr)
        self.beta = float(beta)

    def _apply(self, p, g, slot):
        v = slot["v"]
        v *= self.beta
        v -= self.lr * g
        p += v

    def hyper(self):
        return {"lr": self.lr, "beta": self.beta}


class Nesterov(Momentum):
    name = "nesterov"
    rules = ("v = beta*v - lr*g", "w = w + beta*v - lr*g")

    def _apply(self, p, g, slot):
        v = slot["v"]
        v *= self.beta
        v -= self.lr * g
        p += self.beta * v - self.lr * g


class RMSprop(Optimizer):
    name = "rmsprop"
    rules = ("s = rho*s + (1 - rho)*g**2", "w = w - lr*g/sqrt(s + eps)")
    slot_names = ("s",)

    def __init__(self, lr: float = 0.001, rho: float = 0.9, eps: float = 1e-7):
        super().__init__(lr)
        self.rho, self.eps = float(rho), float(eps)

    def _apply(self, p, g, slot):
        s = slot["s"]
        s *= self.rho
        s += (1 - self.rho) * g * g
        p -= self.lr * g / np.sqrt(s + self.eps)  # Keras 3: eps inside the root

    def hyper(self):
        return {"lr": self.lr, "rho": self.rho, "eps": self.eps}


class Adam(Optimizer):
    name = "adam"
    rules = ("m = beta1*m + (1 - beta1)*g", "v = beta2*v + (1 - beta2)*g**2",
             "alpha_t = lr*sqrt(1 - beta2**t)/(1 - beta1**t)", "w = w - alpha_t*m/(sqrt(v) + eps)")
    slot_names = ("m", "v")

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-7):
        super().__init__(lr)
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)

    def step_size(self) -> float:
        """α_t for the current iteration t (bias correction folded into the rate, as Keras does)."""
        t = self.iterations
        return self.lr * np.sqrt(1 - self.beta2 ** t) / (1 - self.beta1 ** t)

    def _apply(self, p, g, slot):
        m, v = slot["m"], slot["v"]
        m += (1 - self.beta1) * (g - m)
        v += (1 - self.beta2) * (g * g - v)
        p -= self.step_size() * m / (np.sqrt(v) + self.eps)

    def hyper(self):
        return {"lr": self.lr, "beta1": self.beta1, "beta2": self.beta2, "eps": self.eps}


OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.name: cls for cls in (SGD, Momentum, Nesterov, RMSprop, Adam)
}


def make(name: str, lr: float | None = None, **hyper) -> Optimizer:
    """An optimizer by name; ``lr=None`` keeps the class default."""
    try:
        cls = OPTIMIZERS[name]
    except KeyError:
        raise KeyError(f"unknown optimizer {name!r}; known: {', '.join(OPTIMIZERS)}") from None
    kwargs = dict(hyper)
    if lr is not None:
        kwargs["lr"] = lr
    return cls(**kwargs)
