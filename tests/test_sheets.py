"""Problem sheets: every format, determinism, the answer key, the footer ids, atomic writing, bad input."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from dltutor.render import sheet as sheets
from dltutor.practice.families import TOPICS, problem_from_id
from dltutor.render.sheet import build_sheet
from dltutor.render.sheets import render_sheet as render
from tests.conftest import assert_bad_input, run_cli

TEXT_FORMATS = ("md", "tex", "html")


@pytest.fixture(scope="module")
def every_topic():
    """One sheet with a problem of every topic (10 problems spread over the 10 topics)."""
    return build_sheet(count=len(TOPICS), seed=11, difficulty="mixed")


@pytest.fixture(scope="module")
def every_topic_key():
    return build_sheet(count=len(TOPICS), seed=11, difficulty="mixed", solutions=True)


def test_sheet_spans_every_topic_and_problems_regenerate(every_topic):
    assert sorted({p.family.topic for p in every_topic.problems}) == sorted(TOPICS)
    assert sorted(p.difficulty for p in every_topic.problems).count("hard") >= 3
    for problem in every_topic.problems:
        again = problem_from_id(problem.id)
        assert again.prompt == problem.prompt
        assert again.solution.answer == problem.solution.answer


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_same_seed_same_bytes(fmt, every_topic):
    again = build_sheet(count=len(TOPICS), seed=11, difficulty="mixed")
    assert render(every_topic, fmt) == render(again, fmt)
    other = build_sheet(count=len(TOPICS), seed=12, difficulty="mixed")
    assert render(every_topic, fmt) != render(other, fmt)


def test_pdf_is_deterministic_and_compiles(every_topic, every_topic_key):
    pdf = render(every_topic, "pdf")
    assert pdf.startswith(b"%PDF") and b"%%EOF" in pdf[-64:]
    assert render(build_sheet(count=len(TOPICS), seed=11, difficulty="mixed"), "pdf") == pdf
    assert b"/CreationDate" not in pdf
    key = render(every_topic_key, "pdf")
    assert key.startswith(b"%PDF") and len(key) > len(pdf)


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_footer_lists_every_problem_id_and_the_seed(fmt, every_topic):
    text = render(every_topic, fmt)
    for pid in every_topic.ids:
        assert pid in text
    assert "seed 11" in text


def test_typst_footer_queries_the_ids_of_each_page(every_topic):
    from dltutor.render.sheet_typeset import sheet_typst

    source = sheet_typst(every_topic)
    assert "footer: context" in source and "query(<problem-id>)" in source
    assert source.count("<problem-id>") == len(every_topic.problems) + 1   # one per problem, one query
    assert "counter(page).final()" in source                                  # page x of y


def _answers(sheet) -> list[str]:
    """Expected answers as printed (6 significant digits), and the first worked step title of each problem
    (its names and numbers as mathematics: ``x = [−0.5, 0]``, ``h̃₁``)."""
    from dltutor.render.formula_unicode import prose
    from dltutor.values import format_value

    out = []
    for problem in sheet.problems:
        out.append(prose(problem.solution.steps[0].title))
        for part in problem.parts:
            if part.spec.form in ("number", "fraction") and not float(part.expected).is_integer():
                out.append(format_value(part.expected, 6))
    return out


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_solutions_show_the_work_and_the_student_copy_does_not(fmt, every_topic, every_topic_key):
    student, key = render(every_topic, fmt), render(every_topic_key, fmt)
    expected = _answers(every_topic_key)
    assert expected
    for item in expected:
        assert item.replace("&", "&amp;") in key or item in key, item
    assert "Worked solution" in key and "Worked solution" not in student
    decimals = [a for a in expected if re.fullmatch(r"-?\d+\.\d{3,}", a)]
    for value in decimals:
        assert value not in student, value
    assert "answer key" in key.lower()


def test_table_parts_are_an_empty_grid_on_the_student_copy():
    sheet = build_sheet(["learning"], count=3, seed=2)
    tables = [p for problem in sheet.problems for p in problem.parts if p.spec.form == "table"]
    assert tables, "the learning topic has epoch tables"
    html = render(sheet, "html")
    root = ET.fromstring(html.split("<body>")[1].split("</body>")[0].join(["<body>", "</body>"]))
    grids = root.findall(".//table[@class='grid']")
    assert len(grids) == len(tables)
    for grid, part in zip(grids, tables):
        rows = grid.findall("./tbody/tr")
        assert len(rows) == len(part.expected)
        assert all((td.text or "") == "" for tr in rows for td in tr.findall("td")[1:])
    key = render(build_sheet(["learning"], count=3, seed=2, solutions=True), "html")
    root = ET.fromstring(key.split("<body>")[1].split("</body>")[0].join(["<body>", "</body>"]))
    filled = root.findall(".//table[@class='grid']/tbody/tr/td")
    assert all(td.text for td in filled)


def test_html_is_well_formed_and_standalone(every_topic_key):
    html = render(every_topic_key, "html")
    assert html.startswith("<!DOCTYPE html>") and "<script" not in html and "http" not in html
    ET.fromstring("<body>" + html.split("<body>")[1].split("</body>")[0] + "</body>")   # the body is XHTML
    assert "<math" in html and "page-break-inside: avoid" in html


def _environments(tex: str) -> None:
    stack = []
    for kind, name in re.findall(r"\\(begin|end)\{(\w+\*?)\}", tex):
        if kind == "begin":
            stack.append(name)
        else:
            assert stack and stack.pop() == name, name
    assert stack == []


@pytest.mark.parametrize("solutions", [False, True])
def test_latex_is_an_exam_class_document(solutions, every_topic, every_topic_key):
    sheet = every_topic_key if solutions else every_topic
    tex = render(sheet, "tex")
    assert tex.startswith(r"\documentclass[11pt,a4paper,addpoints]{exam}")
    _environments(tex)
    assert tex.count(r"\titledquestion") == len(sheet.problems)
    parts = [p for problem in sheet.problems for p in problem.parts]
    assert len(re.findall(r"\\part\[\d+(\.\d+)?\]", tex)) == len(parts)
    marks = sum(float(m) for m in re.findall(r"\\part\[([\d.]+)\]", tex))
    assert marks == sheet.marks
    assert ("\\printanswers" in tex) == solutions and ("\\noprintanswers" in tex) == (not solutions)
    assert ("\\begin{solution}" in tex) == solutions
    assert tex.isascii(), "pdflatex-safe: every symbol is a LaTeX command"
    body = re.sub(r"\\[{}$%#&_]", "", tex)
    assert body.count("{") == body.count("}")
    assert body.count("$") % 2 == 0


def test_markdown_has_numbered_problems_with_marks(every_topic):
    md = render(every_topic, "md")
    for n, problem in enumerate(every_topic.problems, start=1):
        assert f"## Problem {n}. " in md
    from dltutor.render.sheet import answer_grid

    # a part whose answer has a shape (a matrix, a short vector, a truth table) gets a grid instead
    assert md.count("Answer: ____") == sum(1 for p in every_topic.problems for part in p.parts
                                           if part.spec.form != "table" and answer_grid(p, part, 6, False) is None)


def test_matrices_in_prompts_are_typeset():
    sheet = build_sheet(["cnn"], count=4, seed=5, difficulty="hard")
    assert any(b.has_math for p in sheet.problems for b in sheets.prompt_blocks(p))
    assert r"\begin{bmatrix}" in render(sheet, "tex")
    assert "<mtable>" in render(sheet, "html")


# ---------------------------------------------------------------- the command

def test_cli_writes_the_default_file_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("sheet", "--topics", "cnn,params", "--count", "3", "--seed", "7", "--format", "md")
    assert result.code == 0, result.err
    assert (tmp_path / "dltutor-sheet-7.md").read_text().startswith("# Problem sheet")
    assert [p.name for p in tmp_path.iterdir()] == ["dltutor-sheet-7.md"]      # no temporary file left


def test_cli_key_has_its_own_default_name_and_dash_is_stdout(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    sheet = run_cli("sheet", "--count", "2", "--seed", "7", "--format", "md")
    key = run_cli("sheet", "--count", "2", "--seed", "7", "--format", "md", "--solutions")
    assert sheet.code == key.code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dltutor-key-7.md", "dltutor-sheet-7.md"]
    piped = run_cli("sheet", "--count", "2", "--seed", "7", "--format", "md", "--solutions", "-o", "-")
    assert piped.code == 0 and piped.out == (tmp_path / "dltutor-key-7.md").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dltutor-key-7.md", "dltutor-sheet-7.md"]


def test_cli_pdf_with_solutions_and_title(tmp_path):
    out = tmp_path / "key.pdf"
    result = run_cli("sheet", "--count", "2", "--seed", "3", "--solutions", "--title", "Tutorial 4", "-o", str(out))
    assert result.code == 0, result.err
    assert out.read_bytes().startswith(b"%PDF")
    assert "answer key" in result.err


def test_a_failed_render_leaves_no_file_and_keeps_the_old_one(tmp_path, monkeypatch):
    from dataclasses import replace

    import dltutor.render.sheets as sheets

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setitem(sheets.FORMATS, "html", replace(sheets.FORMATS["html"], printer=broken))
    new = tmp_path / "new.html"
    old = tmp_path / "old.html"
    old.write_text("keep me")
    for path in (new, old):
        result = run_cli("sheet", "--count", "1", "--seed", "1", "--format", "html", "-o", str(path))
        assert result.code == 1 and "boom" in result.err
    assert not new.exists()
    assert old.read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.html"]


def test_a_failed_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    import os

    def refuse(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    result = run_cli("sheet", "--count", "1", "--seed", "1", "--format", "md", "-o", str(tmp_path / "s.md"))
    assert_bad_input(result, "No space left on device")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args, fragments", [
    (["--topics", "cnn,vision"], ["'vision'", "neurons, learning, activations"]),
    (["--count", "0"], ["--count"]),
    (["--count", "many"], ["--count"]),
    (["--count", "61"], ["--count"]),
    (["--format", "docx"], ["docx", "pdf, html, md, tex"]),
    (["--difficulty", "brutal"], ["brutal", "mixed"]),
    (["--seed", "-3"], ["--seed"]),
    (["-o", "/nonexistent-folder/sheet.pdf"], ["/nonexistent-folder/sheet.pdf"]),
])
def test_bad_input_is_one_line_exit_2(args, fragments, tmp_path):
    assert_bad_input(run_cli("sheet", "--seed", "1", *args) if "--seed" not in args else run_cli("sheet", *args),
                     *fragments)


def test_output_that_is_a_folder_is_bad_input(tmp_path):
    assert_bad_input(run_cli("sheet", "--seed", "1", "--count", "1", "-o", str(tmp_path)), "is a folder")


def test_help_has_examples():
    result = run_cli("sheet", "--help")
    assert result.code == 0 and "Examples:" in result.out and "--solutions" in result.out
