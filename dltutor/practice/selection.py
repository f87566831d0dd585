"""Choosing problems for a sheet, an exam or an LMS export: topics, families, levels, seeds.

Every face that draws several problems goes through here, so a sheet, an exam
and an export with the same arguments choose the same way, and every drawn
problem's seed is in ``range(SEED_RANGE)`` (ids stay short and readable).
"""

from __future__ import annotations

import importlib.util

import numpy as np

from dltutor.errors import InputError, did_you_mean
from dltutor.practice.families import DIFFICULTIES, TOPICS, Family, load_families

LEVELS = DIFFICULTIES + ("mixed",)
SEED_RANGE = 1_000_000    # seeds of the problems drawn for a sheet, an exam or an export


def parse_topics(text: str | None) -> list[str]:
    """``"cnn, rnn"`` → ["cnn", "rnn"]; an unknown topic is bad input naming the closest topic
    (``backprp``: did you mean 'backprop'?) and the known ones. The one reader of --topics
    (sheet, exam, export)."""
    if not text:
        return []
    topics = [t.strip().lower() for t in text.split(",") if t.strip()]
    for t in topics:
        if t not in TOPICS:
            hint = did_you_mean(t, TOPICS)
            raise InputError(f"--topics: {t!r} is not a topic{hint}{' Choose' if hint else '; choose'} "
                             f"from {', '.join(TOPICS)}")
    return list(dict.fromkeys(topics))


def available(family: Family) -> bool:
    """The family's solve kind can be imported in this installation (a conceptual family has none)."""
    from dltutor.solvers.registry import KIND_MODULES

    if family.conceptual:
        return True
    module = KIND_MODULES.get(family.kind)
    return module is not None and importlib.util.find_spec(f"dltutor.solvers.{module}") is not None


def choose_families(topics: list[str], count: int, rng: np.random.Generator) -> list[Family]:
    """``count`` families spread over ``topics`` (all when empty), one per topic in turn.

    Topics are taken in a seeded order and so are the families inside each, so
    a short sheet or exam covers as many topics as it can; a family repeats
    (the caller draws it with another seed) only once every family of the
    topics has been used. Shared by sheets, exams and the LMS export."""
    families = [f for f in load_families().values() if (not topics or f.topic in topics) and available(f)]
    by_topic: dict[str, list[Family]] = {}
    for fam in families:
        by_topic.setdefault(fam.topic, []).append(fam)
    missing = [t for t in topics if t not in by_topic]
    if missing or not by_topic:
        which = f"of topic {missing[0]!r} " if missing else ""
        raise InputError(f"--topics: no problem family {which}can be drawn in this installation")
    order = sorted(by_topic)
    for t in order:
        by_topic[t] = [by_topic[t][int(j)] for j in rng.permutation(len(by_topic[t]))]
    turn = [order[int(j)] for j in rng.permutation(len(order))]
    dealt: list[Family] = []          # every family once, one topic after another in turn
    for k in range(max(len(fams) for fams in by_topic.values())):
        dealt.extend(by_topic[t][k] for t in turn if k < len(by_topic[t]))
    return [dealt[i % len(dealt)] for i in range(count)]


def difficulties(level: str, count: int, rng: np.random.Generator) -> list[str]:
    """One level per problem; ``mixed`` deals easy, medium, hard in turn, then shuffles them."""
    if level not in LEVELS:
        raise InputError(f"--difficulty {level!r} is not one of {', '.join(LEVELS)}")
    if level != "mixed":
        return [level] * count
    dealt = [DIFFICULTIES[i % 3] for i in range(count)]
    return [dealt[int(j)] for j in rng.permutation(count)]
