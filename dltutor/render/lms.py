"""Problem banks for a learning platform: Moodle XML and GIFT.

One category per problem family, ``variants`` problems each (drawn with
distinct seeds from ``--seed``). Every answer number carries the tolerance
of the precision its prompt states (``Part.cell_tolerances``: half a unit in the last
significant figure or decimal place asked for, 0 for whole numbers), and the typical
wrong answers of the family (its misconceptions) are listed after the right
one with weight 0 and their feedback, so the platform explains a slip the
way ``dltutor`` does. The worked solution (HTML, MathML formulas) is the
general feedback.

- Moodle XML: a problem whose only answer is one number is a ``numerical``
  question; any other (several parts, vectors, matrices, tables) is one
  ``cloze`` question with an embedded NUMERICAL field per number, weighted
  so that each part keeps its marks.
- GIFT has no embedded answers: one numerical question per answer number,
  named after the problem id, the part and the cell.
- A conceptual problem (a choice, a verdict with its reason, a short answer) is a
  multichoice, cloze or shortanswer question (``render.lms_concepts``).
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
import zlib
from dataclasses import dataclass
from html import escape

import numpy as np

from dltutor.render.lms_xml import cloze_escape, xml_text
from dltutor.errors import InputError
from dltutor.practice.families import DIFFICULTIES, Family, Part, Problem, generate, load_families
from dltutor.practice.selection import SEED_RANGE
from dltutor.render.formats import Format, pick
from dltutor.render.html import html_text
from dltutor.render.sheet import worked_solution
from dltutor.render.wording import column_names, label_text, marks_text, slip_text
from dltutor.values import format_number


@dataclass(frozen=True)
class Cell:
    """One number to answer: where it is, the right value, its tolerance, the wrong values with feedback."""

    label: str                              # "(b) o [2]"
    value: float | int | bool
    tolerance: float
    wrong: tuple[tuple[float, str], ...]    # (value, feedback)


# ---------------------------------------------------------------- the bank

def build_bank(topics: list[str], variants: int, seed: int,
               difficulty: str = "medium") -> list[tuple[Family, list[Problem]]]:
    """``variants`` problems of every family of ``topics`` (all when empty), each with its own seed."""
    from dltutor.practice.selection import available

    if difficulty not in DIFFICULTIES:
        raise InputError(f"--difficulty {difficulty!r} is not one of {', '.join(DIFFICULTIES)}")
    if not 1 <= variants <= 50:
        raise InputError(f"--variants {variants} must be from 1 to 50")
    families = [f for f in load_families().values() if (not topics or f.topic in topics) and available(f)]
    if not families:
        raise InputError(f"--topics: no problem family can be drawn for {', '.join(topics)}")
    bank = []
    for fam in families:
        rng = np.random.default_rng([seed, zlib.crc32(fam.id.encode())])
        seeds = rng.choice(SEED_RANGE, size=variants, replace=False)
        bank.append((fam, [generate(fam, int(s), difficulty) for s in seeds]))
    return bank


def render_bank(bank, fmt: str, digits: int = 6) -> str:
    """The bank in ``fmt`` (a key of ``FORMATS``, defined at the end of this module)."""
    return pick(FORMATS, fmt).printer(bank, digits)


def _flat(value) -> list:
    return np.ravel(np.asarray(value, dtype=object)).tolist() if isinstance(value, list) else [value]


def _where(part: Part, index: int) -> str:
    """The position of cell ``index`` of a part, in words a student reads."""
    form = part.spec.form
    if form == "table":
        width = len(part.columns)
        return f", row {index // width + 1}, {column_names(part)[index % width]}"
    if form == "matrix":
        cols = len(part.expected[0])
        return f", row {index // cols + 1}, column {index % cols + 1}"
    if form == "shape":
        return f", dimension {index + 1}"
    if form == "vector":
        return f", component {index + 1}"
    return ""


def cells(problem: Problem) -> list[tuple[Part, list[Cell]]]:
    """Every answer number of every part, with the misconception values that differ from it."""
    out = []
    for j, part in enumerate(problem.parts):
        spec = part.spec
        right = _flat(part.expected)
        wrongs = []
        for mis in problem.misconceptions:
            if part.name in mis.values:
                values = _flat(mis.values[part.name])
                if len(values) == len(right):
                    wrongs.append((values, slip_text(mis)))
        part_cells = []
        tolerances = part.cell_tolerances()
        for i, value in enumerate(right):
            tol = 0.0 if isinstance(value, bool) else tolerances[i]
            wrong: list[tuple[float, str]] = []
            for values, feedback in wrongs:
                w = values[i]
                if isinstance(w, bool) or not math.isfinite(float(w)) or abs(float(w) - float(value)) <= tol + 1e-12:
                    continue
                if all(abs(float(w) - float(x)) > 1e-12 for x, _ in wrong):
                    wrong.append((w, feedback))
            label = f"({'abcdefghijklmnopqrstuvwxyz'[j % 26]}) {label_text(part)}{_where(part, i) if len(right) > 1 else ''}"
            part_cells.append(Cell(label, value, tol, tuple(wrong)))
        out.append((part, part_cells))
    return out


def _num(x) -> str:
    return format_number(x, None)


def _tol(x: float) -> str:
    return format_number(float(f"{x:.3g}"), None) if x else "0"


def _name(problem: Problem) -> str:
    return f"{problem.family.title} ({problem.id})"


def _category(family: Family) -> str:
    return f"$course$/top/dltutor/{family.topic}/{family.id}"


# ---------------------------------------------------------------- Moodle XML

def _cloze_field(cell: Cell, weight: int) -> str:
    if isinstance(cell.value, bool):
        right, other = ("yes", "no") if cell.value else ("no", "yes")
        return f"{{{weight}:MULTICHOICE:={right}#Correct~{other}}}"
    answers = [f"={_num(cell.value)}:{_tol(cell.tolerance)}#Correct"]
    answers += [f"%0%{_num(w)}:{_tol(cell.tolerance)}#{cloze_escape(fb)}" for w, fb in cell.wrong]
    return f"{{{weight}:NUMERICAL:" + "~".join(answers) + "}"


def _cloze_text(problem: Problem, prompt: str, parts: list[tuple[Part, list[Cell]]]) -> str:
    """The prompt, then each part with one embedded field per number (tables as a grid of fields)."""
    counts = [len(c) for _, c in parts]
    scale = math.lcm(*counts)
    html = [prompt]
    for part, part_cells in parts:
        weight = max(1, round(part.spec.marks * scale / len(part_cells)))
        fields = [_cloze_field(c, weight) for c in part_cells]
        head = (f"<p><b>{escape(part_cells[0].label.split(' ')[0])}</b> {html_text(label_text(part))} "
                f"({marks_text(part.spec.marks)})</p>")
        if part.spec.form == "table":
            width = len(part.columns)
            rows = ["<tr>" + "".join(f"<td>{f}</td>" for f in fields[r:r + width]) + "</tr>"
                    for r in range(0, len(fields), width)]
            cols = "".join(f"<th>{html_text(c)}</th>" for c in column_names(part))
            html.append(head + f"<table border=\"1\"><tr>{cols}</tr>{''.join(rows)}</table>")
        elif part.spec.form == "matrix":
            width = len(part.expected[0])
            rows = ["<tr>" + "".join(f"<td>{f}</td>" for f in fields[r:r + width]) + "</tr>"
                    for r in range(0, len(fields), width)]
            html.append(head + f"<table>{''.join(rows)}</table>")
        else:
            html.append(head + "<p>" + (" × " if part.spec.form == "shape" else " , ").join(fields) + "</p>")
    return "\n".join(html)


def _question(quiz: ET.Element, problem: Problem, digits: int) -> None:
    from dltutor.render.html import to_html_fragment
    from dltutor.render.sheet_text import html_prompt

    if problem.family.conceptual:
        from dltutor.render.lms_concepts import moodle_question

        moodle_question(quiz, problem, _name(problem), to_html_fragment(worked_solution(problem), digits))
        return
    parts = cells(problem)
    prompt = html_prompt(problem, digits)
    single = len(parts) == 1 and len(parts[0][1]) == 1 and not isinstance(parts[0][1][0].value, bool)
    q = ET.SubElement(quiz, "question", {"type": "numerical" if single else "cloze"})
    xml_text(q, "name", _name(problem))
    if single:
        part, (cell,) = parts[0]
        xml_text(q, "questiontext", f"{prompt}\n<p>{html_text(cell.label)}</p>", "html")
    else:
        xml_text(q, "questiontext", _cloze_text(problem, prompt, parts), "html")
    xml_text(q, "generalfeedback", to_html_fragment(worked_solution(problem), digits), "html")
    ET.SubElement(q, "defaultgrade").text = f"{problem.marks:g}"
    ET.SubElement(q, "penalty").text = "0.3333333"
    ET.SubElement(q, "hidden").text = "0"
    ET.SubElement(q, "idnumber").text = problem.id
    if not single:
        return
    for value, fraction, feedback in [(cell.value, "100", "Correct.")] + [(w, "0", fb) for w, fb in cell.wrong]:
        answer = ET.SubElement(q, "answer", {"fraction": fraction, "format": "moodle_auto_format"})
        ET.SubElement(answer, "text").text = _num(value)
        ET.SubElement(answer, "tolerance").text = _tol(cell.tolerance)
        xml_text(answer, "feedback", feedback, "html")
    for tag, text in (("unitgradingtype", "0"), ("unitpenalty", "0.1"), ("showunits", "3"), ("unitsleft", "0")):
        ET.SubElement(q, tag).text = text


def to_moodle_xml(bank, digits: int = 6) -> str:
    """The bank as a Moodle XML ``<quiz>`` (Question bank → Import → Moodle XML format)."""
    quiz = ET.Element("quiz")
    for family, problems in bank:
        cat = ET.SubElement(quiz, "question", {"type": "category"})
        xml_text(cat, "category", _category(family))
        xml_text(cat, "info", family.title, "html")
        for problem in problems:
            _question(quiz, problem, digits)
    ET.indent(quiz, "  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="unicode") + "\n"


# ---------------------------------------------------------------- GIFT

GIFT_SPECIAL = "~=#{}:"


def gift_escape(text: str) -> str:
    """Text safe in GIFT: a backslash before ``~ = # { } :`` (and before a backslash); newlines as ``\\n``."""
    text = text.replace("\\", "\\\\")
    for ch in GIFT_SPECIAL:
        text = text.replace(ch, "\\" + ch)
    return text.replace("\r", "").replace("\n", "\\n")


def to_gift(bank, digits: int = 6) -> str:
    """The bank in GIFT: one numerical question per answer number, the worked solution as general feedback."""
    from dltutor.render.html import to_html_fragment
    from dltutor.render.sheet_text import html_prompt

    out = ["// dltutor problem bank (GIFT). One question per answer number; weights 0% are typical slips.", ""]
    for family, problems in bank:
        out += [f"$CATEGORY: {_category(family)}", ""]
        for problem in problems:
            prompt = html_prompt(problem, digits)
            general = gift_escape(to_html_fragment(worked_solution(problem), digits))
            if problem.family.conceptual:
                from dltutor.render.lms_concepts import gift_questions

                out += gift_questions(problem, _name(problem), general, gift_escape)
                continue
            for part, part_cells in cells(problem):
                for cell in part_cells:
                    name = gift_escape(f"{_name(problem)} {cell.label}")
                    text = gift_escape(f"{prompt}\n<p>{html_text(cell.label)}</p>")
                    if isinstance(cell.value, bool):
                        answer = "{" + ("TRUE" if cell.value else "FALSE") + f"####{general}}}"
                    else:
                        choices = [f"={_num(cell.value)}:{_tol(cell.tolerance)}#Correct."]
                        choices += [f"=%0%{_num(w)}:{_tol(cell.tolerance)}#{gift_escape(fb)}" for w, fb in cell.wrong]
                        answer = "{#\n\t" + "\n\t".join(choices) + f"\n\t####{general}\n}}"
                    out += [f"::{name}::[html]{text}", answer, ""]
    return "\n".join(out)


# One entry per format: name -> printer taking (bank, digits). A new format is one entry here.
FORMATS = {"moodle": Format(to_moodle_xml, "Moodle XML", "xml"), "gift": Format(to_gift, "", "gift")}
