"""What the command-line faces share: click settings, the examples epilog, ``--digits``."""

from __future__ import annotations

import codecs
import sys

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


def _escape(error: UnicodeError):
    """Codec error handler: what the output cannot encode is written as ``\\uXXXX`` (valid in
    JSON strings too, and readable in a terminal that cannot show the character)."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    out = []
    for char in error.object[error.start:error.end]:
        code = ord(char)
        if code > 0xFFFF:      # outside the BMP: a surrogate pair, as JSON writes it
            code -= 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
        else:
            out.append(f"\\u{code:04x}")
    return "".join(out), error.end


codecs.register_error("dltutor-escape", _escape)


def encode_what_cannot_be_shown() -> None:
    """stdout/stderr in an encoding that is not UTF-8 (LANG=C, PYTHONIOENCODING=ascii) escape the
    characters they cannot show instead of ending the run; stdin decodes bad bytes as U+FFFD."""
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None)
        if not encoding or not hasattr(stream, "reconfigure"):
            continue
        try:
            if codecs.lookup(encoding).name != "utf-8":
                stream.reconfigure(errors="dltutor-escape")
        except (LookupError, ValueError, OSError):
            pass
    if sys.stdin is not None and hasattr(sys.stdin, "reconfigure"):
        try:
            sys.stdin.reconfigure(errors="replace")
        except (ValueError, OSError):
            pass
