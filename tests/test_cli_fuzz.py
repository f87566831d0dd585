"""Bad input never breaks the command line (CLI.md, "Output rules").

Every ``solve`` kind is fuzzed from its own help examples: one option value at a
time is replaced by hostile text (huge or tiny numbers, NaN/inf, ragged matrices,
misplaced ``|`` and ``;``, very long values, unicode, ``__import__('os')``, values
starting with ``-``) and run through the real entry point in-process. The
contract checked on every call:

- exit 0 or 2, never 1 (an internal error) and never a traceback;
- on 2, exactly one line on stderr and, with ``--json``, nothing on stdout;
- on 0 with ``--json``, stdout is one JSON object whose numbers are all finite;
- every call ends within ``LIMIT`` seconds (a SIGALRM stops it otherwise).

The other commands (generate, sheet, export, lesson, train) get the same idea
on a smaller scale, and the huge-size cases are checked by name: sizes that
would allocate gigabytes must be refused with the cap in the message.
Each bug this file found has a regression test named after it at the end.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shlex
import signal
import time
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import assert_bad_input, run_cli
from dltutor.solvers.registry import all_kinds

LIMIT = 10      # seconds: a call that takes longer is a hang
SLOW = 2        # seconds: a call that takes longer is reported (a warning)

KINDS = {kind.name: kind for kind in all_kinds()}

# Values that broke (or could break) a parser or a solver somewhere.
NASTY = [
    "", " ", "abc", "1e308", "1e-308", "-0", "1e400", "-1e400", "1e-400", "9" * 400, "99999999999", "100000",
    "100001", "nan", "NaN", "inf", "-inf", "Infinity", "1/0", "0/0", "0", "-1", "0.5", "1,2", "1,2;3", "1,2;3,4",
    "1;2;3", ";", "|", ";;", "||", "1,2|3,4", "1,2;3,4|5,6;7,8", "1,2;3,4 | 5,6", ",", "1,,2", "x" * 10_000,
    "1," * 3000 + "1", "é", "\u00a0", "١٢", "__import__('os')", "__import__('os').system('id')", "-1,2", "--json",
    "-", "--", "[[1,2],[3]]", "[[[[1]]]]", "[", "]", "[1,2", "1:1", "1,1:1;", "1,2:3:4", ":1", "1e12", "1e13",
    "-1e12", "1/3", "sigmoid", "same", "valid", "64x64", "0x0", "3x", "x3", "1x1x1x1", "100000x100000", "1e5",
    "1.5", "30000", "4096", "1e308,1e308", "1e12,1e12;1e12,1e12", "1 2;3 4", "1\n2", "\x00", "x**2**2**2**2",
    "exp(exp(exp(x)))", "10**10**10", "lambda: 0", "x.__class__",
]

number_text = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-10**40, max_value=10**40).map(str),
    st.sampled_from(["1e308", "1e-308", "-0", "1e400", "4.9e-324", "1.7976931348623157e308"]),
)
small_number = st.integers(-9, 9).map(str)
vector_text = st.lists(st.one_of(small_number, number_text), max_size=6).map(",".join)
matrix_text = st.lists(st.lists(small_number, min_size=1, max_size=4), min_size=1, max_size=4).map(
    lambda rows: ";".join(",".join(r) for r in rows))       # often ragged, often the wrong shape
grammar_soup = st.text(alphabet="0123456789.,;|:-+eEx []()/*", max_size=25)
VALUES = st.one_of(st.sampled_from(NASTY), st.sampled_from(NASTY), number_text, vector_text, matrix_text,
                   grammar_soup, st.text(max_size=20))


# ------------------------------------------------------------------ the contract

class TooSlow(BaseException):
    """Raised by SIGALRM; a BaseException so that the CLI's catch-all cannot turn it into exit 1."""


@contextlib.contextmanager
def time_limit(seconds: int):
    if not hasattr(signal, "SIGALRM"):      # pragma: no cover - Windows: no per-call limit
        yield
        return

    def on_alarm(signum, frame):
        raise TooSlow

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def no_constant(name: str):
    raise ValueError(f"JSON contains {name}")


def run_checked(*args: str):
    """Run the CLI and assert the bad-input contract; returns the Result."""
    started = time.perf_counter()
    try:
        with time_limit(LIMIT):
            result = run_cli(*args)
    except TooSlow:
        pytest.fail(f"took more than {LIMIT} s: dltutor {shlex.join(args)[:300]}")
    seconds = time.perf_counter() - started
    if seconds > SLOW:
        warnings.warn(f"slow ({seconds:.1f} s): dltutor {shlex.join(args)[:200]}", stacklevel=2)
    shown = shlex.join(args)[:300]
    assert result.code in (0, 2), (shown, result.code, result.err[-500:])
    assert "Traceback" not in result.err, (shown, result.err[-500:])
    if result.code == 2:
        assert len(result.err.strip().splitlines()) == 1, (shown, result.err[:500])
        if "--json" in args:
            assert result.out == "", (shown, result.out[:300])
    elif "--json" in args:
        data = json.loads(result.out, parse_constant=no_constant)   # NaN/Infinity are not JSON
        assert isinstance(data, dict), shown
    return result


def mutate(base: list[str], name: str, value: str, *, equals: bool = False, positional: bool = False) -> list[str]:
    """``base`` with option ``--name`` (or the positional argument) set to ``value``."""
    args = list(base)
    if positional:
        spot = next((i for i, a in enumerate(args) if not a.startswith("-")
                     and (i == 0 or not args[i - 1].startswith("--"))), None)
        if spot is None:
            return [value] + args
        args[spot] = value
        return args
    flag = f"--{name}"
    if flag in args:
        i = args.index(flag)
        del args[i:i + 2]
        args[i:i] = [f"{flag}={value}"] if equals else [flag, value]
        return args
    return args + ([f"{flag}={value}"] if equals else [flag, value])


# ------------------------------------------------------------------ 1. every solve kind

def test_every_kind_has_examples_that_pass_the_contract():
    for kind in KINDS.values():
        for example in kind.examples:
            for extra in ([], ["--json"]):
                assert run_checked("solve", kind.name, *shlex.split(example), *extra).code == 0, example


@pytest.mark.parametrize("name", sorted(KINDS))
@settings(derandomize=True, max_examples=150, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_solve_kind_survives_one_bad_option(name, data):
    kind = KINDS[name]
    example = data.draw(st.sampled_from(kind.examples), label="example")
    options = [o for o in kind.options if not o.flag]
    opt = data.draw(st.sampled_from(options), label="option")
    value = data.draw(VALUES, label="value")
    equals = data.draw(st.booleans(), label="--opt=value") if not opt.argument else False
    as_json = data.draw(st.booleans(), label="json")
    args = mutate(shlex.split(example), opt.name, value, equals=equals, positional=opt.argument)
    run_checked("solve", name, *args, *(["--json"] if as_json else []))


@pytest.mark.parametrize("name", sorted(KINDS))
def test_solve_kind_survives_nasty_values_in_its_first_option(name):
    """The sampled list, exhaustively, on the option every example sets first (the main input)."""
    kind = KINDS[name]
    base = shlex.split(kind.examples[0])
    opt = next(o for o in kind.options if o.argument or f"--{o.name}" in base)
    for value in NASTY:
        run_checked("solve", name, *mutate(base, opt.name, value, positional=opt.argument), "--json")


# ------------------------------------------------------------------ 2. the other commands

@pytest.fixture(scope="module", autouse=True)
def sandbox(tmp_path_factory):
    """Files (sheets, exports) go to a temporary folder; progress to a temporary database."""
    folder = tmp_path_factory.mktemp("fuzz")
    old_home = os.environ.get("DLTUTOR_HOME")
    os.environ["DLTUTOR_HOME"] = str(folder / "home")
    with contextlib.chdir(folder):
        yield folder
    if old_home is None:
        os.environ.pop("DLTUTOR_HOME", None)
    else:
        os.environ["DLTUTOR_HOME"] = old_home


COMMANDS = {
    "generate": ["generate", "mp-threshold", "--seed", "1", "--difficulty", "easy", "--digits", "4",
                 "--no-record", "--json"],
    "generate-check": ["generate", "conv-output-size@1:3", "--check", "24", "--no-record"],
    "sheet": ["sheet", "--topics", "neurons", "--count", "2", "--seed", "1", "--difficulty", "easy",
              "--format", "md", "--title", "T", "--digits", "4", "-o", "s.md"],
    "export": ["export", "--format", "gift", "--topics", "metrics", "--variants", "1", "--seed", "0",
               "--difficulty", "easy", "--digits", "4", "-o", "b.gift"],
    "lesson": ["lesson", "perceptron", "--format", "md", "--digits", "4"],
    "train": ["train", "--data", "xor", "--model", "Input(2) -> Dense(4, tanh) -> Dense(1, sigmoid)",
              "--loss", "auto", "--optimizer", "adam", "--lr", "0.1", "--epochs", "2", "--batch", "4",
              "--test-split", "0", "--seed", "0", "--classes", "2", "--samples", "4", "--json"],
}


def option_slots(base: list[str]) -> list[tuple[str, bool]]:
    """(name, positional) for every option value and positional argument of a base command."""
    slots = [("", True)] if len(base) > 1 and not base[1].startswith("-") else []
    slots += [(a.lstrip("-"), False) for i, a in enumerate(base[:-1]) if a.startswith("-")
              and not base[i + 1].startswith("-") and a != "-o"]
    return slots + ([("output", False)] if "-o" in base else [])


def long_but_valid(name: str, value: str) -> bool:
    """A valid request that is merely long to do (100,000 epochs): not a hang, so not fuzzed."""
    try:
        n = float(value)
    except ValueError:
        return False
    return name in ("epochs", "samples", "count", "variants") and math.isfinite(n) and n >= 50 \
        or name == "batch" and 0 < n < 4


@pytest.mark.parametrize("command", sorted(COMMANDS))
@settings(derandomize=True, max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_command_survives_one_bad_option(command, data):
    base = COMMANDS[command]
    name, positional = data.draw(st.sampled_from(option_slots(base)), label="option")
    value = data.draw(VALUES, label="value")
    assume(not long_but_valid(name, value))
    args = [base[0]] + mutate(base[1:], name, value, positional=positional)
    run_checked(*args)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_command_base_runs(command):
    assert run_checked(*COMMANDS[command]).code == 0


# ------------------------------------------------------------------ 3. huge sizes

def test_conv2d_of_a_64x64_input_is_fine():
    from dltutor.solvers.convolution import conv2d

    x = np.arange(64 * 64, dtype=float).reshape(64, 64) % 7
    solution = conv2d(x, np.ones((3, 3)), padding="same")
    assert np.array(solution.answer).shape == (64, 64)
    # the CLI: the largest square a value can spell out within the 8,000-character limit
    text = ";".join(",".join("1" for _ in range(60)) for _ in range(60))
    result = run_checked("solve", "conv2d", "--input", text, "--kernel", "1,1;1,1", "--padding", "same", "--json")
    assert result.code == 0 and len(result.json()["answer"]) == 60


def test_conv2d_padding_that_would_allocate_gigabytes_is_refused():
    # --padding 30000 on a 2x2 input: a 60002 x 60002 padded input, 26.8 GiB as float64
    assert_bad_input(run_checked("solve", "conv2d", "--input", "1,2;3,4", "--kernel", "1", "--padding", "30000",
                                 "--json"), "--padding 30000", "65,536")
    # 1000 zeros on each side was accepted, took seconds and printed 4 million cells
    assert_bad_input(run_checked("solve", "conv2d", "--input", "1,2;3,4", "--kernel", "1", "--padding", "1000"),
                     "--padding 1000", "limit")


def test_params_of_a_huge_dense_model_is_arithmetic():
    # Dense(100000) on 2 inputs: 2*100000 + 100000; the second: 100000*100000 + 100000
    result = run_checked("solve", "params", "Input(2) -> Dense(100000) -> Dense(100000)", "--json")
    assert result.json()["answer"]["total"] == 300_000 + 10_000_100_000


def test_train_refuses_a_model_too_large_to_allocate():
    result = run_checked("train", "--data", "xor", "--epochs", "1", "--json",
                         "--model", "Input(2) -> Dense(100000) -> Dense(100000) -> Dense(1, sigmoid)")
    assert_bad_input(result, "--model", "10,000,500,001 parameters", "10,000,000")


def test_train_refuses_a_batch_too_large_for_memory():
    spec = "Input(2) -> Dense(4096) -> Reshape(64,64,1) -> Conv2D(64,3,padding=same) -> Flatten -> Dense(1, sigmoid)"
    result = run_checked("train", "--data", "moons", "--samples", "200", "--batch", "200", "--epochs", "1",
                         "--model", spec, "--json")
    assert_bad_input(result, "batch of 160 samples", "50,000,000", "at most")


def test_predict_of_a_wide_model_works_in_smaller_chunks():
    from dltutor.nn import build
    from dltutor.nn.training import MAX_BATCH_VALUES

    model = build("Input(2) -> Dense(30000, tanh) -> Dense(1, sigmoid)", seed=0)
    assert model.values_per_sample * 1024 > MAX_BATCH_VALUES     # 1,024 rows at once would be refused
    X = np.random.default_rng(0).normal(size=(1100, 2)).astype(np.float32)
    P = model.predict(X)
    assert P.shape == (1100, 1) and np.all(np.isfinite(P))
    np.testing.assert_allclose(P[:5], model.predict(X[:5]), rtol=1e-6)


def test_optimizer_formula_that_explodes_to_inf():
    result = run_checked("solve", "optimizer", "--method", "sgd", "--w", "1", "--f", "exp(x**2)",
                         "--steps", "1000", "--lr", "1", "--json")
    assert_bad_input(result, "--f", "not finite", "smaller --lr")


def test_lms_that_diverges():
    result = run_checked("solve", "lms", "--data", "1e12,1e12:1e12; -1e12,1e12:-1e12", "--w", "1e12,1e12",
                         "--lr", "1e12", "--epochs", "1000", "--json")
    assert_bad_input(result, "--lr", "diverge")


def test_backprop_with_1e308_weights():
    base = ["solve", "backprop", "--x", "1,1", "--target", "1", "--b1", "0", "--b2", "0", "--w2", "1,1"]
    assert_bad_input(run_checked(*base, "--w1", "1e308,1;1,1", "--json"), "--w1", "1e308", "too large")
    # the largest weights accepted: the answer is computed, and finite
    result = run_checked(*base[:-2], "--w2", "1e12,-1e12", "--w1", "1e12,1e12;1e12,1e12", "--lr", "1e12",
                         "--activation", "linear", "--loss", "mse", "--json")
    assert result.code == 0


# ------------------------------------------------------------------ regressions found by this file

def test_formula_with_a_400_digit_number():
    # math.isfinite() of a 400-digit int raised OverflowError: exit 1
    result = run_checked("solve", "optimizer", "--method", "sgd", "--w", "1", "--f", "x*" + "9" * 400,
                         "--steps", "2", "--json")
    assert_bad_input(result, "--f", "out of range", "1e+12")


def test_formula_with_1e400_names_the_number_as_written():
    assert_bad_input(run_checked("solve", "optimizer", "--method", "sgd", "--w", "1", "--f", "x*1e400",
                                 "--steps", "2", "--json"), "'1e400'")


def test_params_file_dev_zero_is_refused():
    # stat() says 0 bytes, read_text() never ends: the process ran out of memory
    if not os.path.exists("/dev/zero"):   # pragma: no cover - not on Windows
        pytest.skip("no /dev/zero")
    assert_bad_input(run_checked("solve", "params", "--file", "/dev/zero", "--json"), "--file", "64 KiB")


def test_params_file_too_large_names_the_cap(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("Input(3) -> Dense(2)\n" * 5000)
    # was "cannot be read: InputError": the size error was caught as a ValueError
    assert_bad_input(run_checked("solve", "params", "--file", str(big)), "larger than 64 KiB")


def test_params_file_not_utf8(tmp_path):
    binary = tmp_path / "model.bin"
    binary.write_bytes(bytes(range(256)))
    assert_bad_input(run_checked("solve", "params", "--file", str(binary)), "cannot be read", "UTF-8")


def test_train_lr_nan():
    # click's FloatRange lets NaN through; json.dumps then failed: exit 1
    assert_bad_input(run_checked("train", "--data", "xor", "--epochs", "1", "--lr", "nan", "--json"),
                     "--lr", "finite")


def test_train_seed_negative():
    # numpy's default_rng refused -1 with a ValueError: exit 1
    assert_bad_input(run_checked("train", "--data", "xor", "--epochs", "1", "--seed", "-1", "--json"),
                     "--seed", "-1")


@pytest.mark.parametrize("args", [
    ["sheet", "--count", "1", "--seed", "1", "--format", "md", "-o", "a" * 300],
    ["sheet", "--count", "1", "--seed", "1", "--format", "md", "-o", "a\x00b.md"],
    ["export", "--format", "gift", "--variants", "1", "--topics", "metrics", "-o", "b" * 300],
    ["export", "--format", "gift", "--variants", "1", "--topics", "metrics", "-o", "b\x00.gift"],
    ["lesson", "perceptron", "--format", "md", "-o", "c" * 300 + "/x.md"],
    ["lesson", "perceptron", "--format", "md", "-o", "c\x00.md"],
    ["train", "--data", "xor", "--epochs", "1", "--save", "d" * 300 + ".npz"],
    ["train", "--data", "xor", "--epochs", "1", "--save", "d\x00.npz"],
], ids=["sheet-long", "sheet-nul", "export-long", "export-nul", "lesson-long", "lesson-nul", "train-long",
        "train-nul"])
def test_output_file_name_too_long_or_with_nul(args):
    # os.stat raised OSError (name too long) or ValueError (NUL) outside the write's error handling: exit 1
    flag = "-o" if "-o" in args else "--save"
    assert_bad_input(run_checked(*args), flag)
