"""``dltutor stress``: draw many variants of a family and report what would hurt a student.

Problems reported (each one makes the family unfit for an exam until fixed):

- degenerate draws: a seed for which no usable draw was found (every try broke a
  constraint, made the solver refuse, gave all-zero answers or a misconception
  equal to the right answer);
- a misconception whose answer equals the right answer in a problem handed out
  (its feedback would be shown to a correct student);
- the right answer recognised as wrong, or a misconception's answer not
  recognised, by the checker;
- one variant making up more than a quarter of the draws (too few distinct problems);
- slow generation (more than ``SLOW_SECONDS`` on average per problem);
- most draws rejected (the ranges are too wide for the constraints).

Rejected draws are counted by reason (information for the family's author).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

from dltutor.errors import InputError
from dltutor.practice.families import DIFFICULTIES, Family, close, generate
from dltutor.practice.expressions import to_text

SLOW_SECONDS = 0.25
MAX_SHARE = 0.25
MAX_REJECTED = 0.8


@dataclass
class StressReport:
    family: str
    draws: int
    seconds: float
    problems: list[str] = field(default_factory=list)
    rejections: dict[str, int] = field(default_factory=dict)
    distinct: int = 0
    misconceptions_seen: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"family": self.family, "draws": self.draws, "seconds": round(self.seconds, 3),
                "distinct": self.distinct, "problems": self.problems, "rejections": self.rejections,
                "misconceptions_seen": self.misconceptions_seen}


def answer_text(value, form: str) -> str:
    """A value as a student would type it (tables: one row per line)."""
    if form == "table":
        return "\n".join(to_text(row) for row in value)
    if form == "boolean":
        return "yes" if value else "no"
    return to_text(value)


def stress_family(family: Family, n: int = 1000, difficulties=DIFFICULTIES, check: bool = True) -> StressReport:
    from dltutor.practice.checking import check_part

    report = StressReport(family.id, n, 0.0)
    variants: Counter = Counter()
    tries = 0
    start = time.perf_counter()
    for seed in range(n):
        difficulty = difficulties[seed % len(difficulties)]
        try:
            problem = generate(family, seed, difficulty)
        except InputError as exc:
            report.problems.append(f"seed {seed} ({difficulty}): {exc}")
            continue
        tries += problem.draws
        for reason, count in problem.rejections.items():
            report.rejections[reason] = report.rejections.get(reason, 0) + count
        variants[(difficulty, problem.prompt, tuple(sorted(problem.option_texts.items())))] += 1
        for mis in problem.misconceptions:
            report.misconceptions_seen[mis.id] = report.misconceptions_seen.get(mis.id, 0) + 1
            if all(close(v, problem.part(k).expected, problem.part(k)) for k, v in mis.values.items()):
                report.problems.append(f"{problem.id}: misconception {mis.id} equals the right answer")
        if not check:
            continue
        for part in problem.parts:
            right = check_part(problem, part, answer_text(part.expected, part.spec.form))
            if not right.correct:
                report.problems.append(f"{problem.id}: the right answer to part {part.name} is marked wrong "
                                       f"({right.message})")
            for mis in problem.misconceptions:
                if part.name not in mis.values or close(mis.values[part.name], part.expected, part):
                    continue
                got = check_part(problem, part, answer_text(mis.values[part.name], part.spec.form))
                if got.correct:
                    report.problems.append(f"{problem.id}: misconception {mis.id} is marked right in part "
                                           f"{part.name}")
                elif got.misconception is None:
                    report.problems.append(f"{problem.id}: misconception {mis.id} is not recognised in part "
                                           f"{part.name}")
    report.seconds = time.perf_counter() - start
    report.distinct = len(variants)
    if variants:
        share = variants.most_common(1)[0][1] / sum(variants.values())
        if share > MAX_SHARE and n >= 8:
            report.problems.append(f"one variant is {share:.0%} of the draws: widen the parameter ranges")
    if n and report.seconds / n > SLOW_SECONDS:
        report.problems.append(f"slow: {report.seconds / n:.2f} s per problem (limit {SLOW_SECONDS} s)")
    if tries and (tries - n) / tries > MAX_REJECTED:
        report.problems.append(f"{tries - n} of {tries} draws were rejected: the ranges are too wide "
                               "for the constraints")
    return report
