"""`dltutor sheet --format tex`: the sheet and its answer key compile with pdflatex (TeX Live from the
distribution's packages: texlive-latex-base, texlive-latex-extra for the exam class, lmodern).

Skipped where pdflatex is missing; CI installs it (.ci/run). The topics chosen cover the LaTeX
the printers write: fill-in grids (rnn), solution tables whose rows open with a vector
(learning), formulas with matrices (backprop, cnn) and layer tables (params).
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from conftest import run_cli

TOPICS = ["learning", "backprop", "cnn", "params", "rnn"]


@pytest.mark.parametrize("solutions", [False, True], ids=["sheet", "key"])
@pytest.mark.parametrize("topic", TOPICS)
def test_tex_sheet_compiles_with_pdflatex(topic, solutions, tmp_path):
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed (CI installs texlive-latex-base, texlive-latex-extra, lmodern)")
    tex = tmp_path / f"{topic}.tex"
    args = ["sheet", "--topics", topic, "--count", "6", "--seed", "5", "--format", "tex", "-o", str(tex)]
    result = run_cli(*args, *(["--solutions"] if solutions else []))
    assert result.code == 0, result.err
    proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", tex.name],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    log = proc.stdout
    errors = [line for line in log.splitlines() if line.startswith("!")]
    assert proc.returncode == 0, "\n".join(errors) or log[-2000:]
    assert (tmp_path / f"{topic}.pdf").stat().st_size > 1000
    assert "Missing character" not in (tmp_path / f"{topic}.log").read_text(errors="replace")


@pytest.mark.parametrize("seed", [1, 2])
def test_a_long_key_of_every_topic_compiles(seed, tmp_path):
    """60 problems of every topic and level: every symbol the keys print, in text and in math."""
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed (CI installs texlive-latex-base, texlive-latex-extra, lmodern)")
    tex = tmp_path / "all.tex"
    result = run_cli("sheet", "--count", "60", "--seed", str(seed), "--difficulty", "mixed", "--format", "tex",
                     "--solutions", "-o", str(tex))
    assert result.code == 0, result.err
    proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", tex.name],
                          cwd=tmp_path, capture_output=True, text=True, timeout=180)
    errors = [line for line in proc.stdout.splitlines() if line.startswith("!")]
    assert proc.returncode == 0, "\n".join(errors) or proc.stdout[-2000:]


def test_text_mode_scripts_and_symbols_stay_valid_latex():
    from dltutor.render.latex_text import latex_text

    # a minus inside a subscript stays inside the math; a symbol before a script does not fuse with it
    assert latex_text("h_(t−1)") == "$h_{t-1}$"
    assert latex_text("h·d_model") == "h$\\cdot{}d_{model}$"
    assert latex_text("k′") == "k$^{\\prime}$"
