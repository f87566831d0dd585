"""A Solution as the one JSON object of CLI.md (full-precision numbers)."""

from __future__ import annotations

import json

from dltutor.solution import Solution


def to_json(solution: Solution, digits: int = 6) -> str:
    """``{"kind", "inputs", "answer", "steps"}``; ``digits`` only shapes the substituted texts."""
    return json.dumps(solution.to_dict(digits), ensure_ascii=False, allow_nan=False)
