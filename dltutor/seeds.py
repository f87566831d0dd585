"""Seeds: whole numbers of at most 18 digits, as in a problem id (``family@version:SEED``).

The same bound for ``--seed`` of generate, exam, sheet and export and for the seed written in
an id, so that every seed a command accepts can be written as an id and read back.
"""

from __future__ import annotations

import re

from dltutor.errors import InputError
from dltutor.values import check_length, quote

MAX_SEED = 10**18 - 1


def parse_seed(text: str, what: str = "--seed") -> int:
    """A seed: a whole number from 0 to ``MAX_SEED``, written with digits only."""
    word = check_length(str(text), what)
    if not re.fullmatch(r"\d{1,18}", word):
        raise InputError(f"{what} {quote(word)} must be a whole number from 0 to {MAX_SEED} "
                         "(at most 18 digits, as in a problem id)")
    return int(word)
