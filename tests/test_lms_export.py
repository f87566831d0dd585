"""LMS export: Moodle XML (well-formed, the required elements, tolerance, misconception answers) and GIFT."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from dltutor.practice.families import problem_from_id
from dltutor.render.lms import build_bank, cells, gift_escape, to_gift, to_moodle_xml
from tests.conftest import assert_bad_input, run_cli

TOPICS = ["cnn", "params", "metrics", "learning", "optimizers"]


@pytest.fixture(scope="module")
def bank():
    return build_bank(TOPICS, variants=2, seed=4)


@pytest.fixture(scope="module")
def quiz(bank):
    return ET.fromstring(to_moodle_xml(bank).split("\n", 1)[1])


def test_variants_have_distinct_seeds_and_one_category_per_family(bank, quiz):
    for family, problems in bank:
        assert len({p.seed for p in problems}) == 2
        assert all(p.family is family for p in problems)
    categories = quiz.findall("question[@type='category']")
    assert [c.findtext("category/text") for c in categories] == \
        [f"$course$/top/dltutor/{f.topic}/{f.id}" for f, _ in bank]
    questions = [q for q in quiz.findall("question") if q.get("type") != "category"]
    assert len(questions) == sum(len(p) for _, p in bank)


def test_every_question_has_the_required_elements(quiz):
    for q in quiz.findall("question"):
        assert q.get("type") in ("category", "numerical", "cloze")
        if q.get("type") == "category":
            continue
        assert q.findtext("name/text")
        text = q.find("questiontext")
        assert text.get("format") == "html" and text.findtext("text")
        assert q.find("generalfeedback").get("format") == "html"
        assert "<math" in q.findtext("generalfeedback/text")          # the worked solution, typeset
        assert float(q.findtext("defaultgrade")) > 0


def test_numerical_questions_have_tolerance_and_misconception_answers(bank, quiz):
    numerical = quiz.findall("question[@type='numerical']")
    assert numerical
    with_feedback = 0
    for q in numerical:
        answers = q.findall("answer")
        assert answers[0].get("fraction") == "100"
        for a in answers:
            assert a.findtext("text") and a.find("tolerance") is not None
            float(a.findtext("tolerance"))
        for a in answers[1:]:
            assert a.get("fraction") == "0" and a.findtext("feedback/text")
            with_feedback += 1
    assert with_feedback > 0
    # the misconception texts are those of the families, written as mathematics (⌈n/s⌉, √dₖ)
    from dltutor.render.wording import slip_text

    feedbacks = {slip_text(m) for _, ps in bank for p in ps for m in p.misconceptions}
    assert {a.findtext("feedback/text") for q in numerical for a in q.findall("answer")[1:]} <= feedbacks


def test_conv_output_size_question_matches_the_problem():
    # conv-output-size: out = floor((n + 2p − k)/s) + 1, an integer: tolerance 0
    bank = [(f, ps) for f, ps in build_bank(["cnn"], variants=1, seed=0) if f.id == "conv-output-size"]
    problem = bank[0][1][0]
    q = ET.fromstring(to_moodle_xml(bank).split("\n", 1)[1]).find("question[@type='numerical']")
    n, k, s, p = (problem.names[x] for x in ("n", "k", "s", "p"))
    assert q.find("answer").findtext("text") == str((n + 2 * p - k) // s + 1)
    assert q.find("answer").findtext("tolerance") == "0"


def test_special_characters_are_escaped_in_xml():
    from dltutor.render.lms_xml import xml_text

    root = ET.Element("quiz")
    xml_text(root, "questiontext", "<p>a < b & c ]]> d</p>", "html")
    text = ET.tostring(root, encoding="unicode")
    assert "&lt;p&gt;a &lt; b &amp; c ]]&gt; d" in text
    assert ET.fromstring(text).findtext("questiontext/text") == "<p>a < b & c ]]> d</p>"


def test_cloze_fields_weight_the_marks_and_carry_misconceptions(bank, quiz):
    cloze = quiz.findall("question[@type='cloze']")
    assert cloze
    fields = [f for q in cloze for f in re.findall(r"\{\d+:NUMERICAL:[^{}]*\}", q.findtext("questiontext/text"))]
    assert fields and all(re.match(r"\{\d+:NUMERICAL:=-?[\d.e+-]+:[\d.e-]+#Correct", f) for f in fields)
    assert any("~%0%" in f for f in fields)
    numeric = [p for _, ps in bank for p in ps if not p.family.conceptual]   # conceptual: no numbers
    total_cells = sum(len(c) for p in numeric if len(cells(p)) > 1 or len(cells(p)[0][1]) > 1
                      for _, c in cells(p))
    assert len(fields) == total_cells


# ---------------------------------------------------------------- GIFT

@pytest.mark.parametrize("text, escaped", [
    ("a = b", r"a \= b"), ("{x}", r"\{x\}"), ("~#:", r"\~\#\:"), ("a\\b", "a\\\\b"), ("l1\nl2", r"l1\nl2"),
])
def test_gift_escape(text, escaped):
    assert gift_escape(text) == escaped


def _questions(gift: str) -> list[str]:
    return [q.rstrip("\n") for q in gift.split("\n\n") if q.startswith("::")]


def test_gift_questions_are_escaped_and_closed(bank):
    bank = [(f, ps) for f, ps in bank if not f.conceptual]     # numbers only (tests/test_concepts.py)
    gift = to_gift(bank)
    questions = _questions(gift)
    assert len(questions) == sum(len(c) for _, ps in bank for p in ps for _, c in cells(p))
    for q in questions:
        assert q.endswith("\n}")
        head, _, answers = q.partition("\n{")
        name_text = head[2:]
        # every special character of the name and the text is escaped
        unescaped = re.sub(r"\\.", "", name_text)
        assert unescaped.count("::") == 1 and not re.search(r"[~=#{}]", unescaped.replace("::", "", 1)), q[:200]
        assert answers.startswith("#") or answers.startswith("TRUE") or answers.startswith("FALSE")
        body = re.sub(r"\\.", "", answers)
        assert body.count("{") == 0 and body.rstrip().endswith("}")
        assert re.search(r"^\t=-?[\d.e+-]+:[\d.e-]+#Correct\.$", answers, re.M)
    slips = [ln for q in questions for ln in q.splitlines() if ln.startswith("\t=%0%")]
    assert slips and all(re.fullmatch(r"\t=%0%-?[\d.e+-]+:[\d.e-]+#.+", ln) for ln in slips)
    assert "$CATEGORY: $course$/top/dltutor/cnn/conv-output-size" in gift


# ---------------------------------------------------------------- the command

@pytest.mark.parametrize("fmt", ["moodle", "gift"])
def test_cli_writes_atomically_and_deterministically(fmt, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for path in (a, b):
        result = run_cli("export", "--format", fmt, "--topics", "metrics", "--variants", "2", "--seed", "9",
                         "-o", str(path))
        assert result.code == 0, result.err
    assert a.read_bytes() == b.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b"]


def test_cli_failed_export_leaves_no_file(tmp_path, monkeypatch):
    import dltutor.render.lms as lms

    from dataclasses import replace

    monkeypatch.setitem(lms.FORMATS, "gift", replace(lms.FORMATS["gift"], printer=lambda *a, **k: 1 / 0))
    out = tmp_path / "bank.gift"
    result = run_cli("export", "--format", "gift", "--topics", "metrics", "-o", str(out))
    assert result.code == 1 and not out.exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args, fragment", [
    (["--format", "qti"], "qti"),
    (["--format", "gift", "--topics", "nope"], "'nope'"),
    (["--format", "gift", "--variants", "0"], "--variants"),
    (["--format", "moodle", "-o", "/nonexistent-folder/x.xml"], "/nonexistent-folder/x.xml"),
])
def test_cli_bad_input(args, fragment):
    assert_bad_input(run_cli("export", *args), fragment)


@pytest.mark.parametrize("pid, expected", [
    # 3 significant figures of each number: half a unit in the third figure
    ("batchnorm-train@1:102398:medium", {"3.75": "0.005", "6.6875": "0.005", "-0.06333063956579177": "5e-05",
                                         "0.710000734663875": "0.0005", "2.643329170238042": "0.005"}),
    # w after step 2 is right when its change from step 1 is: 1.990526 − 1.990000 = 0.000526 → ±5e-07
    ("adam-step@2:514758:medium", {"0.009999954824808933": "5e-06", "1.990000158111383": "5e-06",
                                   "0.019090783503198004": "5e-06", "1.9905264680150616": "5e-07"}),
])
def test_cloze_and_gift_tolerances_are_the_precision_the_prompt_states(pid, expected):
    problem = problem_from_id(pid)
    bank = [(problem.family, [problem])]
    gift = dict(re.findall(r"=(-?[0-9.]+):([0-9e.-]+)#Correct", to_gift(bank)))
    cloze = dict(re.findall(r"NUMERICAL:=(-?[0-9.]+):([0-9e.-]+)#Correct", to_moodle_xml(bank)))
    assert gift == expected
    assert cloze == expected


def test_numerical_question_tolerance_is_the_precision_the_prompt_states():
    problem = problem_from_id("auc@1:248606:medium")        # AUC 0.6875 to 3 significant figures
    assert problem.parts[0].expected == 0.6875
    quiz = ET.fromstring(to_moodle_xml([(problem.family, [problem])]).split("\n", 1)[1])
    (question,) = quiz.findall("question[@type='numerical']")
    assert [a.findtext("tolerance") for a in question.findall("answer")][0] == "0.0005"
