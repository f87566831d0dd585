"""The course's order, for lists that a learner reads: topics as the lessons take them, families by topic.

    topic_order(lessons)                     # ['neurons', 'learning', ...]: where each topic's first lesson is
    families_in_course_order(families, lessons)   # the practice list: by topic, then by the lesson that uses them

Plain functions over the core's lessons and families (no Textual), so the
practice and exam screens list things in the order the home screen does.
"""

from __future__ import annotations


def topic_order(lessons) -> list[str]:
    """Topics in course order: a topic comes where its first lesson does."""
    return list(dict.fromkeys(lesson.topic for lesson in lessons))


def _first_use(lessons) -> dict[str, int]:
    """family id -> position of the first lesson whose practice blocks name it."""
    first: dict[str, int] = {}
    for position, lesson in enumerate(lessons):
        try:
            refs = lesson.problems()
        except Exception:  # noqa: BLE001 (a malformed block is reported by the lesson reader, not here)
            refs = []
        for ref in refs:
            first.setdefault(ref.family, position)
    return first


def families_in_course_order(families: dict, lessons) -> list:
    """The families, grouped by topic in course order; within a topic, in the order the lessons use them
    (families no lesson uses come after, by title). Topics the lessons do not have come last."""
    topics = topic_order(lessons)
    first = _first_use(lessons)
    late = len(topics) + 1

    def key(family):
        topic = topics.index(family.topic) if family.topic in topics else late
        return (topic, first.get(family.id, len(lessons)), family.title.lower(), family.id)

    return sorted(families.values(), key=key)


def topics_in_course_order(topics, lessons) -> list[str]:
    """``topics`` (e.g. those that have problem families) in course order."""
    order = topic_order(lessons)
    return sorted(topics, key=lambda t: (order.index(t) if t in order else len(order), t))
