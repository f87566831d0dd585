"""Where the data folders shipped with dltutor live: ``lessons/`` and ``problems/``.

In a source checkout they sit at the top of the repository, next to the
``dltutor`` package; an installed wheel carries them inside the package as
``dltutor/_data/<name>`` (pyproject's hatch ``force-include``). The installed
copy wins when both exist, so a wheel never reads a stray folder next to it.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """The folder of shipped data ``name`` (e.g. ``"lessons"``, ``"problems"``).

    Raises FileNotFoundError naming both places looked at when neither exists."""
    candidates = (PACKAGE / "_data" / name, PACKAGE.parent / name)
    for path in candidates:
        if path.is_dir():
            return path
    raise FileNotFoundError(f"no {name!r} folder: looked in " + " and ".join(str(p) for p in candidates))
