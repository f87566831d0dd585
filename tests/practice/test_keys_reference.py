"""Every family's keys against answers recomputed outside dltutor, and the checker on both sides
of the precision each prompt states.

tests/data/practice_keys.json was written by tests/reference/record_practice_keys.py: dltutor drew
the problems (a few hundred ids, non-trivial: stride ≠ padding, lr ≠ 1) and PyTorch, Keras 3 and
scikit-learn (or a few NumPy lines written from the prompt, where no framework has the quantity)
recomputed every part from the drawn parameters. The keys here are rebuilt from the recorded
parameters, so a family whose ranges change still meets its record; a family whose parameters
are renamed must be recorded again (the failure says so).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from dltutor.practice.answers import derive, expected_part, option_texts, run_kind
from dltutor.practice.checking import check_part
from dltutor.practice.families import Rejected, _build, generate, get_family, load_families
from dltutor.practice.stress import answer_text

DATA = json.loads((Path(__file__).resolve().parent.parent / "data" / "practice_keys.json").read_text())
# the GAN, autoencoder, Huber and L2 families: recorded with PyTorch alone (record_practice_keys_torch.py)
TORCH_DATA = json.loads((Path(__file__).resolve().parent.parent / "data" / "practice_keys_torch.json").read_text())
RECORDS = [r for r in DATA["records"] + TORCH_DATA["records"]
           if r["family"] in load_families()]   # a family since removed: none
BY_ID = {r["id"]: r for r in RECORDS}
RERECORD = "record again: PYTHONPATH=. python tests/reference/record_practice_keys.py (torch, keras, sklearn)"


def test_the_record_covers_every_family_with_non_trivial_draws():
    numeric = {fid for fid, f in load_families().items() if not f.conceptual}   # a question pool has no numbers
    missing = sorted(numeric - {r["family"] for r in RECORDS})
    assert not missing, f"no framework reference for {', '.join(missing)}: add one and {RERECORD}"
    assert len(RECORDS) >= 300
    for r in RECORDS:
        p = r["params"]
        assert p.get("lr", 0.5) != 1, r["id"]
        assert not ("s" in p and "p" in p and p["s"] == p["p"]), r["id"]


def keys_from_params(record):
    """The family's expected answers for the recorded parameters (no redraw, no rejection)."""
    family = get_family(record["family"])
    missing = set(family.params[record["difficulty"]]) - set(record["params"])
    if missing:
        pytest.fail(f"{record['id']}: parameters {sorted(missing)} are not in the record; {RERECORD}")
    names = derive(family, record["params"])
    solution = run_kind(family.kind, option_texts(family.options, names))
    parts = [expected_part(family, spec, names, solution) for spec in family.parts
             if spec.name in record["answers"]]
    return family, parts


def same(a, b) -> bool:
    """Float64 on both sides; Keras's GRU computes its sigmoid in float32 (about 1e-8)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return bool(a) == bool(b)
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return x.shape == y.shape and bool(np.allclose(x, y, rtol=1e-6, atol=1e-8))


@pytest.mark.parametrize("rid", sorted(BY_ID))
def test_key_equals_the_framework_answer(rid):
    record = BY_ID[rid]
    family, parts = keys_from_params(record)
    assert {p.name for p in parts} == set(record["answers"]), rid
    for part in parts:
        assert same(part.expected, record["answers"][part.name]), (rid, part.name, part.expected,
                                                                   record["answers"][part.name])
        if part.name in record["accept"]:
            acc = record["accept"][part.name]
            lo, lo_open, hi, hi_open = part.interval
            assert (lo, lo_open) == (acc["above"], True) and (hi, hi_open) == (acc["max"], False), rid


# ---------------------------------------------------------------- the checker on both sides of its precision

def unit(spec, value, start=None) -> np.ndarray:
    """One unit in the last place the prompt asks for, worked out here from the stated precision."""
    v = np.asarray(value, dtype=float)
    if spec.decimals is not None:
        return np.full(v.shape, 10.0 ** -spec.decimals)
    ref = np.abs(v - np.asarray(start, dtype=float)) if start is not None else np.abs(v)
    ref = np.where(ref > 0, ref, 1.0)
    return 10.0 ** (np.floor(np.log10(ref)) - spec.sig + 1)


def rounded(value, start, u):
    """``value`` written to the stated precision (for an update: the change rounded, added to the start)."""
    v = np.asarray(value, dtype=float)
    base = np.asarray(start, dtype=float) if start is not None else 0.0
    return base + np.round((v - base) / u) * u


def problem_for(record):
    family = get_family(record["family"])
    problem = generate(family, record["seed"], record["difficulty"])
    if problem.params == record["params"]:
        return problem
    try:
        return _build(family, record["seed"], record["difficulty"], record["params"])
    except Rejected as exc:
        pytest.skip(f"{record['id']}: the family no longer makes this draw ({exc}); {RERECORD}")


@pytest.mark.parametrize("rid", sorted(BY_ID))
def test_checker_accepts_the_stated_precision_and_refuses_the_rest(rid):
    record = BY_ID[rid]
    problem = problem_for(record)
    for part in problem.parts:
        spec, ref = part.spec, record["answers"][part.name]
        full = check_part(problem, part, answer_text(ref, spec.form))
        assert full.correct and full.marks == spec.marks and not full.misconceptions, (rid, part.name)
        if spec.table is not None:
            rows = [list(rounded(row, None, unit(spec, row))) for row in ref]
            assert check_part(problem, part, answer_text(rows, "table")).correct, (rid, part.name)
            u = unit(spec, ref[0])
            rows[0][-1] = float(ref[0][-1] + 0.75 * u[-1])     # just outside, in row 1's last cell
            assert not check_part(problem, part, answer_text(rows, "table")).correct, (rid, part.name)
            continue
        if part.interval is not None:
            lo, _, hi, _ = part.interval
            for inside in (hi, (lo + hi) / 2):
                assert check_part(problem, part, f"{inside:g}").correct, (rid, inside)
            for outside in (lo, hi + 0.01, lo - 1):
                assert not check_part(problem, part, f"{outside:g}").correct, (rid, outside)
            continue
        if spec.exact:
            if spec.form == "integer":
                assert not check_part(problem, part, str(int(ref) + 1)).correct, rid
            continue
        start = part.start
        u = unit(spec, ref, start)
        r = rounded(ref, start, u)
        got = check_part(problem, part, answer_text(r.tolist(), spec.form))
        assert got.correct, (rid, part.name, r.tolist(), ref)
        # just outside: one element (the one with the coarsest precision, so not a float-noise zero)
        # moved to 0.75 of a unit from the right value
        off = np.array(ref, dtype=float)
        flat, units = off.reshape(-1), np.broadcast_to(u, off.shape).reshape(-1)
        k = int(np.argmax(units))
        flat[k] += 0.75 * units[k] * (1 if flat[k] >= 0 else -1)
        got = check_part(problem, part, answer_text(off.tolist(), spec.form))
        assert not got.correct and got.marks < spec.marks, (rid, part.name, off.tolist(), ref)
        if start is not None:
            got = check_part(problem, part, answer_text(np.asarray(start, dtype=float).tolist(), spec.form))
            assert not got.correct, (rid, part.name, "the starting value scored as right")
        for mis in problem.misconceptions:
            if part.name in mis.values:
                got = check_part(problem, part, answer_text(mis.values[part.name], spec.form))
                assert not got.correct and mis.id in got.misconceptions, (rid, part.name, mis.id)


def test_precision_is_stated_in_every_prompt_that_needs_one():
    for family in load_families().values():
        problem = generate(family, 0, "medium")
        inexact = [p for p in problem.parts if not p.spec.exact and p.interval is None]
        if inexact:
            assert "Precision:" in problem.prompt, family.id
            assert ("significant figure" in problem.prompt or "decimal place" in problem.prompt
                    or "whole number" in problem.prompt), family.id


@pytest.mark.parametrize("rid", ["rmsprop-step", "adam-step", "sgd-momentum-step"])
def test_optimizer_prompt_prints_the_rule_the_key_uses(rid):
    # Keras 3 RMSprop divides by √(s + ε) (recorded above); the prompt must say so, not √s + ε
    problem = generate(get_family(rid), 199, "hard")
    if rid == "rmsprop-step":
        assert "√(s + ε)" in problem.prompt and "√s + ε" not in problem.prompt
    if rid == "adam-step":
        assert "α_t ← lr·√(1 − β2^t)/(1 − β1^t)" in problem.prompt
    assert "{" not in problem.prompt and not math.isnan(problem.marks)


def test_every_inexact_part_asks_for_enough_precision():
    # 3 significant figures (of the change, for an update) or 2 decimal places at least; whole
    # numbers only where every recorded answer is a whole number
    for record in RECORDS:
        family = get_family(record["family"])
        for spec in family.parts:
            if spec.exact or spec.accept or spec.name not in record["answers"]:
                continue
            if spec.decimals == 0:
                assert np.all(np.mod(np.asarray(record["answers"][spec.name], dtype=float), 1) == 0), record["id"]
            elif spec.decimals is not None:
                assert spec.decimals >= 2, (record["id"], spec.name)
            else:
                assert spec.sig >= 3, (record["id"], spec.name)
