"""Reading what a student types: one answer text → a plain value of the part's form.

Every spelling a student uses is read the same: a true minus sign (−), a label copied in
front (``W1 = ...``, ``z: ...``, the value after the last '='), a vector in parentheses or
brackets, a trailing comma, spaces, a matrix as ``1,2;3,4``, ``[[1,2],[3,4]]``,
``(1,2); (3,4)`` or one row per line, a shape as ``24 x 24 x 6`` or ``(None, 24, 24, 6)``.
Text that cannot be read is an ``InputError`` whose one-line message says why and what the
part expects, so a face can refuse it at entry (``parse_answer``). Nothing is evaluated.
"""

from __future__ import annotations

import re

import numpy as np

from dltutor import values
from dltutor.errors import InputError
from dltutor.practice.answers import Part
from dltutor.practice.concept_spec import CONCEPT_FORMS, choice_letter, read_concept

def matrix_size(shape) -> str:
    """A matrix's size as mathematics: (2, 3) → ``2×3`` (rows × columns)."""
    return "×".join(str(n) for n in shape)


FORM_HELP = {
    "integer": "a whole number, e.g. 24",
    "number": "a number, e.g. 0.5 or 1/3",
    "fraction": "a fraction or a decimal, e.g. 3/4 or 0.75",
    "boolean": "yes or no",
    "vector": "numbers separated by commas, e.g. 0.1,-0.2 or (0.1, -0.2)",
    "shape": "sizes separated by x or commas, e.g. 24x24x6",
    "matrix": "rows separated by ';', e.g. 1,2;3,4 or [[1,2],[3,4]]",
    "table": "one row per line, the cells separated by commas",
    "choice": "the letter of one option, e.g. B",
    "truefalse": "true or false",
    "text": "a word or a short phrase",
}


# ---------------------------------------------------------------- reading what a student types

_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-", "\u2012": "-", "\ufe63": "-",
                        "\uff0d": "-", "\u00a0": " ", "\u2009": " ", "\u202f": " "})
# a leading 'name:' (z:, row 1:, δ_h:): the student copied the label
_NAME_PREFIX = re.compile(r"^\s*[^\W\d][^:;,()\[\]]{0,40}?\s*:\s*")
_OPEN, _CLOSE = "([{", ")]}"


def _strip_pair(text: str) -> str:
    """'(1, 2)' → '1, 2' when the brackets enclose the whole text."""
    text = text.strip()
    if len(text) >= 2 and text[0] in _OPEN and text[-1] == _CLOSE[_OPEN.index(text[0])]:
        depth = 0
        for i, ch in enumerate(text):
            depth += ch in _OPEN
            depth -= ch in _CLOSE
            if depth == 0 and i < len(text) - 1:
                return text                     # '(1,2),(3,4)': the first pair closes early
        return text[1:-1].strip()
    return text


def _tidy(text: str) -> str:
    """One spelling for what students write: true minus signs, 'name =', spaces, trailing commas."""
    text = str(text).translate(_MINUS).strip()
    if "=" in text:                       # 'W1 = ...', 'F1 = 2PR/(P + R) = 0.8': the value is last
        text = text.rsplit("=", 1)[1]
    text = _NAME_PREFIX.sub("", text, count=1)
    text = re.sub(r"\s*,\s*(?=[)\]}]|$)", "", text)        # trailing comma, also before a bracket
    text = re.sub(r"\s*;\s*$", "", text)
    return text.strip()


def _vector_text(text: str) -> str:
    text = _strip_pair(_tidy(text))
    return re.sub(r"\s*,\s*$", "", text)


def _matrix_rows(text: str) -> list[str]:
    """The rows of a matrix written as '1,2;3,4', '[[1,2],[3,4]]', '(1,2); (3,4)', '[1,2;3,4]' or lines."""
    text = _tidy(text)
    inner = _strip_pair(text)
    if inner != text and inner[:1] in _OPEN:     # [[1,2],[3,4]] or ((1,2),(3,4))
        rows = re.findall(r"[\[(]([^\[\]()]*)[\])]", inner)
        rest = re.sub(r"[\[(][^\[\]()]*[\])]", "", inner).replace(",", "").replace(";", "").strip()
        if rows and not rest:
            return rows
    body = inner if inner != text and not inner[:1] in _OPEN else text
    return [_vector_text(r) for r in re.split(r"[;\n]", body) if r.strip()]


def read_answer(text: str, form: str):
    """Student text → a plain value of ``form``; InputError (one line saying why) when it cannot be read."""
    text = values.check_length(str(text), "answer")
    if form in CONCEPT_FORMS:         # words, not numbers: no 'name =' or minus signs to tidy
        return read_concept(text, form)
    tidy = _tidy(text)
    if not tidy:
        raise InputError(f"answer {values.quote(text)} has no value after '='" if "=" in text else "answer is empty")
    if form == "integer":
        x = values.parse_fraction(_strip_pair(tidy), "answer")
        if x.denominator != 1:
            raise InputError(f"answer {values.quote(text)} must be a whole number")
        return int(x)
    if form in ("number", "fraction"):
        return float(values.parse_fraction(_strip_pair(tidy), "answer"))
    if form == "boolean":
        word = tidy.lower().rstrip(".!")
        if word in ("yes", "y", "true", "1"):
            return True
        if word in ("no", "n", "false", "0"):
            return False
        raise InputError(f"answer {values.quote(text)} must be yes or no")
    if form == "shape":
        cleaned = re.sub(r"^(None|\?|batch)\s*[,x×]\s*", "", _strip_pair(tidy))
        return list(values.parse_shape(cleaned, "answer", maximum=10**9))
    if form == "vector":
        return values.parse_vector(_vector_text(tidy), "answer").tolist()
    rows = _matrix_rows(tidy)
    matrix = [values.parse_vector(r, f"row {i}").tolist() for i, r in enumerate(rows, start=1)]
    if len({len(r) for r in matrix}) != 1:
        raise InputError(f"answer: the rows have {', '.join(str(len(r)) for r in matrix)} numbers; "
                         "every row needs the same count")
    return matrix


def parse_answer(text: str, part: Part):
    """What a face calls as the student types: the value of ``text`` for ``part``, or an InputError
    whose one-line message says why it cannot be read and what the part expects. An empty text is
    not answered (None)."""
    if text is None or not str(text).strip():
        return None
    try:
        if part.spec.table is not None:
            rows = read_table(values.check_length(str(text), "answer"), part)
            width = len(part.columns) if part.columns else None
            for i, row in enumerate(rows, start=1):
                if width is not None and len(row) != width:
                    raise InputError(f"row {i} has {values.plural(len(row), 'cell')}; each row needs {width} "
                                     f"({', '.join(part.columns)})")
            return rows
        value = read_answer(text, part.spec.form)
    except InputError as exc:
        raise InputError(f"{exc}; {part.label} needs {FORM_HELP[part.spec.form]}") from None
    if part.options and choice_letter(value, part.options) is None:
        raise InputError(f"{values.quote(str(text).strip())} is not one of the options; {part.label} needs "
                         f"a letter from A to {chr(64 + len(part.options))}")
    if part.spec.form in ("vector", "shape") and isinstance(part.expected, list) \
            and len(value) != len(part.expected):
        raise InputError(f"answer has {values.plural(len(value), 'number')}; {part.label} needs {len(part.expected)}")
    if part.spec.form == "matrix" and isinstance(part.expected, list):
        want = np.shape(part.expected)
        if np.shape(value) != want:
            raise InputError(f"answer is {matrix_size(np.shape(value))}; {part.label} is "
                             f"{matrix_size(want)} (rows × columns)")
    return value


def read_table(text: str, part: Part) -> list[list[float]]:
    """Rows separated by newlines or ';', cells by commas (a row may be in brackets)."""
    text = str(text).translate(_MINUS)
    lines = [ln for ln in text.replace(";", "\n").splitlines() if ln.strip()]
    return [values.parse_vector(_vector_text(ln), f"row {i}").tolist() for i, ln in enumerate(lines, start=1)]
