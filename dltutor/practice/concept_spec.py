"""Conceptual problem families: a pool of questions instead of a solver (``[[questions]]`` in a family file).

Three answer forms, each checked without evaluating anything the student types:

- ``choice``: one right option among distractors, answered with its letter (``B``) or its text;
  every distractor carries the misconception it stands for and why it is wrong;
- ``truefalse``: a statement judged true or false, then the reason that decides it, chosen
  among reasons (a ``choice`` part): the verdict alone can be guessed, the reason cannot;
- ``text``: a word or short phrase compared with the accepted answers after normalising
  case, spaces, punctuation and a leading article (``"The Encoder."`` = ``encoder``);
  typical wrong answers carry their feedback.

A draw picks a question of the difficulty's pool and an arrangement (which distractors,
in which order), so one family holds many distinct problems and the same id gives the same
problem everywhere. This module reads and checks the pool (no other practice module is
imported here); ``dltutor.practice.concepts`` builds a drawn problem.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from itertools import combinations, permutations
from math import comb, factorial

from dltutor.errors import InputError

CONCEPT_FORMS = ("choice", "truefalse", "text")
FAMILY_FORMS = CONCEPT_FORMS            # the form of a whole conceptual family
LEVELS = ("easy", "medium", "hard")
CHOICES = {"choice": 4, "truefalse": 3}  # options shown: the right one and CHOICES - 1 distractors
LETTERS = "ABCDEFGH"
TRUE_WORDS = ("true", "t", "yes", "y", "1")
FALSE_WORDS = ("false", "f", "no", "n", "0")
MAX_TEXT = 600                           # characters of one option, stem or explanation


@dataclass(frozen=True)
class Wrong:
    """A wrong option (or a typical wrong short answer): its text, the slip it stands for, why it is wrong."""

    id: str
    text: str
    why: str


@dataclass(frozen=True)
class Question:
    id: str
    levels: tuple[str, ...]
    stem: str
    answer: str | bool               # choice: the right option; truefalse: the verdict; text: shown answer
    why: str                         # the explanation: the worked solution
    wrong: tuple[Wrong, ...]         # choice: distractors; truefalse: wrong reasons; text: wrong answers
    reason: str = ""                 # truefalse: the right reason
    trap: str = ""                   # truefalse: feedback for the wrong verdict
    accepted: tuple[str, ...] = ()   # text: every accepted answer (the shown one first)


# ---------------------------------------------------------------- normalising what students type

_ARTICLE = re.compile(r"^(the|a|an)\s+")
_LETTER = re.compile(r"[(\[]?\s*([A-Za-z])\s*[)\].:]?")
_LABEL = re.compile(r"^[^\W\d][\w .()]{0,40}?\s*:\s*(\S.*)$")


def normalize(text: str) -> str:
    """One spelling for a short answer: lower case, accents and punctuation dropped, spaces
    removed, a leading article dropped (``"The Leaky-ReLU."`` → ``leakyrelu``)."""
    text = unicodedata.normalize("NFKD", str(text)).casefold().strip()
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _ARTICLE.sub("", text)
    return "".join(ch for ch in text if ch.isalnum())


def read_concept(text: str, form: str):
    """Student text of a conceptual part → a plain value (a letter or text for choice, a bool for
    truefalse, the text for text); InputError saying why when it cannot be read."""
    raw = _unlabel(str(text).strip(), form)
    if form == "truefalse":
        word = normalize(raw)
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise InputError(f"answer {raw[:40]!r} must be true or false")
    if not normalize(raw):
        raise InputError("answer is empty")
    if form == "choice":
        letter = _LETTER.fullmatch(raw)
        if letter:
            return letter.group(1).upper()
    return raw


def _unlabel(raw: str, form: str) -> str:
    """A label copied in front ('ans = B', 'reason: c') dropped from a choice or a verdict, but only
    where what follows is a whole answer of the form: an option's text may hold '=' or ':' itself.
    A short answer keeps its text (see ``spellings``)."""
    after_equals = raw.rsplit("=", 1)[1].strip() if "=" in raw else None
    label = _LABEL.match(raw)
    for rest in (after_equals, label.group(1).strip() if label else None):
        if not rest:
            continue
        if form == "choice" and _LETTER.fullmatch(rest):
            return rest
        if form == "truefalse" and normalize(rest) in TRUE_WORDS + FALSE_WORDS:
            return rest
    return raw


def spellings(text: str) -> tuple[str, ...]:
    """A short answer as typed, and without a label copied in front ('answer = dropout'): both are
    compared with the accepted answers, since an answer may hold '=' itself (batch_first=True)."""
    text = str(text).strip()
    if "=" not in text:
        return (text,)
    return (text, text.split("=", 1)[1].strip(), text.rsplit("=", 1)[1].strip())


def choice_letter(given: str, options: tuple[str, ...] | list[str]) -> str | None:
    """The letter a choice answer names: a letter of the options, or an option's text; None otherwise."""
    if len(given) == 1 and given.upper() in LETTERS[:len(options)]:
        return given.upper()
    wanted = normalize(given)
    for letter, option in zip(LETTERS, options):
        if normalize(option) == wanted:
            return letter
    return None


# ---------------------------------------------------------------- arrangements

def arrangements(form: str, question: Question) -> int:
    """How many (distractor subset, order) arrangements a question has."""
    if form == "text":
        return 1
    k = CHOICES[form] - 1
    return comb(len(question.wrong), k) * factorial(k + 1)


def arrange(form: str, question: Question, index: int) -> tuple[list[str], str, list[Wrong]]:
    """Arrangement ``index``: the option texts in order, the right letter, the distractors shown
    (in the order shown). Which distractors come from ``index // (k+1)!``, their order from the rest."""
    k = CHOICES[form] - 1
    subsets = list(combinations(range(len(question.wrong)), k))
    chosen = [question.wrong[i] for i in subsets[(index // factorial(k + 1)) % len(subsets)]]
    order = list(permutations(range(k + 1)))[index % factorial(k + 1)]
    right = question.reason if form == "truefalse" else str(question.answer)
    items = [None] + chosen                      # None stands for the right option
    shown = [items[j] for j in order]
    texts = [right if w is None else w.text for w in shown]
    letter = LETTERS[shown.index(None)]
    return texts, letter, [w for w in shown if w is not None]


# ---------------------------------------------------------------- reading a pool

class PoolError(Exception):
    """A fault in a family's question pool: ``where`` (e.g. ``questions[2].wrong``) and what is wrong."""

    def __init__(self, where: str, message: str):
        super().__init__(f"{where}: {message}")


def _text(data: dict, key: str, where: str, required: bool = True) -> str:
    value = data.get(key, "")
    if required and (not isinstance(value, str) or not value.strip()):
        raise PoolError(where + key, "must be a non-empty text")
    if not isinstance(value, str):
        raise PoolError(where + key, f"must be a text, got {value!r}")
    if len(value) > MAX_TEXT:
        raise PoolError(where + key, f"has {len(value)} characters; at most {MAX_TEXT}")
    return " ".join(value.split())


def _wrong(items, where: str, qid: str) -> tuple[Wrong, ...]:
    if not isinstance(items, list):
        raise PoolError(where, "must be a list of { text = ..., why = ... }")
    out = []
    for j, item in enumerate(items):
        w = f"{where}[{j}]."
        if not isinstance(item, dict) or set(item) - {"id", "text", "why"}:
            raise PoolError(w[:-1], "must be { text = ..., why = ... } (and an optional id)")
        wid = item.get("id", f"{qid}-{j + 1}")
        if not isinstance(wid, str) or not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,60}", wid):
            raise PoolError(w + "id", "must be a short id of lower-case letters, digits and '-'")
        out.append(Wrong(wid, _text(item, "text", w), _text(item, "why", w)))
    return tuple(out)


def read_pool(data: dict, form: str) -> tuple[Question, ...]:
    """The ``[[questions]]`` of a family file of ``form``, checked: every distractor has its feedback,
    enough distractors for the options shown, no two options that read the same, ids distinct."""
    if form not in FAMILY_FORMS:
        raise PoolError("form", f"{form!r} is not one of {', '.join(FAMILY_FORMS)}")
    items = data.get("questions")
    if not isinstance(items, list) or not items:
        raise PoolError("questions", "needs at least one [[questions]] table")
    pool = []
    for i, item in enumerate(items):
        where = f"questions[{i}]."
        if not isinstance(item, dict):
            raise PoolError(where[:-1], "must be a table")
        allowed = {"id", "level", "stem", "answer", "why", "wrong", "reason", "trap", "accepted"}
        if set(item) - allowed:
            raise PoolError(where + sorted(set(item) - allowed)[0], "is not a question key")
        qid = item.get("id")
        if not isinstance(qid, str) or not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,60}", qid):
            raise PoolError(where + "id", "must be a short id of lower-case letters, digits and '-'")
        level = item.get("level", list(LEVELS))
        levels = (level,) if isinstance(level, str) else tuple(level) if isinstance(level, list) else ()
        if not levels or any(lv not in LEVELS for lv in levels):
            raise PoolError(where + "level", f"must be one of {', '.join(LEVELS)} or a list of them")
        wrong = _wrong(item.get("wrong", []), where + "wrong", qid)
        stem, why = _text(item, "stem", where), _text(item, "why", where)
        if form == "truefalse":
            answer = item.get("answer")
            if not isinstance(answer, bool):
                raise PoolError(where + "answer", "must be true or false")
            q = Question(qid, levels, stem, answer, why, wrong, _text(item, "reason", where),
                         _text(item, "trap", where))
            texts = [q.reason] + [w.text for w in wrong]
        elif form == "choice":
            q = Question(qid, levels, stem, _text(item, "answer", where), why, wrong)
            texts = [q.answer] + [w.text for w in wrong]
        else:
            accepted = item.get("accepted")
            if not isinstance(accepted, list) or not accepted or not all(isinstance(a, str) and normalize(a)
                                                                          for a in accepted):
                raise PoolError(where + "accepted", "must be a non-empty list of accepted answers")
            if not wrong:
                raise PoolError(where + "wrong", "needs at least one typical wrong answer with its feedback")
            q = Question(qid, levels, stem, accepted[0].strip(), why, wrong, accepted=tuple(a.strip() for a in accepted))
            texts = [w.text for w in wrong]
            clash = [w.text for w in wrong if normalize(w.text) in {normalize(a) for a in accepted}]
            if clash:
                raise PoolError(where + "wrong", f"{clash[0]!r} is also an accepted answer")
        if form != "text":
            need = CHOICES[form] - 1
            if len(wrong) < need:
                raise PoolError(where + "wrong", f"needs at least {need} wrong options (with why), has {len(wrong)}")
        seen = [normalize(t) for t in texts]
        if len(set(seen)) != len(seen):
            raise PoolError(where + "wrong", "two options read the same")
        pool.append(q)
    ids = [q.id for q in pool] + [w.id for q in pool for w in q.wrong]
    if len(set(ids)) != len(ids):
        dup = next(x for x in ids if ids.count(x) > 1)
        raise PoolError("questions", f"the id {dup!r} is used twice")
    return tuple(pool)


def pool_params(form: str, pool: tuple[Question, ...]) -> dict[str, dict[str, dict]]:
    """The draw of each difficulty as ordinary parameter ranges: ``question`` (an index into the
    pool, among the difficulty's questions) and ``arrangement`` (which distractors, in which order)."""
    params = {}
    for level in LEVELS:
        indices = [i for i, q in enumerate(pool) if level in q.levels]
        if not indices:
            raise PoolError("questions", f"no question has level {level!r}")
        spec = {"question": {"choice": indices}}
        if form != "text":
            spec["arrangement"] = {"int": [0, min(arrangements(form, pool[i]) for i in indices) - 1]}
        params[level] = spec
    return params


def prompt_template(form: str) -> str:
    """The prompt of every problem of a conceptual family (the options as their own paragraphs)."""
    if form == "choice":
        options = "\n\n".join(f"{LETTERS[j]}) {{options[{j}]}}" for j in range(CHOICES[form]))
        return "{stem}\n\n" + options + "\n\nAnswer with the letter of the one right option."
    if form == "truefalse":
        options = "\n\n".join(f"{LETTERS[j]}) {{options[{j}]}}" for j in range(CHOICES[form]))
        return ("True or false? {stem}\n\nWhich reason decides it?\n\n" + options
                + "\n\nAnswer (a) with true or false and (b) with the letter of the reason.")
    return "{stem}\n\nAnswer in a word or a short phrase."
