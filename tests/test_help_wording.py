"""Every ``solve KIND --help`` reads as mathematics and words: no exception class names, reST
literals, Python conditionals or comparison operators, ``**`` powers, ``h~`` or program names."""

from __future__ import annotations

import re

import pytest

from dltutor.solvers.registry import KIND_MODULES
from tests.conftest import run_cli

# names a student types or meets in a framework: a --fn value and PyTorch's GRU bias names
TYPED_NAMES = {"leaky_relu", "bias_hz", "bias_hr", "bias_hn"}
PROGRAM_TEXT = [r"\w+Errors?\b", r"``", r" else ", r">=|<=|==|!=", r"\b[hc]~", r"\bTrue\b|\bFalse\b|\bNone\b",
                r"\b[a-z]+=[A-Z]\w*"]


@pytest.mark.parametrize("kind", sorted(KIND_MODULES))
def test_help_has_no_program_text(kind):
    result = run_cli("solve", kind, "--help")
    assert result.code == 0, result.err
    text = result.out.split("Examples:")[0]
    for pattern in PROGRAM_TEXT:
        found = re.search(pattern, text)
        assert not found, f"{kind}: {text[max(0, found.start() - 40):found.end() + 20]!r}"
    assert not set(re.findall(r"\b[a-z]{2,}_[a-z]{2,}\b", text)) - TYPED_NAMES, kind
    typed = text.replace("x**2 + 10*y**2", "")      # the formula --f of optimizer is typed in
    assert "**" not in typed and "*(" not in typed, kind
