"""The review at the end of an exam: the marks, then each question with its answers, verdicts and worked solution.

    exam_review(exam, result, digits)     # a Rich renderable for the exam screen's results view
"""

from __future__ import annotations

from rich.console import Group
from rich.rule import Rule
from rich.text import Text

from dltutor.render.wording import label_text, prompt_text
from dltutor.tui.widgets.answers import (
    LETTERS,
    indented,
    marks_text,
    reflow,
    verdict_lines,
)


def clock(seconds: float) -> str:
    """``mm:ss`` (negative times show as 00:00)."""
    seconds = max(0, int(seconds))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def exam_review(exam, result, digits: int = 6) -> Group:
    from dltutor.render.sheet import worked_solution
    from dltutor.render.terminal import solution_renderable

    parts = [Text.assemble((f"Exam over ({result.reason}): ", "bold"),
                           (f"{result.marks:g}/{marks_text(result.max_marks)} ({result.percent:.0f}%)",
                            "bold green" if result.percent >= 50 else "bold red"),
                           f" in {clock(result.seconds)}"),
             Text("Esc goes back home; scroll for every question's worked solution.", style="dim")]
    for q, r in zip(exam.questions, result.questions):
        parts.append(Rule(f"Question {r.number}: {r.title} · {r.marks:g}/{marks_text(r.max_marks)}", align="left"))
        parts.append(Text(reflow(prompt_text(q.problem)), style="dim"))
        for i, (part, pr) in enumerate(zip(q.problem.parts, r.parts)):
            line = Text(f"({LETTERS[i % 26]}) {label_text(part)}: ")
            line.append(pr.given.replace("\n", "; ") or "—", style="bold")
            line.append("  ")
            head, details = verdict_lines(pr, with_expected=True, digits=digits, part=part, problem=q.problem)
            line.append_text(head)
            parts.extend([line, *indented(details, 4)])
        parts.append(Text("Worked solution", style="bold yellow"))
        parts.append(solution_renderable(worked_solution(q.problem), digits))
    return Group(*parts)
