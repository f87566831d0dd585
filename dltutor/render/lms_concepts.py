"""Conceptual problems (a choice, a true/false verdict with its reason, a short answer) for a
learning platform: what ``render.lms`` writes for a family with a question pool.

- Moodle XML: one choice part is a ``multichoice`` question (one right answer, the options in
  the order the problem shows them, lettered A, B, ... as the worked solution names them, each
  distractor with the feedback of its misconception); a short answer is a ``shortanswer``
  question (every accepted spelling at 100%, typical wrong answers at 0% with feedback); a
  verdict with its reason is one ``cloze`` question with two embedded MULTICHOICE fields.
- GIFT: a choice is ``{=right#Correct. ~wrong#why ...}``, a verdict ``{TRUE#feedback if
  wrong#feedback if right}``, a short answer ``{=accepted ... =%0%wrong#why}``; one question
  per part, named after the problem id and the part.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from html import escape

from dltutor.render.lms_xml import cloze_escape, xml_text
from dltutor.practice.families import Part, Problem
from dltutor.render.wording import label_text, slip_text

LETTERS = "ABCDEFGH"
RIGHT = "Correct."


def _wrong_feedback(problem: Problem, part: Part) -> dict[str, str]:
    """The feedback of each wrong answer of ``part``: option letter (or wrong text, or verdict) → why."""
    out: dict = {}
    for mis in problem.misconceptions:
        if part.name in mis.values:
            out.setdefault(mis.values[part.name], slip_text(mis))
    return out


def stem_html(problem: Problem) -> str:
    """The question without its options (a platform shows the options itself)."""
    if problem.family.form == "truefalse":
        return f"<p>True or false? {escape(problem.names['stem'])}</p>"
    return f"<p>{escape(problem.names['stem'])}</p>"


def _choices(problem: Problem, part: Part) -> list[tuple[str, bool, str]]:
    """(option text, right?, feedback) in the order shown."""
    why = _wrong_feedback(problem, part)
    return [(f"{letter}) {text}", letter == part.expected, RIGHT if letter == part.expected else why.get(letter, ""))
            for letter, text in zip(LETTERS, part.options)]


# ---------------------------------------------------------------- Moodle XML

def _head(q: ET.Element, problem: Problem, name: str, text: str, general: str) -> None:
    xml_text(q, "name", name)
    xml_text(q, "questiontext", text, "html")
    xml_text(q, "generalfeedback", general, "html")
    ET.SubElement(q, "defaultgrade").text = f"{problem.marks:g}"
    ET.SubElement(q, "penalty").text = "0.3333333"
    ET.SubElement(q, "hidden").text = "0"
    ET.SubElement(q, "idnumber").text = problem.id


def moodle_question(quiz: ET.Element, problem: Problem, name: str, general: str) -> None:
    """One conceptual problem as a Moodle question (see the module docstring)."""
    form = problem.family.form
    if form == "choice":
        part = problem.parts[0]
        q = ET.SubElement(quiz, "question", {"type": "multichoice"})
        _head(q, problem, name, stem_html(problem), general)
        for tag, value in (("single", "true"), ("shuffleanswers", "0"), ("answernumbering", "none")):
            ET.SubElement(q, tag).text = value
        for text, right, feedback in _choices(problem, part):
            answer = ET.SubElement(q, "answer", {"fraction": "100" if right else "0", "format": "html"})
            ET.SubElement(answer, "text").text = escape(text)
            xml_text(answer, "feedback", escape(feedback), "html")
    elif form == "text":
        part = problem.parts[0]
        q = ET.SubElement(quiz, "question", {"type": "shortanswer"})
        _head(q, problem, name, stem_html(problem), general)
        ET.SubElement(q, "usecase").text = "0"
        rows = [(a, "100", RIGHT) for a in part.accepted]
        rows += [(w, "0", fb) for w, fb in _wrong_feedback(problem, part).items()]
        for text, fraction, feedback in rows:
            answer = ET.SubElement(q, "answer", {"fraction": fraction, "format": "moodle_auto_format"})
            ET.SubElement(answer, "text").text = text
            xml_text(answer, "feedback", escape(feedback), "html")
    else:
        verdict, reason = problem.parts
        trap = _wrong_feedback(problem, verdict).get(not verdict.expected, "")
        right, wrong = ("true", "false") if verdict.expected else ("false", "true")
        fields = [f"<p><b>(a)</b> {escape(verdict.label)}: "
                  f"{{1:MULTICHOICE:={right}#{RIGHT}~{wrong}#{cloze_escape(trap)}}}</p>",
                  "<p><b>(b)</b> the reason: {1:MULTICHOICE_V:"
                  + "~".join(("=" if ok else "") + cloze_escape(text) + "#" + cloze_escape(fb)
                             for text, ok, fb in _choices(problem, reason)) + "}</p>"]
        q = ET.SubElement(quiz, "question", {"type": "cloze"})
        _head(q, problem, name, stem_html(problem) + "\n" + "\n".join(fields), general)


# ---------------------------------------------------------------- GIFT

def gift_questions(problem: Problem, name: str, general: str, gift_escape) -> list[str]:
    """GIFT lines of one conceptual problem: one question per part (``gift_escape`` from render.lms)."""
    out = []
    stem = gift_escape(stem_html(problem))
    for j, part in enumerate(problem.parts):
        label = f"({'ab'[j]}) {label_text(part)}" if len(problem.parts) > 1 else ""
        title = gift_escape(f"{name} {label}".strip())
        text = stem + (gift_escape(f"<p>{escape(label)}</p>") if label else "")
        if part.spec.form == "truefalse":
            trap = _wrong_feedback(problem, part).get(not part.expected, "")
            body = "{" + ("TRUE" if part.expected else "FALSE") + f"#{gift_escape(trap)}#{RIGHT}####{general}}}"
        elif part.spec.form == "choice":
            lines = [("=" if ok else "~") + gift_escape(t) + "#" + gift_escape(fb)
                     for t, ok, fb in _choices(problem, part)]
            body = "{\n\t" + "\n\t".join(lines) + f"\n\t####{general}\n}}"
        else:
            lines = [f"={gift_escape(a)}#{RIGHT}" for a in part.accepted]
            lines += [f"=%0%{gift_escape(w)}#{gift_escape(fb)}" for w, fb in _wrong_feedback(problem, part).items()]
            body = "{\n\t" + "\n\t".join(lines) + f"\n\t####{general}\n}}"
        out += [f"::{title}::[html]{text}", body, ""]
    return out
