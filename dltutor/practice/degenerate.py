"""Problems not worth doing, recognised from the draw and its answers (the generator draws again).

A problem is degenerate when the arithmetic it asks for teaches nothing:

- an answer of three or more numbers that are all equal (an all-ones truth table,
  equal softmax outputs, a derivative that is 1 everywhere);
- a 1x1 answer map (pooling or convolution that reduces the input to one number);
- a table whose state never changes (an epoch in which no sample updates the weights);
- a drawn matrix of four or more entries with at most one non-zero entry (a kernel
  that only copies a pixel);
- a drawn vector of two or more entries that is all zeros (an RNN fed only zeros),
  unless it is the starting value of an update (weights starting at 0 are fine).

``degenerate(problem)`` gives the reason, or '' for a problem worth doing. A family can
rule out more with its ``constraints``; ``dltutor stress`` reports what gets through.
"""

from __future__ import annotations

import re

import numpy as np

from dltutor.practice.expressions import to_text


def degenerate(problem) -> str:
    """Why ``problem`` (a ``families.Problem``) is not worth doing; '' when it is."""
    for part in problem.parts:
        if part.spec.table is not None:
            if len(part.expected) >= 2 and _table_unchanged(problem, part):
                return f"no row of {part.name} changes the state (nothing is learned)"
            continue
        if part.spec.form not in ("vector", "matrix") or not isinstance(part.expected, list):
            continue
        try:
            values = np.asarray(part.expected, dtype=float)
        except (TypeError, ValueError):
            continue
        flat = values.ravel()
        if flat.size >= 3 and np.all(flat == flat[0]):
            return f"every entry of {part.name} is {to_text(float(flat[0]))}"
        if part.spec.form == "matrix" and values.ndim >= 2 and values.shape[:2] == (1, 1):
            return f"{part.name} is a 1x1 map"
    starts = _starting_values(problem)
    for name, spec in problem.family.params[problem.difficulty].items():
        if "shape" not in spec or "value" in spec or name not in problem.params:
            continue
        try:
            numbers = np.asarray(problem.params[name], dtype=float)
        except (TypeError, ValueError):
            continue
        if numbers.size >= 2 and not np.any(numbers) and name not in starts:
            return f"{name} is all zeros"
        if numbers.ndim >= 2 and numbers.size >= 4 and np.count_nonzero(numbers) <= 1:
            return f"{name} has at most one non-zero entry"
    return ""


_NAME = re.compile(r"[A-Za-z_]\w*")


def _starting_values(problem) -> set[str]:
    """Parameters that are the value before an update (a part's ``start``, a table's first state)."""
    names: set[str] = set()
    for spec in problem.family.parts:
        texts = [spec.start] if spec.start else []
        if spec.table is not None:
            texts += [t for t in spec.table.state.values() if isinstance(t, str)]
        for text in texts:
            names.update(_NAME.findall(text))
    return names


def _table_unchanged(problem, part) -> bool:
    from dltutor.practice.answers import initial_state, next_state, unflatten_row

    if not part.spec.table.next_state:
        return False
    try:
        state = initial_state(part.spec, problem.names)
        for cells in part.expected:
            new = next_state(part.spec, problem.names, state, unflatten_row(cells, part))
            if any(not np.array_equal(np.asarray(new[k], dtype=float), np.asarray(state[k], dtype=float))
                   for k in new):
                return False
            state = new
    except Exception:       # a state that cannot be compared as numbers is not judged here
        return False
    return True
