"""``solve rnn``, ``solve lstm``, ``solve gru``: checked against the course notes and recorded frameworks.

Expected values come from outside the solver: the notes' worked RNN example
(notes 002, "Simple Numerical Example") and PyTorch/Keras layers run in float64
by tests/reference/record_recurrent.py (tests/data/recurrent_reference.json).
"""

from __future__ import annotations

import math
import shlex

import numpy as np
import pytest

from tests.conftest import assert_bad_input, load_data, run_cli, run_process

REFERENCE = load_data("recurrent_reference.json")["cases"]
TOL = 1e-10          # the recordings are float64; the solver agrees to ~1e-15


def solve(kind: str, *args: str) -> dict:
    result = run_cli("solve", kind, *args, "--json")
    assert result.code == 0, result.err
    return result.json()


def units_of(h_t) -> int:
    return 1 if isinstance(h_t, float) else len(h_t)


def option(args: list[str], name: str, units: int) -> np.ndarray:
    """The value of --name in a recorded command line (zeros when it was left out)."""
    if name not in args:
        return np.zeros(units)
    return np.array([float(v) for v in args[args.index(name) + 1].split(",")])


# ------------------------------------------------------- the course notes

NOTES_EXAMPLE = ("--x", "1,2,3", "--wx", "1", "--wh", "1", "--b", "0", "--h0", "0")


def test_notes_002_simple_numerical_example_rounded():
    """Notes 002, 'Simple Numerical Example': h ≈ 0.761, 0.992, 0.999 (cut to three decimals, not rounded)."""
    h = solve("rnn", *NOTES_EXAMPLE)["answer"]["h"]
    assert [math.floor(v * 1000) / 1000 for v in h] == [0.761, 0.992, 0.999]


def test_notes_002_simple_numerical_example_precise():
    """The same example written out: tanh(1), tanh(2 + tanh(1)), tanh(3 + tanh(2 + tanh(1)))."""
    h1 = math.tanh(1)
    h2 = math.tanh(2 + h1)
    h3 = math.tanh(3 + h2)
    assert solve("rnn", *NOTES_EXAMPLE)["answer"] == {"h": pytest.approx([h1, h2, h3], abs=1e-15)}


def test_notes_002_steps_show_the_numbers_put_in():
    steps = solve("rnn", *NOTES_EXAMPLE)["steps"]
    first = next(s for s in steps if s["title"].startswith("t = 1"))
    assert first["formula"] == "h_t = tanh(W_x*x_t + W_h*h_(t-1) + b)"
    assert first["substituted"] == "tanh(1*1 + 1*0 + 0)"
    second = next(s for s in steps if s["title"].startswith("t = 2"))
    # the number put in carries one figure more than the value shown (tanh(1) = 0.76159416),
    # so the printed line is arithmetically true at the digits it shows
    assert second["substituted"] == "tanh(1*2 + 1*0.7615942 + 0)"


# ------------------------------------------------- recorded frameworks

@pytest.mark.parametrize("case", REFERENCE, ids=[c["id"] for c in REFERENCE])
def test_matches_framework(case):
    """h (and c for the LSTM) at every time step equal the framework's (torch.nn.RNN/LSTM, Keras GRU/SimpleRNN)."""
    answer = solve(case["kind"], *case["args"])["answer"]
    for key, expected in case["answer"].items():
        assert np.allclose(np.array(answer[key], float), np.array(expected, float), atol=TOL, rtol=0), key


LSTM_CASES = [c for c in REFERENCE if c["kind"] == "lstm"]
GRU_CASES = [c for c in REFERENCE if c["kind"] == "gru"]


@pytest.mark.parametrize("case", LSTM_CASES, ids=[c["id"] for c in LSTM_CASES])
def test_lstm_gates_reproduce_the_framework_states(case):
    """The reported gates, put into c_t = f*c_(t-1) + i*c~ and h_t = o*tanh(c_t), give torch's states:
    a swapped or mislabelled gate would not."""
    answer = solve("lstm", *case["args"])["answer"]
    c_ref = np.array(case["answer"]["c"], float).reshape(len(case["answer"]["c"]), -1)
    h_ref = np.array(case["answer"]["h"], float).reshape(len(c_ref), -1)
    c_prev = option(case["args"], "--c0", c_ref.shape[1])
    for t, g in enumerate(answer["gates"]):
        f, i, ct, o = (np.ravel(g[k]) for k in ("f", "i", "c_tilde", "o"))
        assert np.all((0 < f) & (f < 1) & (0 < i) & (i < 1) & (0 < o) & (o < 1))
        assert np.allclose(f * c_prev + i * ct, c_ref[t], atol=TOL, rtol=0)
        assert np.allclose(o * np.tanh(c_ref[t]), h_ref[t], atol=TOL, rtol=0)
        c_prev = c_ref[t]


@pytest.mark.parametrize("case", GRU_CASES, ids=[c["id"] for c in GRU_CASES])
def test_gru_gates_reproduce_the_framework_states(case):
    """h_t = z*h_(t-1) + (1 - z)*h~ with the reported z, h~ gives Keras's h (z keeps the old state)."""
    answer = solve("gru", *case["args"])["answer"]
    h_ref = np.array(case["answer"]["h"], float).reshape(len(case["answer"]["h"]), -1)
    h_prev = option(case["args"], "--h0", h_ref.shape[1])
    for t, g in enumerate(answer["gates"]):
        z, ht = np.ravel(g["z"]), np.ravel(g["h_tilde"])
        assert np.allclose(z * h_prev + (1 - z) * ht, h_ref[t], atol=TOL, rtol=0)
        h_prev = h_ref[t]


def test_reference_covers_the_sizes():
    """The recordings include one-unit layers (numbers, w_h,w_x vectors) and wider ones, h0/c0 given or not."""
    units = {(c["kind"], units_of(c["answer"]["h"][0])) for c in REFERENCE}
    for kind in ("rnn", "lstm", "gru"):
        assert (kind, 1) in units and any(k == kind and u > 1 for k, u in units)
    assert any("--h0" in c["args"] for c in REFERENCE) and any("--c0" in c["args"] for c in REFERENCE)


# ------------------------------------------------------- answer shapes

ONE_UNIT = {
    "rnn": ["--x", "1,2,3", "--wx", "0.5", "--wh", "-0.3", "--b", "0.1"],
    "lstm": ["--x", "1,2", "--wf", "0.5,0.3", "--bf", "0.1", "--wi", "0.4,0.2", "--wc", "0.6,-0.5",
             "--wo", "0.3,0.7", "--c0", "-0.5"],
    "gru": ["--x", "1,2", "--wz", "0.5,0.3", "--wr", "0.4,0.2", "--wh", "0.6,0.5", "--h0", "0.2"],
}
TWO_UNITS = {
    "rnn": ["--x", "1,0;0,1;1,1", "--wx", "0.5,-0.2;0.1,0.4", "--wh", "0.3,0.1;-0.2,0.6"],
    "lstm": ["--x", "1,0;0,1", "--wf", "0.1,0.2,0.3,0.4;0.5,0.6,0.7,0.8", "--wi", "0.2,0.1,0.4,0.3;0.6,0.5,0.8,0.7",
             "--wc", "0.3,-0.1,0.2,-0.4;0.1,0.2,-0.3,0.5", "--wo", "0.4,0.3,0.2,0.1;-0.1,0.2,0.3,0.4"],
    "gru": ["--x", "1,0;0,1", "--wz", "0.1,0.2,0.3,0.4;0.5,0.6,0.7,0.8", "--wr", "0.2,0.1,0.4,0.3;0.6,0.5,0.8,0.7",
            "--wh", "0.3,-0.1,0.2,-0.4;0.1,0.2,-0.3,0.5"],
}
KEYS = {"rnn": {"h"}, "lstm": {"h", "c", "gates"}, "gru": {"h", "gates"}}
GATE_KEYS = {"lstm": {"f", "i", "c_tilde", "o"}, "gru": {"z", "r", "h_tilde"}}


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_one_unit_answers_are_numbers(kind):
    out = solve(kind, *ONE_UNIT[kind])
    assert set(out) == {"kind", "inputs", "answer", "steps"} and out["kind"] == kind
    answer = out["answer"]
    assert set(answer) == KEYS[kind]
    assert all(isinstance(v, float) for key in ("h", "c") if key in answer for v in answer[key])
    for g in answer.get("gates", []):
        assert set(g) == GATE_KEYS[kind] and all(isinstance(v, float) for v in g.values())
    assert all({"title", "formula", "value"} <= set(s) for s in out["steps"])


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_several_units_answer_lists(kind):
    answer = solve(kind, *TWO_UNITS[kind])["answer"]
    steps = len(TWO_UNITS[kind][1].split(";"))
    assert len(answer["h"]) == steps and all(len(h) == 2 for h in answer["h"])
    for g in answer.get("gates", []):
        assert set(g) == GATE_KEYS[kind] and all(len(v) == 2 for v in g.values())


def test_lstm_one_unit_by_hand():
    """t = 1 of the one-unit example, written out: f = σ(0.3 + 0.1), i = σ(0.2), c~ = tanh(-0.5), o = σ(0.7)."""
    sig = lambda a: 1 / (1 + math.exp(-a))  # noqa: E731
    g = solve("lstm", *ONE_UNIT["lstm"])["answer"]["gates"][0]
    assert g == pytest.approx({"f": sig(0.4), "i": sig(0.2), "c_tilde": math.tanh(-0.5), "o": sig(0.7)}, abs=1e-15)


def test_a_flat_wx_for_one_input_is_one_weight_per_unit():
    column = solve("rnn", "--x", "1,2", "--wx", "0.5;0.3", "--wh", "0.1,0.2;0.3,-0.4")
    flat = solve("rnn", "--x", "1,2", "--wx", "0.5,0.3", "--wh", "0.1,0.2;0.3,-0.4")
    assert flat["answer"] == column["answer"]
    assert "one weight per unit" in flat["steps"][0]["note"]


def test_a_one_column_matrix_is_the_same_sequence_as_a_vector():
    assert solve("rnn", "--x", "1;2;3", "--wx", "1", "--wh", "1")["answer"] == \
        solve("rnn", *NOTES_EXAMPLE)["answer"]


@pytest.mark.parametrize("activation, expected", [
    ("relu", [0.5, 0.5 * 2 + 0.5 * 0.5]),        # max(0, .) of positive sums
    ("linear", [0.5, 0.5 * 2 + 0.5 * 0.5]),
    ("sigmoid", [1 / (1 + math.exp(-0.5)), None]),
])
def test_activations_by_hand(activation, expected):
    h = solve("rnn", "--x", "1,2", "--wx", "0.5", "--wh", "0.5", "--activation", activation)["answer"]["h"]
    assert h[0] == pytest.approx(expected[0], abs=1e-15)
    if expected[1] is not None:
        assert h[1] == pytest.approx(expected[1], abs=1e-15)


# ------------------------------------------------------- steps and text

def test_lstm_steps_every_gate_then_the_states():
    steps = solve("lstm", *ONE_UNIT["lstm"])["steps"]
    titles = [s["title"] for s in steps]
    for t in (1, 2):
        assert [x.split(": ")[1].split(" ")[0] for x in titles if x.startswith(f"t = {t}:")] == \
            ["forget", "input", "candidate", "output", "cell", "hidden"]
    forget = steps[1]
    assert forget["formula"] == "f_t = sigmoid(W_f*[h_(t-1), x_t] + b_f)"
    assert forget["substituted"] == "sigmoid(0.5*0 + 0.3*1 + 0.1)"
    assert "hidden part first" in steps[0]["note"]
    assert steps[-1]["table"]["columns"] == ["t", "x_t", "f", "i", "c_tilde", "o", "c_t", "h_t"]


def test_gru_steps_say_the_convention():
    steps = solve("gru", *ONE_UNIT["gru"])["steps"]
    notes = " ".join(s.get("note", "") for s in steps)
    assert "hidden part first" in notes
    assert "z keeps the old state" in notes and "without reset after" in notes and "reset_after" not in notes
    reset = next(s for s in steps if s["title"].startswith("t = 1: reset old state"))
    assert reset["substituted"].endswith("*0.2")      # r_1 times h_0 = 0.2


def test_several_units_have_a_table_per_gate():
    steps = solve("lstm", *TWO_UNITS["lstm"])["steps"]
    forget = steps[1]
    assert forget["table"]["columns"] == ["unit", "W·[h_(t-1), x_t] + b", "pre-activation", "f"]
    assert [row[0] for row in forget["table"]["rows"]] == [1, 2]
    assert forget["table"]["rows"][0][1] == "0.1*0 + 0.2*0 + 0.3*1 + 0.4*0 + 0"
    cell = next(s for s in steps if s["title"].startswith("t = 1: cell state"))
    assert "⊙" in cell["substituted"]


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_human_output(kind):
    result = run_cli("solve", kind, *ONE_UNIT[kind])
    assert result.code == 0, result.err
    assert "t = 1" in result.out and "Answer" in result.out and "Hidden states over time" in result.out
    assert "sigmoid(" in result.out or "tanh(" in result.out


def test_digits_option_rounds_the_shown_numbers():
    result = run_cli("solve", "rnn", *NOTES_EXAMPLE, "--digits", "3")
    # values are shown to 3 figures: h = tanh(1), tanh(2 + tanh(1)), ... = 0.762, 0.992, 0.999
    assert "h = (0.762, 0.992, 0.999)" in result.out
    assert "0.7615942" not in result.out          # the 6-digit default's inputs are not shown


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_registered_examples_solve(kind):
    from dltutor.solvers.registry import get_kind

    for example in get_kind(kind).examples:
        result = run_cli("solve", kind, *shlex.split(example), "--json")
        assert result.code == 0, (example, result.err)


def test_real_process():
    result = run_process("solve", "rnn", *NOTES_EXAMPLE, "--json")
    assert result.code == 0, result.err
    assert result.json()["answer"]["h"][0] == pytest.approx(math.tanh(1), abs=1e-15)


# ------------------------------------------------------------ bad input

LSTM_1 = ["--wf", "0.5,0.3", "--wi", "0.4,0.2", "--wc", "0.6,0.5", "--wo", "0.3,0.7"]
GRU_1 = ["--wz", "0.5,0.3", "--wr", "0.4,0.2", "--wh", "0.6,0.5"]


@pytest.mark.parametrize("args, fragments", [
    # sequence width does not match the weights
    (["rnn", "--x", "1,2;3,4", "--wx", "1", "--wh", "1"], ["--x", "2 values per time step", "--wx"]),
    (["lstm", "--x", "1,2;3,4", *LSTM_1], ["--x", "units + inputs = 1 + 2 = 3"]),
    (["gru", "--x", "1,2,3;4,5,6", *GRU_1], ["--x", "units + inputs = 1 + 3 = 4"]),
    # one gate with the wrong number of columns
    (["lstm", "--x", "1,2", "--wf", "0.5,0.3", "--wi", "0.4,0.2,0.1", "--wc", "0.6,0.5", "--wo", "0.3,0.7"],
     ["--wi has 3 columns", "units + inputs = 1 + 1 = 2", "hidden part first"]),
    (["gru", "--x", "1,2", "--wz", "0.5,0.3", "--wr", "0.4,0.2", "--wh", "0.6"],
     ["--wh has 1 column;", "1 + 1 = 2", "hidden part first"]),
    # gates that disagree on the number of units
    (["lstm", "--x", "1,2", "--wf", "0.5,0.3", "--wi", "0.4,0.2;0.1,0.1", "--wc", "0.6,0.5", "--wo", "0.3,0.7"],
     ["--wi has 2 rows", "--wf has 1"]),
    # missing gate weights
    (["lstm", "--x", "1,2", "--wf", "0.5,0.3", "--wi", "0.4,0.2", "--wc", "0.6,0.5"], ["--wo", "missing"]),
    (["gru", "--x", "1,2", "--wz", "0.5,0.3", "--wh", "0.6,0.5"], ["--wr", "missing"]),
    (["lstm", "--x", "1,2"], ["--wf", "missing"]),
    (["rnn", "--x", "1,2", "--wx", "1"], ["--wh"]),
    # initial states and biases of the wrong length
    (["rnn", "--x", "1,2", "--wx", "1;1", "--wh", "1,0;0,1", "--h0", "1,2,3"], ["--h0 has 3 values", "2 units"]),
    (["lstm", "--x", "1,2", *LSTM_1, "--h0", "0,0"], ["--h0 has 2 values", "the layer has 1 unit:"]),
    (["lstm", "--x", "1,2", *LSTM_1, "--c0", "0,0,0"], ["--c0 has 3 values"]),
    (["gru", "--x", "1,2", *GRU_1, "--h0", "0.1,0.2"], ["--h0 has 2 values"]),
    (["gru", "--x", "1,2", *GRU_1, "--bz", "0.1,0.2"], ["--bz has 2 values"]),
    # weight matrices of the simple RNN
    (["rnn", "--x", "1,2", "--wx", "1", "--wh", "1,2"], ["--wh is 1x2", "square"]),
    (["rnn", "--x", "1,2", "--wx", "1;2;3", "--wh", "1,0;0,1"], ["--wx has 3 rows", "one row per unit"]),
    # values, names, sizes
    (["rnn", "--x", "1,nan", "--wx", "1", "--wh", "1"], ["--x", "finite"]),
    (["rnn", "--x", "1,2", "--wx", "1", "--wh", "1", "--activation", "softmax"], ["--activation", "softmax"]),
    (["rnn", "--x", ",".join(["1"] * 101), "--wx", "1", "--wh", "1"], ["--x", "101 time steps", "100"]),
    (["rnn", "--x", "1,2;3", "--wx", "1", "--wh", "1"], ["--x", "ragged"]),
])
def test_bad_input(args, fragments):
    assert_bad_input(run_cli("solve", *args), *fragments)


def test_bad_input_with_json_keeps_stdout_empty():
    assert_bad_input(run_cli("solve", "lstm", "--x", "1,2;3,4", *LSTM_1, "--json"), "--x")


def test_values_may_start_with_a_minus():
    h = solve("rnn", "--x", "-1,2", "--wx", "-0.5", "--wh", "1")["answer"]["h"]
    assert h[0] == pytest.approx(math.tanh(0.5), abs=1e-15)
