"""The limits docs/cli.md promises are the ones the code keeps (both sides of each)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_cli, run_process

DOCS = (Path(__file__).resolve().parent.parent / "docs" / "cli.md").read_text()


def test_neuron_takes_the_sign_activation_the_docs_name():
    assert "`sign` is also accepted" in DOCS
    result = run_cli("solve", "neuron", "--x", "1,-2", "--w", "1,1", "--activation", "sign", "--json")
    assert result.code == 0, result.err
    assert result.json()["answer"] == {"z": -1.0, "y": -1.0}
    assert run_cli("solve", "neuron", "--x", "1,2", "--w", "1,1", "--activation", "sign", "--json").json()[
        "answer"]["y"] == 1.0


def long_spec(chars: int) -> str:
    layer = "-> Dense(4)   # " + "x" * 400 + "\n"      # 150 layers of comments fill 64 KiB
    body = "Input(3)\n" + layer * min(150, (chars - 9) // len(layer))
    return body + "#" * (chars - len(body))


def test_a_spec_file_of_64_kib_is_read_and_a_larger_one_refused(tmp_path):
    assert "at most 64 KiB, 65,536" in DOCS
    ok = tmp_path / "ok.txt"
    ok.write_text(long_spec(65_000))
    result = run_cli("solve", "params", "--file", str(ok), "--json")
    assert result.code == 0, result.err
    assert result.json()["answer"]["layers"][-1]["output_shape"] == [4]
    big = tmp_path / "big.txt"
    big.write_text(long_spec(70_000))
    result = run_cli("solve", "params", "--file", str(big))
    assert result.code == 2 and result.err.count("\n") == 1 and "64 KiB" in result.err
    typed = run_cli("solve", "params", long_spec(9_000))          # typed: the 8,000-character cap
    assert typed.code == 2 and "8,000" in typed.err


@pytest.mark.parametrize("seed, code", [("999999999999999999", 0), ("0", 0), ("1000000000000000000", 2),
                                        ("-1", 2), ("1e3", 2)])
def test_seeds_take_up_to_18_digits_as_problem_ids_do(seed, code):
    assert "999,999,999,999,999,999" in DOCS
    result = run_cli("generate", "conv-output-size", "--seed", seed, "--json", "--no-solution")
    assert result.code == code, result.err
    if code == 0:
        problem_id = result.json()["id"]
        assert problem_id.split(":")[1] == seed
        assert run_cli("generate", problem_id, "--json").json()["prompt"] == result.json()["prompt"]
    else:
        assert "--seed" in result.err and "18 digits" in result.err and result.err.count("\n") == 1


def test_formula_nesting_is_limited_before_sympy_sees_it():
    assert "at most 20 functions or powers" in DOCS
    deep = lambda n: "sigmoid(" * n + "x" + ")" * n  # noqa: E731
    assert run_cli("solve", "optimizer", "--method", "sgd", "--f", deep(20), "--w", "1", "--steps", "1").code == 0
    # 30 nested sigmoid( crashed the differentiator (and the TUI calculator) with a RecursionError
    result = run_process("solve", "optimizer", "--method", "sgd", "--f", deep(30), "--w", "1", "--steps", "1")
    assert result.code == 2 and "Traceback" not in result.err and "the limit is 20" in result.err


def test_a_training_run_over_the_work_budget_is_refused_before_it_starts():
    assert "at most 2e12" in DOCS
    model = "Input(8,8,1) -> Conv2D(16,3) -> MaxPooling2D(2) -> Flatten -> Dense(10, softmax)"
    result = run_process("train", "--data", "digits", "--model", model, "--epochs", "100000", timeout=60)
    assert result.code == 2 and "multiply-adds" in result.err and "Traceback" not in result.err
    assert result.err.count("\n") == 1 and "epochs" in result.err
    fits = int(result.err.split("use at most ")[1].split(" epochs")[0].replace(",", ""))
    assert 1000 < fits < 100000          # the message's own number of epochs is within the budget
