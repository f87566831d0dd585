"""What the command-line faces share: click settings, the examples epilog, ``--digits``."""

from __future__ import annotations

import click

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def examples_epilog(command: str, examples) -> str:
    lines = ["\b", "Examples:"] + [f"  {command} {ex}" for ex in examples]
    return "\n".join(lines)


def digits_option(func):
    return click.option("--digits", default="6", metavar="N", show_default=True,
                        help="significant digits of the numbers shown to people (JSON keeps full precision)")(func)


def parse_digits(text: str) -> int:
    from dltutor.values import parse_int

    return parse_int(text, "--digits", minimum=1, maximum=17)
