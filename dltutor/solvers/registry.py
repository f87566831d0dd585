"""The table of ``solve`` kinds: name → solver function and its options.

Adding a kind is adding one decorated function in its topic module (and its
name to ``KIND_MODULES``, so that ``dltutor solve KIND`` imports only that
module: the shape kinds must start as fast as a NumPy import).

The options describe themselves (parser, default, help) so that the CLI, the
TUI's calculator form and the lessons' ``solve`` blocks are all built from the
same table.
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass
from typing import Any, Callable

from dltutor import values
from dltutor.errors import InputError, did_you_mean
from dltutor.solution import Solution

# kind name -> module under dltutor.solvers that registers it
KIND_MODULES: dict[str, str] = {
    "conv-output": "shapes",
    "pool-output": "shapes",
    "params": "shapes",
    "neuron": "neurons",
    "activation": "activation",
    "loss": "loss",
    "mp-neuron": "neurons",
    "perceptron": "learning",
    "lms": "learning",
    "metrics": "metrics",
    "backprop": "backprop",
    "rnn": "recurrent",
    "lstm": "recurrent",
    "gru": "recurrent",
    "conv2d": "convolution",
    "pool": "convolution",
    "conv-cost": "convolution",
    "optimizer": "optim",
    "regression-metrics": "evaluation",
    "auc": "evaluation",
    "dropout": "normalization",
    "batchnorm": "normalization",
    "attention": "attention",
    "positional-encoding": "attention",
    "bptt": "bptt",
    "receptive-field": "receptive",
}

Parser = Callable[[str, str], Any]


@dataclass(frozen=True)
class Option:
    """One option of a kind. ``parse(text, what)`` turns user text into a value.

    ``default`` is text, parsed like user text (so help shows what a user would type).
    A flag has no parser; an argument is positional."""

    name: str
    parse: Parser | None = None
    help: str = ""
    default: str | None = None
    required: bool = False
    flag: bool = False
    argument: bool = False
    metavar: str = "VALUE"
    choices: tuple[str, ...] = ()
    symbol: str = ""        # the quantity's name as the steps write it (formula text: "W_f"); default the name

    @property
    def param(self) -> str:
        """The solver's keyword argument for this option."""
        return self.name.replace("-", "_")

    @property
    def spelling(self) -> str:
        return self.name.upper() if self.argument else f"--{self.name}"


@dataclass(frozen=True)
class Kind:
    name: str
    func: Callable[..., Solution]
    topic: str
    summary: str
    options: tuple[Option, ...]
    examples: tuple[str, ...]
    description: str = ""

    def option(self, name: str) -> Option:
        return next(o for o in self.options if o.name == name)


REGISTRY: dict[str, Kind] = {}


def register(name: str, *, topic: str, summary: str, options: list[Option],
             examples: list[str], description: str = ""):
    """Decorator: make ``func`` the solver of kind ``name``."""

    def decorate(func):
        if name not in KIND_MODULES:
            raise RuntimeError(f"kind {name!r} is missing from KIND_MODULES")
        REGISTRY[name] = Kind(name, func, topic, summary, tuple(options), tuple(examples),
                              description or inspect.cleandoc(func.__doc__ or ""))
        return func

    return decorate


def get_kind(name: str) -> Kind:
    """The kind called ``name``, importing only its module."""
    if name not in KIND_MODULES:
        raise InputError(unknown_kind(name))
    importlib.import_module(f"dltutor.solvers.{KIND_MODULES[name]}")
    return REGISTRY[name]


def unknown_kind(name: str) -> str:
    """The one-line message for a kind that does not exist, with the closest names first."""
    return (f"unknown kind {values.quote(name)}{did_you_mean(name, KIND_MODULES)} "
            f"(choose from: {', '.join(sorted(KIND_MODULES))})")


def all_kinds() -> list[Kind]:
    return [get_kind(name) for name in sorted(KIND_MODULES)]


def parse_options(kind: Kind, raw: dict[str, Any]) -> dict[str, Any]:
    """Parse the user's text for every option of ``kind`` (missing → default)."""
    known = {o.param for o in kind.options}
    unknown = set(raw) - known
    if unknown:
        bad = sorted(unknown)[0].replace("_", "-")
        raise InputError(f"kind {kind.name} has no option --{bad}")
    parsed = {}
    for opt in kind.options:
        text = raw.get(opt.param)
        if opt.flag:
            parsed[opt.param] = bool(text)
            continue
        if text is None or text == "":
            if opt.required:
                raise InputError(f"{opt.spelling} is required (e.g. {kind.examples[0]})")
            text = opt.default
        if text is None:
            parsed[opt.param] = None
            continue
        parsed[opt.param] = opt.parse(str(text), opt.spelling)
    return parsed


def run(name: str, **raw: Any) -> Solution:
    """Solve kind ``name`` from option texts: ``run("conv-output", input="28", kernel="5")``."""
    kind = get_kind(name)
    return kind.func(**parse_options(kind, raw))


# ---------------------------------------------------------------- parsers
# Small adaptors from the value grammar to option parsers: ``parse(text, what)``.

def number(text: str, what: str) -> float:
    return values.parse_number(text, what)


def vector(text: str, what: str):
    return values.parse_vector(text, what)


def matrix(text: str, what: str):
    return values.parse_matrix(text, what)


def tensor(text: str, what: str):
    return values.parse_tensor(text, what)


def dataset(text: str, what: str):
    return values.parse_dataset(text, what)


def size(text: str, what: str):
    return values.parse_size(text, what)


def plain_text(text: str, what: str) -> str:
    return values.check_length(text, what)


def integer(minimum: int | None = None, maximum: int = values.MAX_SIZE) -> Parser:
    def parse(text: str, what: str) -> int:
        return values.parse_int(text, what, minimum=minimum, maximum=maximum)
    return parse


def choice(*choices: str) -> Parser:
    def parse(text: str, what: str) -> str:
        return values.parse_choice(text, choices, what)
    parse.choices = choices  # type: ignore[attr-defined]
    return parse


def positive_number(text: str, what: str) -> float:
    x = values.parse_number(text, what)
    if x <= 0:
        raise InputError(f"{what} must be greater than 0, got {values.format_number(x)}")
    return x


def nonnegative_number(text: str, what: str) -> float:
    x = values.parse_number(text, what)
    if x < 0:
        raise InputError(f"{what} must not be negative, got {values.format_number(x)}")
    return x
