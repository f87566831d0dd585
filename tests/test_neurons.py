"""`solve neuron` and `solve mp-neuron`: the notes' worked examples, torch values, bad input."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys

import pytest

from conftest import assert_bad_input, load_data, run_cli
from dltutor.solvers.registry import run

REF = load_data("neurons_reference.json")


# ------------------------------------------------------------------ neuron

def test_notes_003_single_neuron():
    # notes 003, "Step 1/Step 2": x = 1, 2, 3; w = 0.5, -1, 0.8; b = 0.2 → z = 1.1, sigmoid ≈ 0.75
    sol = run("neuron", x="1,2,3", w="0.5,-1,0.8", b="0.2", activation="sigmoid")
    assert sol.answer["z"] == pytest.approx(1.1, abs=1e-12)
    assert sol.answer["y"] == pytest.approx(0.75, abs=0.001)
    torch_case = REF["neurons"][0]
    assert sol.answer["z"] == pytest.approx(torch_case["z"], rel=1e-12)
    assert sol.answer["y"] == pytest.approx(torch_case["y"], rel=1e-12)


def test_weighted_sum_is_written_out_term_by_term_as_in_the_notes():
    sol = run("neuron", x="1,2,3", w="0.5,-1,0.8", b="0.2")
    step = sol.to_dict()["steps"][0]
    assert step["formula"] == "z = w1*x1 + w2*x2 + w3*x3 + b"
    assert step["substituted"] == "0.5*1 + (-1)*2 + 0.8*3 + 0.2 = 0.5 + (-2) + 2.4 + 0.2"
    act = sol.to_dict()["steps"][1]
    assert act["formula"] == "y = 1/(1 + exp(-z))"
    assert act["substituted"] == "1/(1 + exp(-1.1))"


def test_long_weighted_sum_is_shortened():
    x = ",".join(["1"] * 20)
    sol = run("neuron", x=x, w=x, activation="linear")
    step = sol.to_dict()["steps"][0]
    assert "Sum(w_i*x_i, (i, 1, 20))" in step["formula"]
    assert "..." in step["substituted"]
    assert sol.answer == {"z": 20.0, "y": 20.0}


@pytest.mark.parametrize("case", REF["xor"], ids=lambda c: f"x={c['x']}")
def test_notes_002_xor_network_by_hand(case):
    # notes 002, "XOR Classification": h1 = σ(20x1+20x2−10), h2 = σ(−20x1−20x2+30), y = σ(20h1+20h2−30)
    x = ",".join(str(v) for v in case["x"])
    h1 = run("neuron", x=x, w="20,20", b="-10").answer["y"]
    h2 = run("neuron", x=x, w="-20,-20", b="30").answer["y"]
    y = run("neuron", x=f"{h1!r},{h2!r}", w="20,20", b="-30").answer["y"]
    assert (h1, h2, y) == pytest.approx((case["h1"], case["h2"], case["y"]), rel=1e-9)
    xor = case["x"][0] ^ case["x"][1]
    assert abs(y - xor) < 1e-4      # the notes: "≈ 0" / "≈ 1"


@pytest.mark.parametrize("activation, z, y", [
    ("relu", -0.5, 0.0),            # max(0, z)
    ("relu", 2.5, 2.5),
    ("leaky_relu", -2.0, -0.02),    # slope 0.01 (CLI.md conventions)
    ("step", 0.0, 1.0),             # step(0) = 1 (CLI.md conventions)
    ("step", -0.25, 0.0),
    ("linear", -3.5, -3.5),
    ("tanh", 0.0, 0.0),
])
def test_neuron_activations_hand_checked(activation, z, y):
    sol = run("neuron", x="0", w="1", b=str(z), activation=activation)
    assert sol.answer["z"] == pytest.approx(z)
    assert sol.answer["y"] == pytest.approx(y, abs=1e-12)


def test_round_off_is_not_shown_and_step_sees_zero():
    # 0.2*1 + (-0.3)*1 + 0.1 is exactly 0 on paper (2.8e-17 in binary floating point)
    sol = run("neuron", x="1,1", w="0.2,-0.3", b="0.1", activation="step")
    assert sol.answer == {"z": 0.0, "y": 1.0}


def test_neuron_json_shape_and_human_output():
    res = run_cli("solve", "neuron", "--x", "1,2,3", "--w", "0.5,-1,0.8", "--b", "0.2", "--json")
    assert res.code == 0, res.err
    data = res.json()
    assert set(data) == {"kind", "inputs", "answer", "steps"}
    assert data["kind"] == "neuron"
    assert set(data["answer"]) == {"z", "y"}
    assert [s["title"] for s in data["steps"]] == ["Weighted sum", "Activation (sigmoid)"]
    human = run_cli("solve", "neuron", "--x", "1,2,3", "--w", "0.5,-1,0.8", "--b", "0.2")
    assert human.code == 0
    assert "Weighted sum" in human.out and "0.75026" in human.out and "1.1" in human.out


def test_negative_option_values():
    res = run_cli("solve", "neuron", "--x", "-1,2", "--w=-1,-2", "--b", "-0.5", "--activation", "linear", "--json")
    assert res.code == 0, res.err
    assert res.json()["answer"]["z"] == pytest.approx(1 - 4 - 0.5)


@pytest.mark.parametrize("args, fragments", [
    (("--x", "1,2,3", "--w", "1,2"), ("--w", "--x", "2", "3")),
    (("--x", "1,2", "--w", "1,2", "--activation", "softsign"), ("--activation", "softsign")),
    (("--x", "1,nan", "--w", "1,2"), ("--x",)),
    (("--w", "1,2"), ("--x",)),
])
def test_neuron_bad_input(args, fragments):
    assert_bad_input(run_cli("solve", "neuron", *args), *fragments)


def test_only_activation_imports_sympy():
    code = ("import sys; from dltutor.solvers.registry import run; "
            "run('neuron', x='1,2', w='1,1', activation='tanh'); "
            "run('mp-neuron', gate='AND'); run('lms', data='1:1', w='0'); run('perceptron', data='1:1', w='0'); "
            "run('loss', kind='bce', y='1', p='0.5'); run('metrics', tp='1', fp='0', fn='0', tn='1'); "
            "print('sympy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr


# --------------------------------------------------------------- mp-neuron

def _gate_truth(gate: str, bits: tuple) -> int:
    """The logic gates themselves (Python's all/any), independent of the neuron."""
    return int({"AND": all(bits), "OR": any(bits), "NAND": not all(bits),
                "NOR": not any(bits), "NOT": not bits[0]}[gate])


@pytest.mark.parametrize("gate, n", [(g, n) for g in ("AND", "OR", "NAND", "NOR") for n in (2, 3, 4)]
                         + [("NOT", 1)])
def test_gate_truth_tables(gate, n):
    sol = run("mp-neuron", gate=gate, inputs=str(n))
    rows = sol.answer["truth_table"]
    assert [tuple(r[:-1]) for r in rows] == list(itertools.product((0, 1), repeat=n))   # counting order
    assert [r[-1] for r in rows] == [_gate_truth(gate, tuple(r[:-1])) for r in rows]
    inhibitory = gate in ("NOT", "NAND", "NOR")
    assert all((w < 0) == inhibitory for w in sol.answer["weights"])


def test_notes_002_and_gate_threshold_rule():
    # notes 002: θ ≥ n·w − p with n = 2, w = 1, p = 0 → θ = 2; CLI.md: AND of n inputs → threshold n
    sol = run("mp-neuron", gate="AND")
    assert sol.answer["weights"] == [1, 1]
    assert sol.answer["threshold"] == 2
    assert sol.answer["truth_table"] == [[0, 0, 0], [0, 1, 0], [1, 0, 0], [1, 1, 1]]
    rule = sol.to_dict()["steps"][0]
    assert rule["formula"] == "theta >= n*w - p"
    assert rule["substituted"] == "2*1 - 0"
    assert run("mp-neuron", gate="AND", inputs="3").answer["threshold"] == 3
    assert run("mp-neuron", gate="OR", inputs="3").answer["threshold"] == 1


def test_notes_002_mp_example_threshold_1_5():
    # notes 002, "Example of M-P Neuron": w = 1, 1, θ = 1.5: fires only for (1, 1)
    res = run_cli("solve", "mp-neuron", "--weights", "1,1", "--threshold", "1.5", "--json")
    assert res.code == 0, res.err
    data = res.json()
    assert data["answer"] == {"weights": [1.0, 1.0], "threshold": 1.5,
                              "truth_table": [[0, 0, 0], [0, 1, 0], [1, 0, 0], [1, 1, 1]]}
    step = data["steps"][-1]
    assert "AND" in step["note"]
    assert step["table"]["columns"] == ["x1", "x2", "S = w·x", "y"]
    assert [row[2] for row in step["table"]["rows"]] == [0, 1, 1, 2]    # the notes' S column


def test_mp_neuron_human_output_shows_the_table():
    res = run_cli("solve", "mp-neuron", "--gate", "NOR", "--inputs", "3")
    assert res.code == 0, res.err
    assert "Truth table" in res.out and "NOR" in res.out and "S = w·x" in res.out


def test_gate_names_are_case_insensitive():
    assert run("mp-neuron", gate="nand").answer["threshold"] == -1


@pytest.mark.parametrize("args, fragments", [
    (("--gate", "AND", "--inputs", "0"), ("--inputs", "0")),
    (("--gate", "NOT", "--inputs", "2"), ("--inputs", "NOT")),
    (("--gate", "AND", "--inputs", "1"), ("--inputs", "AND")),
    (("--gate", "AND", "--inputs", "11"), ("--inputs", "11")),
    (("--gate", "XOR"), ("--gate", "XOR")),
    (("--gate", "AND", "--weights", "1,1", "--threshold", "2"), ("--gate", "--weights")),
    (("--weights", "1,1"), ("--threshold",)),
    ((), ("--gate",)),
    (("--weights", "1,1", "--threshold", "1", "--inputs", "2"), ("--inputs",)),
    (("--weights", ",".join(["1"] * 11), "--threshold", "1"), ("--weights", "11")),
])
def test_mp_neuron_bad_input(args, fragments):
    assert_bad_input(run_cli("solve", "mp-neuron", *args), *fragments)


def test_mp_neuron_json_is_plain():
    res = run_cli("solve", "mp-neuron", "--gate", "NOT", "--json")
    data = json.loads(res.out)
    assert data["answer"] == {"weights": [-1], "threshold": 0, "truth_table": [[0, 1], [1, 0]]}


def test_threshold_reached_exactly_on_paper_fires():
    # 0.7 + 0.2 = 0.9 on paper (0.8999999999999999 in binary floating point): the neuron fires
    sol = run("mp-neuron", weights="0.7,0.2", threshold="0.9")
    assert sol.answer["truth_table"][-1] == [1, 1, 1]
