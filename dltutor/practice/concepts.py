"""A drawn conceptual problem: the question of the draw, its options arranged, the key and the
feedback of every distractor shown (the pool and its forms are in ``concept_spec``).

``concept_problem(family, params)`` gives what ``families.generate`` assembles into a
``Problem``: the names the prompt is filled from, the worked ``Solution`` (the right
option and why, then why each distractor shown is wrong), the parts with their expected
values and the misconceptions as ``(id, feedback, {part: wrong answer})``.
"""

from __future__ import annotations

from dltutor.practice.answers import Part
from dltutor.practice.concept_spec import LETTERS, arrange
from dltutor.practice.spec import Family
from dltutor.solution import Solution, Step


def concept_problem(family: Family, params: dict):
    """(names, solution, parts, misconceptions) of the draw ``params`` (question, arrangement)."""
    q = family.questions[int(params["question"])]
    names: dict = {"stem": q.stem, "question_id": q.id}
    form = family.form
    specs = {p.name: p for p in family.parts}
    misconceptions: list[tuple[str, str, dict]] = []
    steps: list[Step] = []
    if form == "text":
        parts = [Part(specs["answer"], q.answer, accepted=q.accepted)]
        others = ", ".join(repr(a) for a in q.accepted[1:])
        steps.append(Step(f"Answer: {q.answer}", note=q.why + (f" Also accepted: {others}." if others else "")))
        steps += [Step(f"Not {w.text!r}", note=w.why) for w in q.wrong]
        misconceptions = [(w.id, w.why, {"answer": w.text}) for w in q.wrong]
        answer = {"answer": q.answer}
    else:
        options, letter, shown = arrange(form, q, int(params["arrangement"]))
        names["options"] = options
        right = options[LETTERS.index(letter)]
        choice = Part(specs["reason" if form == "truefalse" else "answer"], letter, options=tuple(options))
        if form == "truefalse":
            verdict = "true" if q.answer else "false"
            parts = [Part(specs["verdict"], bool(q.answer)), choice]
            steps.append(Step(f"The statement is {verdict}", note=q.why))
            steps.append(Step(f"The reason: {letter}) {right}"))
            misconceptions.append((f"{q.id}-verdict", q.trap, {"verdict": not q.answer}))
            answer = {"verdict": verdict, "reason": letter}
        else:
            parts = [choice]
            steps.append(Step(f"Answer: {letter}) {right}", note=q.why))
            answer = {"answer": letter}
        for w in shown:
            wrong_letter = LETTERS[options.index(w.text)]
            steps.append(Step(f"{wrong_letter}) is wrong", note=w.why))
            misconceptions.append((w.id, w.why, {choice.name: wrong_letter}))
    solution = Solution("concept", {"family": family.id, "question": q.id}, answer, tuple(steps))
    return names, solution, parts, misconceptions
