"""Every example printed by a command's --help runs as printed, in a shell (solve kinds: see test_cli.py).

The examples are read from the real ``--help`` output and given to ``bash -c``
exactly as printed (quotes, ``$'...'``, redirections and all), in one working
folder per test run, with a private progress folder and no terminal on stdin.
The files an example reads (answers.txt, a trained xor.npz, points.csv) are made
first, as a reader following the help would; nothing in an example is changed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from conftest import run_cli

# commands whose examples run until Ctrl-C: a web server (tests/ of the serve command start it themselves)
NOT_RUN = {"serve": "runs a web server until Ctrl-C"}
TIMEOUT = 180


def commands() -> list[str]:
    text = run_cli("--help").out
    block = text.split("Commands:", 1)[1].split("Examples:", 1)[0]
    return [line.split()[0] for line in block.splitlines() if line.startswith("  ") and line.split()]


def examples(command: str) -> list[str]:
    text = run_cli(command, "--help").out
    assert "Examples:" in text, f"dltutor {command} --help has no examples"
    block = text.split("Examples:", 1)[1]
    return [line.strip() for line in block.splitlines() if line.strip().startswith("dltutor ")]


def test_every_command_has_examples():
    for command in commands():
        assert examples(command), command


def _cases():
    cases = []
    for command in commands():
        for example in examples(command):
            marks = [pytest.mark.skip(reason=NOT_RUN[command])] if command in NOT_RUN else []
            cases.append(pytest.param(example, id=example[:70], marks=marks))
    return cases


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """One folder for every example, with the input files the examples name."""
    folder = tmp_path_factory.mktemp("examples")
    scripts = os.path.dirname(sys.executable)     # the dltutor script of this Python comes first
    env = dict(os.environ, DLTUTOR_HOME=str(folder / "home"), NO_COLOR="1",
               PATH=scripts + os.pathsep + os.environ.get("PATH", ""))
    (folder / "answers.txt").write_text("18\nsubmit\n")
    (folder / "points.csv").write_text("0,0\n0,1\n1,0\n1,1\n")
    made = subprocess.run([sys.executable, "-m", "dltutor", "train", "--data", "xor", "--epochs", "50",
                           "--save", "xor.npz"], cwd=folder, env=env, capture_output=True, text=True,
                          timeout=TIMEOUT)
    assert made.returncode == 0, made.stderr
    return folder, env


@pytest.mark.parametrize("example", _cases())
def test_help_example_runs_in_a_shell(example, workdir):
    folder, env = workdir
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("no bash on this machine")
    result = subprocess.run([bash, "-c", example], cwd=folder, env=env, stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == 0, (example, result.stderr[-2000:])
    assert "Traceback" not in result.stderr, (example, result.stderr[-2000:])
    if " --check " in example:          # an example of checking an answer gives the right answer
        assert "right" in result.stdout and "wrong" not in result.stdout, (example, result.stdout[-1500:])


def _shell_operators(line: str) -> list[str]:
    """The control operators a POSIX shell would act on in ``line`` (``;``, ``|``, ``&``, redirections)."""
    import shlex

    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    return [tok for tok in lexer if tok and set(tok) <= set(";|&<>()")]


def _kind_examples():
    from dltutor.solvers.registry import KIND_MODULES, get_kind

    return [(name, ex) for name in sorted(KIND_MODULES) for ex in get_kind(name).examples]


@pytest.mark.parametrize("kind,example", _kind_examples(), ids=lambda v: v if isinstance(v, str) and " " not in v else None)
def test_solve_examples_paste_into_a_shell_as_one_command(kind, example):
    # the kinds' examples run in-process in test_cli.py; here: a shell would not cut them at an unquoted ';'
    assert _shell_operators(f"dltutor solve {kind} {example}") == [], example


def test_the_operator_check_sees_an_unquoted_semicolon():
    assert _shell_operators("dltutor solve attention --q 1,0;0,1") == [";"]
    assert _shell_operators('dltutor solve attention --q "1,0;0,1"') == []
