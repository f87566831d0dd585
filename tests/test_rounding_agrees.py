"""Every printed line of working is arithmetically true as printed (issue: rounding that agrees).

For a sample of kinds, each step whose numbers are substituted into a formula and whose value is
one number is re-evaluated here from the *printed* text (the inputs as shown, not the solver's
floats) and must give the printed value to within one unit of its last shown figure. The
expected values therefore come from the printed digits and Python's math module, not from the
solver's arithmetic.
"""

from __future__ import annotations

import math
import re

import pytest

from dltutor.solution import Filled
from dltutor.solvers.registry import run
from dltutor.values import format_value

CASES = {
    "backprop": dict(x="0.05,0.1", target="0.01,0.99", w1="0.15,0.2;0.25,0.3", b1="0.35",
                     w2="0.4,0.45;0.5,0.55", b2="0.6"),
    "backprop-cce": dict(x="1,2", target="0,1,0", w1="0.1,0.2;-0.3,0.4", b1="0",
                         w2="0.5,-0.5;0.3,0.2;-0.1,0.4", b2="0", activation="relu", loss="cce"),
    "neuron": dict(x="1,2,3", w="0.5,-1,0.8", b="0.2", activation="sigmoid"),
    "neuron-tanh": dict(x="0.3,-1.7", w="1.3,0.77", b="-0.123", activation="tanh"),
    "lms": dict(data="0.3,1.2:1; -0.7,0.4:-1; 1.1,-0.6:0.5", w="0.21,-0.37", b="0.05", lr="0.13"),
    "rnn": dict(x="0.5,-1.3,0.77", wx="0.81", wh="-0.43", b="0.12"),
    "loss": dict(kind="bce", y="1,0,1", p="0.83,0.27,0.61"),
    "optimizer": dict(method="adam", w="0.5,-1.2", grads="0.31,-0.77;0.12,0.4", lr="0.1"),
    "lstm": dict(x="0.5,-1", wf="0.3,0.7", bf="0.1", wi="-0.2,0.5", bi="0", wc="0.9,-0.4", bc="0.2",
                 wo="0.6,0.3", bo="-0.1"),
    "gru": dict(x="0.5,-1", wz="0.3,0.7", bz="0.1", wr="-0.2,0.5", br="0", wh="0.9,-0.4", bh="0.2"),
    "metrics": dict(tp="37", fp="11", fn="7", tn="45"),
}

SAFE = {name: getattr(math, name) for name in ("exp", "log", "sqrt", "tanh")}
SAFE.update(max=max, min=min, abs=abs, sigmoid=lambda z: 1 / (1 + math.exp(-z)))


def python_text(line: str) -> str:
    """The printed formula as Python: ·, ×, − and ^ as the operators they stand for."""
    return (line.replace("·", "*").replace("×", "*").replace("−", "-").replace("^", "**")
            .replace("–", "-"))


NAMED = re.compile(r"\b(?!(?:exp|log|sqrt|tanh|max|min|abs|sigmoid|if|else)\b)[a-zA-Z_]\w*")


def checked_lines(kind: str, options: dict, digits: int):
    """(step title, printed arithmetic, printed result) for every ``a = b`` the steps print."""
    solution = run(kind.split("-")[0], **options)
    for step in solution.steps:
        if not isinstance(step.substituted, Filled):
            continue
        printed = step.substituted.render(digits)
        # a step may print several results: "y = 0.2·1 + 0.5 = 0.7,  e = 1 - 0.7 = 0.3"
        for piece in printed.split(",  "):
            chain = [c.strip() for c in piece.split(" = ")]
            if chain and NAMED.fullmatch(chain[0]):
                chain = chain[1:]                    # "e = ..." names the result it computes
            if len(chain) == 1 and isinstance(step.value, (int, float)) and not isinstance(step.value, bool):
                chain.append(format_value(step.value, digits))
            for left, right in zip(chain, chain[1:]):
                if NAMED.search(left) or "[" in left or not re.fullmatch(r"-?[\d.]+(e-?\d+)?", right):
                    continue     # names a quantity, or a vector: not one number's arithmetic
                yield step.title, left, right


def last_unit(text: str) -> float:
    """One unit of the last printed figure: 0.752 → 0.001, 1.22e-05 → 1e-07, 120 → 1."""
    mantissa, _, exponent = text.lower().partition("e")
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    return 10.0 ** (-decimals + (int(exponent) if exponent else 0))


@pytest.mark.parametrize("digits", [3, 4, 6])
@pytest.mark.parametrize("kind", sorted(CASES))
def test_every_printed_line_re_evaluates_to_its_printed_value(kind, digits):
    lines = list(checked_lines(kind, CASES[kind], digits))
    assert lines, f"{kind}: no line of plain arithmetic to check"
    for title, printed_input, printed_value in lines:
        again = eval(python_text(printed_input), {"__builtins__": {}}, dict(SAFE))   # noqa: S307 (our own text)
        shown = float(printed_value)
        assert abs(again - shown) <= last_unit(printed_value), (
            f"{kind}, {title}: {printed_input} = {again!r}, printed {printed_value} (--digits {digits})")


def test_the_notes_sigmoid_line_reads_true_at_three_digits():
    """The line that read 1/(1 + exp(-1.11)) = 0.751 (σ(1.11) is 0.7521): its input now has figures enough."""
    solution = run("backprop", **CASES["backprop"])
    step = next(s for s in solution.steps if s.title.startswith("Output of o1"))
    assert format_value(step.value, 3) == "0.751"
    assert step.substituted.render(3) != "1/(1 + exp(-1.11))"
    assert round(1 / (1 + math.exp(-1.11)), 3) == 0.752      # why the short input read wrong


ORDER_CASES = {
    "cce": CASES["backprop-cce"],
    "half-mse": CASES["backprop"],
    "deep": dict(x="1,0.5", target="0.8", w1="0.2,-0.4;0.7,0.1", b1="0,0.1", w2="0.5,-0.3;0.6,0.2", b2="0.1",
                 w3="0.9,-0.5", b3="0", activation="tanh", output_activation="linear", loss="mse"),
}


@pytest.mark.parametrize("case", sorted(ORDER_CASES))
def test_forward_steps_use_only_what_earlier_steps_computed(case):
    """A step's formula names net_u or u only once a step before it ('Net input of u', 'Output of u')
    has computed it: with a softmax, o1 is written with net_o2 and net_o3, so those come first."""
    solution = run("backprop", **ORDER_CASES[case])
    computed: set[str] = set()
    for step in solution.steps:
        m = re.match(r"(Net input|Output) of (\w+)", step.title)
        if not m:
            continue
        own = ("net_" if m.group(1) == "Net input" else "") + m.group(2)
        used = set(re.findall(r"\bnet_[a-z]+\d+\b", step.formula))
        used |= {u for u in re.findall(r"\b[ho]\d+\b", step.formula.split("=", 1)[1])}
        missing = used - computed - {own}
        assert not missing, f"{case}: step '{step.title}' uses {sorted(missing)} before they are computed"
        computed.add(own)
