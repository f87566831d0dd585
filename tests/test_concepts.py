"""Conceptual families (a question pool: choice, true/false with a reason, short answer): reading
and checking answers, the pool's checks, and every face (sheets, Moodle XML, GIFT)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from dltutor.errors import InputError
from dltutor.practice.checking import check_part, parse_answer
from dltutor.practice.concept_spec import CHOICES, normalize, read_concept
from dltutor.practice.families import generate, load_families, load_family

CONCEPTUAL = sorted(fid for fid, f in load_families().items() if f.conceptual)
SEEDS = range(12)


def draws(fid):
    family = load_families()[fid]
    return [generate(family, seed, ("easy", "medium", "hard")[seed % 3]) for seed in SEEDS]


def test_at_least_twelve_families_cover_the_topics_without_numbers():
    families = load_families()
    assert len(CONCEPTUAL) >= 12
    topics = {families[f].topic for f in CONCEPTUAL}
    assert {"regularization", "autoencoders", "gans", "frameworks", "training", "activations", "losses",
            "cnn", "rnn"} <= topics
    assert {families[f].form for f in CONCEPTUAL} == {"choice", "truefalse", "text"}


@pytest.mark.parametrize("a, b", [("The Leaky-ReLU.", "leaky relu"), ("  Dropout ", "dropout"),
                                  ("model.fit()", "Model.Fit"), ("an Epoch!", "epoch"),
                                  ("standardisation", "Standardisation")])
def test_short_answers_are_compared_without_case_spaces_punctuation_or_article(a, b):
    assert normalize(a) == normalize(b)


@pytest.mark.parametrize("a, b", [("dropout", "batch normalization"), ("l1", "l2"), ("epoch", "epochs x")])
def test_different_short_answers_stay_different(a, b):
    assert normalize(a) != normalize(b)


@pytest.mark.parametrize("text, value", [("b", "B"), ("(C)", "C"), ("d)", "D"), (" a. ", "A"), ("ans = b", "B"),
                                         ("reason: c", "C")])
def test_a_choice_is_read_as_its_letter(text, value):
    assert read_concept(text, "choice") == value


@pytest.mark.parametrize("text, value", [("True", True), ("f", False), ("yes", True), ("FALSE.", False)])
def test_a_verdict_is_read(text, value):
    assert read_concept(text, "truefalse") is value


def test_a_verdict_that_is_neither_is_refused():
    with pytest.raises(InputError, match="true or false"):
        read_concept("maybe", "truefalse")


@pytest.mark.parametrize("fid", CONCEPTUAL)
def test_every_option_gets_its_own_verdict_and_feedback(fid):
    for problem in draws(fid):
        assert not re.search(r"\{[^{}]*\}", problem.prompt)
        for part in problem.parts:
            if part.options:
                letters = "ABCDEFGH"[:len(part.options)]
                assert len(part.options) == CHOICES[problem.family.form]
                for letter, text in zip(letters, part.options):
                    result = check_part(problem, part, letter.lower())
                    by_text = check_part(problem, part, text.upper())      # the option's text, any case
                    assert result.correct == by_text.correct == (letter == part.expected)
                    if letter != part.expected:
                        assert result.marks == 0 and result.feedback, (problem.id, letter)
                        assert result.feedback != "" and result.misconception
                with pytest.raises(InputError):
                    parse_answer("Z", part)
            elif part.spec.form == "truefalse":
                right = check_part(problem, part, "true" if part.expected else "false")
                wrong = check_part(problem, part, "false" if part.expected else "true")
                assert right.correct and not wrong.correct and wrong.feedback
            else:
                for accepted in part.accepted:
                    assert check_part(problem, part, f"  {accepted.upper()}. ").correct, accepted
                    assert check_part(problem, part, f"the {accepted}").correct or accepted.startswith(("a ", "an "))
                for mis in problem.misconceptions:
                    for typed in (mis.values["answer"], f"answer = {mis.values['answer']}"):
                        got = check_part(problem, part, typed)
                        assert not got.correct and got.feedback == mis.feedback, typed
                assert check_part(problem, part, f"ans = {part.accepted[-1]}").correct
                assert not check_part(problem, part, "no idea").correct


@pytest.mark.parametrize("fid", CONCEPTUAL)
def test_the_worked_solution_names_the_answer_and_why_each_shown_option_is_wrong(fid):
    problem = draws(fid)[0]
    titles = [s.title for s in problem.solution.steps]
    notes = " ".join(s.note for s in problem.solution.steps)
    for part in problem.parts:
        if part.options:
            wrong = [letter for letter in "ABCDEFGH"[:len(part.options)] if letter != part.expected]
            assert all(f"{letter}) is wrong" in titles for letter in wrong)
    assert all(m.feedback in notes for m in problem.misconceptions if not m.id.endswith("-verdict"))


@pytest.mark.parametrize("fid", [f for f in CONCEPTUAL if load_families()[f].form != "text"])
def test_options_are_shuffled_and_drawn_per_seed(fid):
    family = load_families()[fid]
    shown = {(p.names["question_id"], tuple(p.names["options"]))
             for p in (generate(family, seed, "medium") for seed in range(40))}
    positions = {p.parts[-1].expected for p in (generate(family, seed, "medium") for seed in range(40))}
    assert len(shown) >= 20 and len(positions) >= 3


def test_the_same_id_gives_the_same_problem():
    family = load_families()["concept-gans"]
    assert generate(family, 7, "hard").prompt == generate(family, 7, "hard").prompt


@pytest.mark.parametrize("body, fault", [
    ('[[questions]]\nid = "q"\nstem = "s?"\nanswer = "a"\nwhy = "w"\nwrong = [{ text = "b", why = "x" }]\n',
     "at least 3 wrong options"),
    ('[[questions]]\nid = "q"\nstem = "s?"\nanswer = "a"\nwhy = "w"\nwrong = [{ text = "b" }, { text = "c", why = "x" },'
     ' { text = "d", why = "x" }]\n', "why"),
    ('[[questions]]\nid = "q"\nstem = "s?"\nanswer = "a"\nwhy = "w"\nwrong = [{ text = "A.", why = "x" }, '
     '{ text = "c", why = "x" }, { text = "d", why = "x" }]\n', "read the same"),
])
def test_a_faulty_pool_is_refused_with_the_field(tmp_path, body, fault):
    path = tmp_path / "my-concept.toml"
    path.write_text('id = "my-concept"\nversion = 1\ntitle = "t"\ntopic = "gans"\nform = "choice"\n'
                    'hints = ["h"]\n\n' + body.replace('id = "q"', 'id = "q"\nlevel = ["easy", "medium", "hard"]'))
    with pytest.raises(InputError, match=fault):
        load_family(path)


def test_a_text_answer_listed_as_wrong_and_accepted_is_refused(tmp_path):
    path = tmp_path / "my-terms.toml"
    path.write_text('id = "my-terms"\nversion = 1\ntitle = "t"\ntopic = "training"\nform = "text"\nhints = ["h"]\n'
                    '[[questions]]\nid = "q"\nstem = "s?"\naccepted = ["epoch"]\nwhy = "w"\n'
                    'wrong = [{ text = "Epoch.", why = "x" }]\n')
    with pytest.raises(InputError, match="also an accepted answer"):
        load_family(path)


# ---------------------------------------------------------------- faces

def _bank(fids, variants=2):
    families = load_families()
    return [(families[f], [generate(families[f], s, "medium") for s in range(variants)]) for f in fids]


def test_moodle_choice_is_multichoice_with_one_right_answer_and_feedback_per_distractor():
    from dltutor.render.lms import to_moodle_xml

    quiz = ET.fromstring(to_moodle_xml(_bank(["concept-gans", "concept-training-terms",
                                              "concept-gans-truefalse"])).split("\n", 1)[1])
    multi = quiz.findall("question[@type='multichoice']")
    assert len(multi) == 2
    for q in multi:
        fractions = [a.get("fraction") for a in q.findall("answer")]
        assert sorted(fractions) == ["0", "0", "0", "100"]
        assert all(a.findtext("feedback/text") for a in q.findall("answer"))
        assert q.findtext("single") == "true"
        assert not re.search(r"\bA\) ", q.findtext("questiontext/text"))       # the options are answers
    short = quiz.findall("question[@type='shortanswer']")
    assert len(short) == 2 and all(any(a.get("fraction") == "0" for a in q.findall("answer")) for q in short)
    cloze = quiz.findall("question[@type='cloze']")
    assert len(cloze) == 2
    for q in cloze:
        text = q.findtext("questiontext/text")
        assert text.count(":MULTICHOICE") == 2 and len(re.findall(r"[:~]=", text)) == 2


def test_gift_choice_lists_one_right_and_the_wrong_options_with_why():
    from dltutor.render.lms import to_gift

    gift = to_gift(_bank(["concept-autoencoders", "concept-cnn-vs-dense", "concept-framework-calls"], 1))
    questions = [q for q in gift.split("\n\n") if q.startswith("::")]
    assert len(questions) == 1 + 2 + 1
    choice = questions[0]
    assert len(re.findall(r"^\t=", choice, re.M)) == 1 and len(re.findall(r"^\t~.+#.+", choice, re.M)) == 3
    verdict = questions[1]
    assert re.search(r"\{(TRUE|FALSE)#.+#Correct\.####", verdict)
    short = questions[3]
    assert re.search(r"^\t=%0%.+#.+", short, re.M) and re.search(r"^\t=[^%].*#Correct\.", short, re.M)


@pytest.mark.parametrize("fmt", ["md", "html", "tex"])
def test_sheets_show_the_options_and_the_key_names_the_right_one(fmt):
    from dltutor.render.sheet import Sheet
    from dltutor.render.sheets import render_sheet

    problems = [generate(load_families()[f], 3, "medium")
                for f in ("concept-loss-choice", "concept-regularization-truefalse", "concept-training-terms")]
    blank = render_sheet(Sheet(problems, 3, [], "medium"), fmt)
    key = render_sheet(Sheet(problems, 3, [], "medium", solutions=True), fmt)
    choice = problems[0].parts[0]
    right_text = choice.options["ABCD".index(choice.expected)]
    assert all(o.split(",")[0].split(" ")[0] in blank for o in choice.options)
    assert f"{choice.expected}) " in key and right_text.split(" ")[0] in key
    assert fmt != "tex" or key.isascii()


def test_generate_check_marks_a_choice_by_letter(tmp_path, monkeypatch):
    from tests.conftest import run_cli

    monkeypatch.setenv("DLTUTOR_HOME", str(tmp_path))
    problem = generate(load_families()["concept-attention"], 5, "medium")
    right = problem.parts[0].expected
    wrong = next(c for c in "ABCD" if c != right)
    out = run_cli("generate", problem.id, "--check", right.lower(), "--no-record")
    assert out.code == 0 and "1/1" in out.out
    out = run_cli("generate", problem.id, "--check", wrong, "--no-record")
    assert out.code == 0 and "0/1" in out.out
    feedback = next(m.feedback for m in problem.misconceptions if m.values["answer"] == wrong)
    assert feedback[:30] in " ".join(out.out.split())
