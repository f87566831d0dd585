"""Parameter ranges of a family file (``int``, ``grid``, ``choice``): their size and their j-th value.

A range is never listed: ``pick(spec, j)`` computes the value that position ``j`` of
the list ``[lo, lo + step, ..., hi]`` (zero left out when ``nonzero``) would hold, so a
draw costs the same whatever the range. A range of more than ``MAX_RANGE`` values, or
with ends beyond ``MAX_BOUND``, is refused when the file is read (``check_range``).
"""

from __future__ import annotations

from dltutor.errors import InputError

MAX_RANGE = 1_000_000      # values in one int or grid range
MAX_BOUND = 1e12           # magnitude of a range's ends


def _zero_indexes(lo, step, n: int) -> list[int]:
    """Indexes j of a grid whose value round(lo + j*step, 10) is 0 (at most a few, near -lo/step)."""
    near = int(round(-lo / step))
    return sorted(j for j in range(near - 1, near + 2) if 0 <= j <= n and round(lo + j * step, 10) == 0)


def range_size(spec: dict) -> int:
    """How many values an ``int`` or ``grid`` range holds (without listing them); 1 for ``value``."""
    if "int" in spec:
        lo, hi = spec["int"]
        return hi - lo + 1 - (1 if spec.get("nonzero") and lo <= 0 <= hi else 0)
    if "grid" in spec:
        lo, hi, step = spec["grid"]
        n = int(round((hi - lo) / step))
        return n + 1 - (len(_zero_indexes(lo, step, n)) if spec.get("nonzero") else 0)
    if "choice" in spec:
        return len(spec["choice"])
    return 1


def check_range(spec: dict, where: str) -> None:
    """A range too large to draw from, or a shape of more than ``MAX_ELEMENTS`` values, is refused
    when the file is read (``InputError``)."""
    from dltutor.practice.expressions import MAX_ELEMENTS

    sizes = [d for d in spec.get("shape", []) if isinstance(d, int)]
    count = 1
    for d in sizes:
        count *= max(d, 0)
    if count > MAX_ELEMENTS:
        raise InputError(f"{where}.shape: {count:,} values; the limit is {MAX_ELEMENTS:,}")
    for key in ("int", "grid"):
        if key in spec:
            ends = spec[key][:2]
            if any(abs(v) > MAX_BOUND for v in ends):
                raise InputError(f"{where}.{key}: ends beyond ±{MAX_BOUND:.0e} are over the limit")
            if key == "grid" and (hi_lo := ends[1] - ends[0]) / spec[key][2] > MAX_RANGE:
                raise InputError(f"{where}.grid: {hi_lo / spec[key][2]:.3g} steps; a range holds at most "
                                 f"{MAX_RANGE:,} values")
            size = range_size(spec)
            if size > MAX_RANGE:
                raise InputError(f"{where}.{key}: {size:,} values; a range holds at most {MAX_RANGE:,}")
            if size < 1:
                raise InputError(f"{where}.{key}: holds no value")


def pick(spec: dict, j: int):
    """The ``j``-th value of a range, as the list of its values would give it (never listed)."""
    if "int" in spec:
        lo, hi = spec["int"]
        v = lo + j
        return v + 1 if spec.get("nonzero") and lo <= 0 <= hi and v >= 0 else v
    if "grid" in spec:
        lo, hi, step = spec["grid"]
        if spec.get("nonzero"):
            for z in _zero_indexes(lo, step, int(round((hi - lo) / step))):
                if j >= z:
                    j += 1
        v = round(lo + j * step, 10)
        return int(v) if float(v).is_integer() and isinstance(step, int) else v
    return spec["choice"][j]
