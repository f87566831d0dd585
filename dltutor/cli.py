"""The ``dltutor`` command: a thin shell over the core (parse, call, render).

Bad input is turned into one line on stderr and exit status 2 here, at one
boundary (``main``); anything unexpected is exit 1 with a hint to re-run with
``--debug``. Subcommands and ``solve`` kinds are imported only when used, so a
shape question starts about as fast as Python imports NumPy.
"""

from __future__ import annotations

import sys

import click

from dltutor import __version__
from dltutor.commands.common import CONTEXT, encode_what_cannot_be_shown, examples_epilog
from dltutor.errors import InputError

# The subcommands: name -> (module, attribute) under dltutor/commands/, each
# imported only when used. A new command is one entry here.
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "solve": ("dltutor.commands.solve", "solve"),
    "train": ("dltutor.commands.train", "train"),
    "generate": ("dltutor.commands.practice", "generate"),
    "stress": ("dltutor.commands.practice", "stress"),
    "exam": ("dltutor.commands.practice", "exam"),
    "sheet": ("dltutor.commands.sheets", "sheet"),
    "export": ("dltutor.commands.sheets", "export"),
    "progress": ("dltutor.commands.progress", "progress"),
    "lessons": ("dltutor.commands.lessons", "lessons"),
    "lesson": ("dltutor.commands.lessons", "lesson"),
    "serve": ("dltutor.commands.tui", "serve"),
    "glossary": ("dltutor.commands.study", "glossary"),
    "formulas": ("dltutor.commands.study", "formulas"),
    "predict": ("dltutor.commands.predict", "predict"),
    "convert": ("dltutor.commands.convert", "convert"),
    "families": ("dltutor.commands.families", "families"),
}


class LazyGroup(click.Group):
    """The top-level group: built-in commands plus the lazily imported ones."""

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(LAZY_COMMANDS))

    def get_command(self, ctx, name):
        import importlib

        if name in LAZY_COMMANDS:
            module, attr = LAZY_COMMANDS[name]
            return getattr(importlib.import_module(module), attr)
        return super().get_command(ctx, name)


@click.group(cls=LazyGroup, invoke_without_command=True, context_settings=CONTEXT,
             epilog=examples_epilog("dltutor", ["solve conv-output --input 28 --kernel 5",
                                                 "solve params \"Input(3) -> Dense(5) -> Dense(2)\"",
                                                 "solve --help"]))
@click.version_option(__version__, "--version", prog_name="dltutor")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """dltutor: learn and practise the mathematics of deep learning.

    Every calculation shows its working: the formula, the numbers put in, the value.
    """
    if ctx.invoked_subcommand is None:
        if sys.stdin.isatty() and sys.stdout.isatty():
            from dltutor.tui.app import make_app  # textual only on this path

            make_app().run()
        else:  # scripts and pipes get the help instead of a full-screen app
            click.echo(ctx.get_help())


# ------------------------------------------------------------------ main

def _one_line(message: str) -> str:
    return " ".join(str(message).split())


def _reader_gone(identity_before) -> bool:
    """Whether stdout is a pipe whose reader went away (`dltutor ... | head`). click and rich each
    answer that on their own (wrapping stdout, or pointing it at /dev/null); a write still buffered
    is flushed here, and if that fails stdout is pointed at /dev/null so the exit stays quiet."""
    import os

    if type(sys.stdout).__name__.lstrip("_") == "PacifyFlushWrapper" or (      # _PacifyFlushWrapper from click 8.5
            identity_before is not None and _stdout_identity() != identity_before):
        return True
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return True
    except (OSError, ValueError):
        return False
    return False


def _stdout_identity():
    """(device, inode) of file descriptor 1, or None when there is none."""
    import os

    try:
        st = os.fstat(1)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def main(argv: list[str] | None = None) -> None:
    """Entry point: runs the click group and maps errors to exit codes (0, 1, 2)."""
    args = list(sys.argv[1:] if argv is None else argv)
    encode_what_cannot_be_shown()      # LANG=C or PYTHONIOENCODING=ascii: escape, never crash
    debug = "--debug" in args
    if debug:
        args.remove("--debug")
    try:
        stdout_before = _stdout_identity()
        try:
            code = cli.main(args=args, prog_name="dltutor", standalone_mode=False)
        except SystemExit as exc:
            # a closed pipe (`dltutor ... | head`): click and rich end with exit 1 after pointing
            # stdout at /dev/null or wrapping it; the reader has what it wanted, so that is success
            if exc.code == 1 and _reader_gone(stdout_before):
                sys.exit(0)
            raise
        if _reader_gone(stdout_before):
            sys.exit(0)
    except InputError as exc:
        click.echo(f"error: {_one_line(exc)}", err=True)
        sys.exit(2)
    except click.exceptions.NoArgsIsHelpError as exc:  # pragma: no cover - click >= 8.2
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
        sys.exit(0)
    except click.ClickException as exc:
        hint = ""
        ctx = getattr(exc, "ctx", None)
        if ctx is not None and isinstance(exc, click.UsageError):
            hint = f" (see '{ctx.command_path} --help')"
        click.echo(f"error: {_one_line(exc.format_message())}{hint}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:                 # the reader of a pipe went away: nothing is wrong
        _reader_gone(None)
        sys.exit(0)
    except Exception as exc:  # the one place that catches everything
        if debug:
            raise
        click.echo(f"error: internal error ({type(exc).__name__}: {_one_line(exc)}); "
                   "re-run with --debug for the traceback", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
