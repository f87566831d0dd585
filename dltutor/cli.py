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
from dltutor.errors import InputError

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


# ------------------------------------------------------------------ solve

def make_kind_command(kind) -> click.Command:
    """A click command built from a kind's option table."""
    from dltutor.solvers.registry import parse_options

    params: list[click.Parameter] = []
    for opt in kind.options:
        if opt.argument:
            params.append(click.Argument([opt.param], required=False, metavar=opt.metavar))
        elif opt.flag:
            params.append(click.Option([f"--{opt.name}", opt.param], is_flag=True, help=opt.help))
        else:
            default = f" [default: {opt.default}]" if opt.default is not None else ""
            required = " [required]" if opt.required else ""
            params.append(click.Option([f"--{opt.name}", opt.param], type=str, default=None,
                                       metavar=opt.metavar, help=opt.help + default + required))
    params.append(click.Option(["--json", "as_json"], is_flag=True,
                               help="print one JSON object {kind, inputs, answer, steps}"))
    params.append(click.Option(["--digits"], default="6", metavar="N", show_default=True,
                               help="significant digits shown to people (JSON keeps full precision)"))

    def callback(as_json: bool, digits: str, **raw):
        n_digits = parse_digits(digits)
        solution = kind.func(**parse_options(kind, raw))
        if not as_json and isinstance(solution.answer, dict) and "code" in solution.answer:
            click.echo(solution.answer["code"], nl=False)      # solve params --emit: a program, as is
            return
        if as_json:
            from dltutor.render.json import to_json

            click.echo(to_json(solution, n_digits))
        else:
            from dltutor.render.terminal import print_solution

            print_solution(solution, n_digits)

    help_text = kind.summary[0].upper() + kind.summary[1:] + "."
    if kind.description and kind.description != kind.summary:
        help_text += "\n\n" + kind.description
    return click.Command(kind.name, params=params, callback=callback, help=help_text,
                         short_help=kind.summary, context_settings=CONTEXT,
                         epilog=examples_epilog(f"dltutor solve {kind.name}", kind.examples))


# Subcommands that live in their own modules under dltutor/commands/, imported
# only when used: name -> (module, attribute). A module that does not exist yet
# is simply not listed.
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
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
}


class LazyGroup(click.Group):
    """The top-level group: built-in commands plus the lazily imported ones."""

    def list_commands(self, ctx):
        import importlib.util

        lazy = [name for name, (module, _) in LAZY_COMMANDS.items() if importlib.util.find_spec(module)]
        return sorted(set(super().list_commands(ctx)) | set(lazy))

    def get_command(self, ctx, name):
        import importlib

        if name in LAZY_COMMANDS:
            module, attr = LAZY_COMMANDS[name]
            try:
                return getattr(importlib.import_module(module), attr)
            except ModuleNotFoundError as exc:
                if exc.name != module:
                    raise
                return None
        return super().get_command(ctx, name)


class SolveGroup(click.Group):
    """``dltutor solve KIND``: the kinds come from the registry, imported on demand."""

    def list_commands(self, ctx):
        from dltutor.solvers.registry import KIND_MODULES

        return sorted(KIND_MODULES)

    def get_command(self, ctx, name):
        from dltutor.solvers.registry import KIND_MODULES, get_kind

        if name not in KIND_MODULES:
            return None
        return make_kind_command(get_kind(name))

    def resolve_command(self, ctx, args):
        from dltutor.solvers.registry import KIND_MODULES

        name = args[0] if args else ""
        if name and not name.startswith("-") and name not in KIND_MODULES:
            raise click.UsageError(f"unknown kind {name!r}; choose from: {', '.join(sorted(KIND_MODULES))}")
        return super().resolve_command(ctx, args)


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


@cli.group(cls=SolveGroup, context_settings=CONTEXT,
           epilog=examples_epilog("dltutor solve", [
               "conv-output --input 28 --kernel 5 --padding same",
               "params \"Input(28,28,1) -> Conv2D(6,5) -> MaxPooling2D(2) -> Flatten -> Dense(10)\"",
               "neuron --x 1,2,3 --w 0.5,-1,0.8 --b 0.2 --activation sigmoid --json",
               "conv-output --help"]))
def solve() -> None:
    """One-shot calculator: solve KIND and show every step.

    Add --json for one JSON object {kind, inputs, answer, steps} (full precision),
    --digits N for the number of significant digits shown.
    """


# ------------------------------------------------------------------ main

def _one_line(message: str) -> str:
    return " ".join(str(message).split())


def main(argv: list[str] | None = None) -> None:
    """Entry point: runs the click group and maps errors to exit codes (0, 1, 2)."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    if debug:
        args.remove("--debug")
    try:
        code = cli.main(args=args, prog_name="dltutor", standalone_mode=False)
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
    except Exception as exc:  # the one place that catches everything
        if debug:
            raise
        click.echo(f"error: internal error ({type(exc).__name__}: {_one_line(exc)}); "
                   "re-run with --debug for the traceback", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
