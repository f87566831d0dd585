"""``solve`` blocks run by the calculator, and the check of a whole set of lessons."""

from __future__ import annotations

import shlex

from dltutor.errors import InputError
from dltutor.lessons.mathblock import parse_math
from dltutor.lessons.model import Lesson, problem_refs

# ------------------------------------------------------------------ solve blocks

def solve_args(command: str) -> tuple[str, dict]:
    """Split a ``dltutor solve KIND ...`` line into the kind name and its raw option texts.

    Options are matched against the kind's own table (``--name VALUE``,
    ``--name=VALUE``, flags, one positional argument); values may start with
    ``-`` as on the command line."""
    from dltutor.solvers.registry import get_kind

    try:
        words = shlex.split(command.replace("\\\n", " "))
    except ValueError as exc:
        raise InputError(f"solve line {command!r}: {exc}") from None
    if words[:2] != ["dltutor", "solve"] or len(words) < 3:
        raise InputError(f"a solve block holds one 'dltutor solve KIND ...' line, not {command!r}")
    kind = get_kind(words[2])
    options = {f"--{o.name}": o for o in kind.options if not o.argument}
    positional = [o for o in kind.options if o.argument]
    raw: dict = {}
    rest = words[3:]
    i = 0
    while i < len(rest):
        word = rest[i]
        name, eq, value = word.partition("=")
        if word.startswith("--") and name in options:
            opt = options[name]
            if opt.flag:
                raw[opt.param] = True
            elif eq:
                raw[opt.param] = value
            elif i + 1 < len(rest):
                i += 1
                raw[opt.param] = rest[i]
            else:
                raise InputError(f"solve {kind.name}: {name} needs a value")
        elif word.startswith("--"):
            raise InputError(f"solve {kind.name}: no option {name}")
        elif positional and positional[0].param not in raw:
            raw[positional[0].param] = word
        else:
            raise InputError(f"solve {kind.name}: unexpected word {word!r}")
        i += 1
    return kind.name, raw


def run_solve(command: str):
    """The worked ``Solution`` of one solve line."""
    from dltutor.solvers.registry import run

    name, raw = solve_args(command)
    return run(name, **raw)


# ------------------------------------------------------------------ checking

def family_ids() -> set[str] | None:
    """The ids of the problem families, or None while there is no families module."""
    try:
        from dltutor.practice import families
    except ModuleNotFoundError as exc:
        if exc.name == "dltutor.practice.families":
            return None
        raise
    for name in ("family_ids", "list_families", "load_families", "all_families"):
        func = getattr(families, name, None)
        if callable(func):
            found = func()
            items = found.values() if isinstance(found, dict) else found
            return {item if isinstance(item, str) else getattr(item, "id") for item in items}
    return None


def check_lessons(lessons: list[Lesson], *, run: bool = True) -> list[str]:
    """Everything wrong with a set of lessons, one line each (empty: all fine).

    Ids unique; prerequisites exist and come earlier; every live block runs."""
    errors = []
    by_id: dict[str, Lesson] = {}
    for lesson in lessons:
        if lesson.id in by_id:
            errors.append(f"{lesson.id}: the id is used twice")
        by_id[lesson.id] = lesson
    families = family_ids() if run else None
    for lesson in lessons:
        for pre in lesson.prerequisites:
            if pre not in by_id:
                errors.append(f"{lesson.id}: unknown prerequisite {pre!r}")
            elif by_id[pre].order >= lesson.order:
                errors.append(f"{lesson.id}: prerequisite {pre!r} does not come earlier (order)")
        for block in lesson.blocks:
            if block.kind == "check":
                try:
                    block.checks()
                except InputError as exc:
                    errors.append(f"{lesson.id} {exc}")
            if block.kind in ("markdown", "check") or not run:
                continue
            try:
                if block.kind == "math":
                    parse_math(block.text)
                elif block.kind == "solve":
                    run_solve(block.text)
                elif block.kind == "problem":
                    for ref in problem_refs(block.text):
                        if families is not None and ref.family not in families:
                            raise InputError(f"unknown problem family {ref.family!r}")
            except InputError as exc:
                errors.append(f"{lesson.id} line {block.line}: {exc}")
            except ModuleNotFoundError as exc:   # a solve kind whose module is not written yet
                errors.append(f"{lesson.id} line {block.line}: kind not available ({exc.name})")
    return errors
