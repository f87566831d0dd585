"""The command-line shell: help, examples of every kind, exit codes, fast start-up."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys

import pytest

from dltutor import __version__
from dltutor.solvers.registry import KIND_MODULES, get_kind
from tests.conftest import assert_bad_input, run_cli, run_process

KINDS = sorted(KIND_MODULES)


def test_version():
    result = run_cli("--version")
    assert result.code == 0
    assert __version__ in result.out


def test_python_dash_m_works_like_the_command():
    result = run_process("--version")
    assert result.code == 0 and __version__ in result.out


def test_top_level_help_lists_solve_with_examples():
    result = run_cli("--help")
    assert result.code == 0
    assert "solve" in result.out and "Examples:" in result.out


def test_solve_help_lists_every_kind():
    result = run_cli("solve", "--help")
    assert result.code == 0
    for kind in KINDS:
        assert kind in result.out


def test_registry_matches_module_table():
    """Every name in KIND_MODULES is registered by the module it names."""
    for name in KINDS:
        assert get_kind(name).name == name


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_has_help_with_an_example(kind):
    result = run_cli("solve", kind, "--help")
    assert result.code == 0, result.err
    assert "Examples:" in result.out
    assert f"dltutor solve {kind} " in result.out


def _examples():
    for kind in KINDS:
        for example in get_kind(kind).examples:
            yield pytest.param(kind, example, id=f"{kind}: {example[:40]}")


@pytest.mark.parametrize("kind, example", list(_examples()))
def test_every_example_solves_in_both_renderers(kind, example):
    args = ["solve", kind, *shlex.split(example)]
    as_json = run_cli(*args, "--json")
    assert as_json.code == 0, as_json.err
    data = json.loads(as_json.out)
    assert set(data) == {"kind", "inputs", "answer", "steps"}
    assert data["kind"] == kind
    assert data["steps"], "a solution shows its working"
    for step in data["steps"]:
        assert {"title", "formula", "value"} <= set(step)
    human = run_cli(*args)
    assert human.code == 0, human.err
    assert "Answer" in human.out


def test_unknown_kind_is_bad_input_listing_the_kinds():
    result = run_cli("solve", "conv-outptu", "--input", "28")
    assert_bad_input(result, "conv-outptu", "conv-output")


def test_unknown_option_is_bad_input():
    result = run_cli("solve", "conv-output", "--input", "28", "--kernel", "3", "--colour", "red")
    assert_bad_input(result, "--colour")


def test_missing_required_option_names_it():
    result = run_cli("solve", "conv-output", "--input", "28", "--json")
    assert_bad_input(result, "--kernel")


def test_bad_digits():
    result = run_cli("solve", "conv-output", "--input", "28", "--kernel", "3", "--digits", "0")
    assert_bad_input(result, "--digits")


def test_internal_error_is_exit_1_with_debug_hint(monkeypatch):
    kind = get_kind("conv-output")

    def broken(**kwargs):
        raise RuntimeError("boom")

    from dltutor.solvers import registry

    monkeypatch.setitem(registry.REGISTRY, "conv-output", registry.Kind(
        kind.name, broken, kind.topic, kind.summary, kind.options, kind.examples))
    result = run_cli("solve", "conv-output", "--input", "28", "--kernel", "3")
    assert result.code == 1
    assert "--debug" in result.err and "boom" in result.err
    assert "Traceback" not in result.err


def test_bad_input_in_a_real_process_has_no_traceback():
    result = run_process("solve", "conv-output", "--input", "abc", "--kernel", "3", "--json")
    assert_bad_input(result, "'abc'")


FAST_PATH = """
import sys
from dltutor.cli import main
try:
    main(["solve", "conv-output", "--input", "28", "--kernel", "5", "--json"])
except SystemExit:
    pass
heavy = sorted(m for m in ("sympy", "textual", "rich", "matplotlib", "plotext",
                            # what a shape question does not need: the help text's formula printer,
                            # the layer tables behind modelspec.windows
                            "dltutor.render.formula_unicode", "dltutor.modelspec.resolving")
               if m in sys.modules)
print("HEAVY=" + ",".join(heavy), file=sys.stderr)
"""


def test_shape_question_imports_no_heavy_module():
    proc = subprocess.run([sys.executable, "-c", FAST_PATH], capture_output=True, text=True, timeout=60)
    assert json.loads(proc.stdout)["answer"] == 24
    assert "HEAVY=\n" in proc.stderr, proc.stderr


CORE_ONLY = """
import sys
import dltutor.values, dltutor.solution, dltutor.modelspec, dltutor.solvers.registry
from dltutor.solvers.registry import all_kinds
all_kinds()
loaded = sorted(m for m in ("click", "rich", "textual") if m in sys.modules)
print(",".join(loaded))
"""


def test_core_does_not_import_the_user_interface():
    """Imports point inward: solvers import numpy, sympy and the standard library only."""
    proc = subprocess.run([sys.executable, "-c", CORE_ONLY], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""


@pytest.mark.parametrize("args", [["glossary"], ["lessons"], ["generate", "conv2d-multichannel", "--seed", "2"]])
def test_a_reader_that_stops_early_is_not_an_error(args):
    """`dltutor ... | head -1`: a closed pipe ends the command quietly with status 0, not 'internal error'."""
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "dltutor", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()                  # the reader goes away, as head does
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0 and "error" not in err, err
