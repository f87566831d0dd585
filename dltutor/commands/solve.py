"""``dltutor solve KIND``: one command per kind, built from the kind's option table.

The kinds come from ``dltutor.solvers.registry``, imported on demand, so a
shape question starts about as fast as Python imports NumPy.
"""

from __future__ import annotations

import click

from dltutor.commands.common import CONTEXT, examples_epilog, parse_digits
from dltutor.commands.paging import NO_PAGER_HELP, show


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
    params.append(click.Option(["--brief"], is_flag=True,
                               help="the answer and one line per step (no formulas)"))
    params.append(click.Option(["--no-pager"], is_flag=True, help=NO_PAGER_HELP))

    def callback(as_json: bool, digits: str, brief: bool, no_pager: bool, **raw):
        n_digits = parse_digits(digits)
        solution = kind.func(**parse_options(kind, raw))
        if not as_json and isinstance(solution.answer, dict) and "code" in solution.answer:
            click.echo(solution.answer["code"], nl=False)      # solve params --emit: a program, as is
            return
        if as_json:
            from dltutor.render.json import to_json

            click.echo(to_json(solution, n_digits))
        elif brief:
            from dltutor.render.terminal import brief_renderable

            show(brief_renderable(solution, n_digits), no_pager, soft_wrap=True)
        else:
            from dltutor.render.terminal import solution_renderable

            show(solution_renderable(solution, n_digits), no_pager)

    return KindCommand(kind, params=params, callback=callback)


class KindCommand(click.Command):
    """A kind's command; its help text is typeset (``_as_mathematics``) only when help is shown,
    so that solving does not import the formula printer."""

    def __init__(self, kind, **kwargs):
        help_text = kind.summary[0].upper() + kind.summary[1:] + "."
        super().__init__(kind.name, help=help_text, short_help=kind.summary, context_settings=CONTEXT,
                         epilog=examples_epilog(f"dltutor solve {kind.name}", kind.examples), **kwargs)
        self.description = kind.description if kind.description != kind.summary else ""

    def format_help_text(self, ctx, formatter) -> None:
        if self.description:
            self.help = f"{self.help}\n\n{_as_mathematics(self.description)}"
            self.description = ""
        super().format_help_text(ctx, formatter)


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
        from dltutor.solvers.registry import KIND_MODULES, unknown_kind

        name = args[0] if args else ""
        if name and not name.startswith("-") and name not in KIND_MODULES:
            raise click.UsageError(unknown_kind(name))
        return super().resolve_command(ctx, args)


@click.group(cls=SolveGroup, context_settings=CONTEXT,
           epilog=examples_epilog("dltutor solve", [
               "conv-output --input 28 --kernel 5 --padding same",
               "params \"Input(28,28,1) -> Conv2D(6,5) -> MaxPooling2D(2) -> Flatten -> Dense(10)\"",
               "neuron --x 1,2,3 --w 0.5,-1,0.8 --b 0.2 --activation sigmoid --json",
               "conv-output --help"]))
def solve() -> None:
    """One-shot calculator: solve KIND and show every step.

    Add --json for one JSON object {kind, inputs, answer, steps} (full precision),
    --digits N for the number of significant digits shown, --brief for the answer and
    one line per step. Long output goes through a pager when stdout is a terminal
    ($PAGER; --no-pager never).
    """


def _as_mathematics(text: str) -> str:
    """A kind's description with its formulas as mathematics: ``g**2`` → g², ``beta1`` → β₁,
    ``sqrt(v)`` → √(v), ``lr`` → η (the option names, written ``--lr``, stay as they are)."""
    import re

    from dltutor.render.formula_unicode import prose

    out = prose(text)
    out = re.sub(r"(?<!-)\bbeta([12])\b", lambda m: "β" + "₁₂"[int(m.group(1)) - 1], out)
    for word, symbol in (("beta", "β"), ("rho", "ρ"), ("eps", "ε"), ("alpha_t", "αₜ")):
        out = re.sub(rf"(?<!-)\b{word}\b", symbol, out)
    out = re.sub(r"\bsqrt\(", "√(", out)
    return re.sub(r"\*\*t\b", "ᵗ", out)
