"""``dltutor stress``: draw many variants of a family and report what would hurt a student.

Problems reported (each one makes the family unfit for an exam until fixed):

- two difficulties drawing from the same ranges;
- too few distinct problems at a difficulty: fewer than ``FLOOR`` (200) wherever the
  family's ranges allow as many, judged against what ``n`` draws can show (``floor``);
- degenerate problems handed out (``degenerate``): an answer of several numbers that are
  all equal (an all-ones truth table, equal softmax outputs), a 1x1 answer map, a table
  whose state never changes (an epoch with no update), a drawn matrix with at most one
  non-zero entry (a kernel that only copies) or a drawn vector that is all zeros;
- prompt/key formula mismatches (``formula_mismatches``): a formula a prompt takes from
  the engine (``formulas = {...}``) missing from the prompt, or taken from another
  optimizer than the one the key is computed with, or an optimizer family whose prompt
  writes its rule by hand;
- a seed for which no usable draw was found (every try broke a constraint, made the
  solver refuse, gave all-zero answers or a misconception equal to the right answer);
- a misconception whose answer equals the right answer in a problem handed out
  (its feedback would be shown to a correct student);
- the right answer recognised as wrong, or a misconception's answer not
  recognised, by the checker;
- one variant making up more than a quarter of the draws (too few distinct problems);
- slow generation (more than ``SLOW_SECONDS`` on average per problem);
- most draws rejected (the ranges are too wide for the constraints).

Rejected draws are counted by reason (information for the family's author); draws redrawn
because the starting value or a misconception would score as right within the stated
precision are counted as ``collisions``.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import dataclass, field

from dltutor.errors import InputError
from dltutor.practice.families import DIFFICULTIES, Family, Problem, close, generate
from dltutor.practice.expressions import to_text
from dltutor.practice.degenerate import degenerate
from dltutor.practice.ranges import range_size

SLOW_SECONDS = 0.25
MAX_SHARE = 0.25
MAX_REJECTED = 0.8
FLOOR = 200                # distinct problems wanted per difficulty, where the ranges allow
MAX_N = 5000               # draws per family in one run
MAX_TOTAL = 50_000         # draws in one run over every family
TIME_BUDGET = 600.0        # seconds for one family; the report says where it stopped


@dataclass
class StressReport:
    family: str
    draws: int
    seconds: float
    problems: list[str] = field(default_factory=list)
    rejections: dict[str, int] = field(default_factory=dict)
    distinct: int = 0
    misconceptions_seen: dict[str, int] = field(default_factory=dict)
    by_difficulty: dict[str, dict] = field(default_factory=dict)   # level -> draws, distinct, floor
    degenerate: int = 0
    collisions: int = 0
    formula_mismatches: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict:
        return {"family": self.family, "draws": self.draws, "seconds": round(self.seconds, 3),
                "distinct": self.distinct, "by_difficulty": self.by_difficulty, "degenerate": self.degenerate,
                "collisions": self.collisions, "formula_mismatches": self.formula_mismatches,
                "ok": self.ok, "problems": self.problems, "rejections": self.rejections,
                "misconceptions_seen": self.misconceptions_seen}


def space(family: Family, difficulty: str, cap: int = 10**9) -> int:
    """How many parameter draws a difficulty's ranges allow (before constraints), at most ``cap``."""
    total = 1
    for spec in family.params[difficulty].values():
        count = 1
        for d in spec.get("shape", []):
            count *= d if isinstance(d, int) else 3      # a size given by an expression: a few at least
        size = range_size(spec)
        total *= size ** min(count, 40) if size > 1 else 1
        if total >= cap:
            return cap
    return total


def floor(family: Family, difficulty: str, draws: int) -> int:
    """The fewest distinct problems ``draws`` draws of a difficulty must show: 80% of what
    ``draws`` uniform draws from a space of min(FLOOR, the ranges' size) problems show on average."""
    n = min(FLOOR, space(family, difficulty))
    if n <= 1 or draws <= 0:
        return min(1, draws)
    expected = n * (1 - (1 - 1 / n) ** draws)
    return max(1, int(0.8 * expected))


def formula_mismatches(problem: Problem) -> list[str]:
    """Formulas the prompt and the key could disagree on (see the module docstring)."""
    family, found = problem.family, []
    method = problem.option_texts.get("method")
    refs = dict(getattr(family, "formula_sources", {}) or {})
    for name, text in family.formulas.items():
        shown = ([text] if isinstance(text, str)
                 else [text.get(problem.option_texts.get(k, ""), "") for k in ("activation", "fn")])
        shown = [t for t in shown if t]
        if not shown:
            found.append(f"formula {name}: the key's activation has no definition in the engine's table")
        elif not any(t in problem.prompt for t in shown):
            found.append(f"formula {name} is not in the prompt")
        source = refs.get(name, "")
        if method and source.startswith("optimizer:") and source.split(":", 1)[1] != method:
            found.append(f"formula {name} is {source}'s rule but the key uses {method}")
    if family.kind == "optimizer" and not any(isinstance(t, str) and "←" in t for t in family.formulas.values()):
        found.append("an optimizer prompt that writes its update rule by hand (take it from the engine: "
                     "formulas = { rule = \"optimizer:NAME\" })")
    if method and family.kind == "optimizer":
        from dltutor.practice.spec import formula_text

        try:
            rule = formula_text(f"optimizer:{method}")
        except Exception:
            rule = ""
        if rule and rule not in problem.prompt:
            found.append(f"the prompt does not state the {method} rule the key uses ({rule})")
    return found


def answer_text(value, form: str) -> str:
    """A value as a student would type it (tables: one row per line)."""
    if form == "table":
        return "\n".join(to_text(row) for row in value)
    if form == "boolean":
        return "yes" if value else "no"
    return to_text(value)


def stress_family(family: Family, n: int = 1000, difficulties=DIFFICULTIES, check: bool = True,
                  seconds: float = TIME_BUDGET) -> StressReport:
    """Draw ``n`` problems (seeds 0..n-1, the difficulties in turn) and report (``StressReport``)."""
    from dltutor.practice.checking import check_part

    report = StressReport(family.id, n, 0.0)
    variants: Counter = Counter()
    per_level: Counter = Counter()
    tries = 0
    start = time.perf_counter()
    collision_reasons = ("would score as right",)
    mismatches: set[str] = set()
    degenerate_examples: list[str] = []
    for seed in range(n):
        if time.perf_counter() - start > seconds:
            report.problems.append(f"stopped after {seed} of {n} draws: the time budget of {seconds:g} s is spent")
            report.draws = seed
            break
        difficulty = difficulties[seed % len(difficulties)]
        per_level[difficulty] += 1
        try:
            problem = generate(family, seed, difficulty)
        except InputError as exc:
            report.problems.append(f"seed {seed} ({difficulty}): {exc}")
            continue
        tries += problem.draws
        for reason, count in problem.rejections.items():
            report.rejections[reason] = report.rejections.get(reason, 0) + count
            if any(r in reason for r in collision_reasons):
                report.collisions += count
        variants[(difficulty, problem.prompt, tuple(sorted(problem.option_texts.items())))] += 1
        why = degenerate(problem)
        if why:
            report.degenerate += 1
            if len(degenerate_examples) < 3:
                degenerate_examples.append(f"{problem.id}: {why}")
        for m in formula_mismatches(problem):
            if m not in mismatches:
                mismatches.add(m)
                report.problems.append(f"{problem.id}: prompt/key formula mismatch: {m}")
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
            if part.start is not None and check_part(problem, part, answer_text(part.start, part.spec.form)).correct:
                report.collisions += 1
                report.problems.append(f"{problem.id}: the starting value of {part.name} is marked right")
            for mis in problem.misconceptions:
                if part.name not in mis.values or close(mis.values[part.name], part.expected, part):
                    continue
                got = check_part(problem, part, answer_text(mis.values[part.name], part.spec.form))
                if got.correct:
                    report.collisions += 1
                    report.problems.append(f"{problem.id}: misconception {mis.id} is marked right in part "
                                           f"{part.name}")
                elif got.misconception is None:
                    report.problems.append(f"{problem.id}: misconception {mis.id} is not recognised in part "
                                           f"{part.name}")
    report.seconds = time.perf_counter() - start
    report.distinct = len(variants)
    report.formula_mismatches = len(mismatches)
    if report.degenerate:
        report.problems.append(f"{report.degenerate} degenerate problem(s), e.g. " + "; ".join(degenerate_examples))
    for level in difficulties:
        if not per_level[level]:
            continue
        seen = sum(1 for key in variants if key[0] == level)
        need = floor(family, level, per_level[level])
        report.by_difficulty[level] = {"draws": per_level[level], "distinct": seen, "floor": need,
                                       "space": space(family, level)}
        if seen < need:
            report.problems.append(f"{level}: {seen} distinct problems in {per_level[level]} draws; at least "
                                   f"{need} expected (a floor of {FLOOR} where the ranges allow): widen the ranges")
    for a, b in zip(DIFFICULTIES, DIFFICULTIES[1:]):
        if a in difficulties and b in difficulties and family.params[a] == family.params[b]:
            report.problems.append(f"{a} and {b} draw from the same ranges: give [{a}] or [{b}] its own")
    if variants:
        share = variants.most_common(1)[0][1] / sum(variants.values())
        if share > MAX_SHARE and report.draws >= 8:
            report.problems.append(f"one variant is {share:.0%} of the draws: widen the parameter ranges")
    if report.draws and report.seconds / report.draws > SLOW_SECONDS:
        report.problems.append(f"slow: {report.seconds / report.draws:.2f} s per problem (limit {SLOW_SECONDS} s)")
    if tries and (tries - report.draws) / tries > MAX_REJECTED:
        report.problems.append(f"{tries - report.draws} of {tries} draws were rejected: the ranges are too wide "
                               "for the constraints")
    return report
