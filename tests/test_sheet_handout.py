"""Sheets a teacher hands out: ids that never break, answer grids that fit the answer, an HTML page
that carries its own math font and shows display fractions at display size.

The expected grids are computed here from the drawn parameters (a truth table by its definition,
a convolution's output size by the formula), not taken from the solver.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from dltutor.practice.families import generate, get_family
from dltutor.render.sheet import Sheet, build_sheet
from dltutor.render.sheets import render_sheet


def _sheet(names, solutions=False, seed=1):
    return Sheet([generate(get_family(n), seed) for n in names], seed, [], "medium", solutions=solutions)


def _truth_rows(problem):
    w, theta = problem.names["w"], problem.names["theta"]
    n = len(w)
    inputs = [[(i >> (n - 1 - b)) & 1 for b in range(n)] for i in range(2 ** n)]
    return [x + [1 if sum(a * b for a, b in zip(w, x)) >= theta else 0] for x in inputs]


@pytest.mark.parametrize("seed", [1, 4])
def test_a_truth_table_gets_a_grid_of_its_rows_with_the_inputs_given(seed):
    problem = generate(get_family("mp-truth-table"), seed)
    rows = _truth_rows(problem)
    html = render_sheet(_sheet(["mp-truth-table"], seed=seed), "html")
    table = re.search(r'<table class="grid answer">.*?</table>', html).group(0)
    body = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1])
    assert len(body) == len(rows)
    for tr, row in zip(body, rows):
        assert re.findall(r"<td>(.*?)</td>", tr) == [str(v) for v in row[:-1]] + [""]
    key = render_sheet(_sheet(["mp-truth-table"], solutions=True, seed=seed), "html")
    table = re.search(r'<table class="grid answer">.*?</table>', key).group(0)
    body = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1])
    assert [re.findall(r"<td>(.*?)</td>", tr) for tr in body] == [[str(v) for v in row] for row in rows]


@pytest.mark.parametrize("seed", [1, 2, 5])
def test_a_matrix_answer_gets_a_grid_of_its_shape(seed):
    problem = generate(get_family("conv2d-by-hand"), seed)
    n, k = len(problem.names["X"]), len(problem.names["K"])
    s, p = problem.names["s"], problem.names["p"]
    size = (n + 2 * p - k) // s + 1
    html = render_sheet(_sheet(["conv2d-by-hand"], seed=seed), "html")
    table = re.search(r'<table class="grid answer">.*?</table>', html).group(0)
    rows = re.findall(r"<tr>(.*?)</tr>", table)
    assert len(rows) == size and all(r.count("<td></td>") == size for r in rows)
    md = render_sheet(_sheet(["conv2d-by-hand"], seed=seed), "md")
    grid_lines = md.split("output feature map — ")[1].split("\n\n")[1].splitlines()
    assert len(grid_lines) == size + 1 and all(line.count("|") == size + 1 for line in grid_lines)
    tex = render_sheet(_sheet(["conv2d-by-hand"], seed=seed), "tex")
    assert r"\begin{tabular}{|" + "p{1.4cm}|" * size + "}" in tex
    assert r"\makeemptybox" not in tex.split(r"\begin{questions}")[1]


def test_the_key_still_typesets_a_matrix_answer():
    key = render_sheet(_sheet(["conv2d-by-hand"], solutions=True), "html")
    assert 'class="grid answer"' not in key and "Answer: <math>" in key


def test_html_embeds_its_math_font_and_asks_no_other_host():
    html = render_sheet(_sheet(["conv2d-by-hand", "activation-derivative"]), "html")
    assert "@font-face" in html and "url(data:font/otf;base64," in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert not re.search(r"url\((?!data:)", html)
    assert "<script" not in html and "<link" not in html
    assert 'math[display="block"] mtd { math-style: normal; }' in html   # display fractions display size


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler)")
def test_no_problem_id_breaks_across_lines_in_the_pdf(tmp_path):
    sheet = build_sheet(count=12, seed=3)
    path = tmp_path / "sheet.pdf"
    path.write_bytes(render_sheet(sheet, "pdf"))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    for pid in sheet.ids:
        for i in range(1, len(pid)):     # never "…regularization@1:\n292704:medium" or "concept-\nregul…"
            broken = re.escape(pid[:i]) + r"[ \t]*\n[^\n]*?" + re.escape(pid[i:])
            assert not re.search(broken, text), f"{pid} is broken across lines after {pid[:i]!r}"
    last_page = text.split("\f")[-2] if text.endswith("\f") else text.split("\f")[-1]
    assert all(pid in last_page for pid in sheet.ids)       # every id listed at the end


def test_the_latex_grade_table_lists_problem_numbers_and_marks_not_titles():
    sheet = _sheet(["perceptron-epoch", "conv2d-by-hand", "mp-truth-table"])
    tex = render_sheet(sheet, "tex")
    assert r"\gradetable" not in tex
    marks = " & ".join(f"{p.marks:g}" for p in sheet.problems)
    assert "Problem & 1 & 2 & 3 & Total" in tex and f"Marks & {marks} & {sheet.marks:g}" in tex
