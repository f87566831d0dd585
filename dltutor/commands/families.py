"""``dltutor families``: the problem families, and teachers' own family folders.

    dltutor families list                      every family and where it comes from
    dltutor families copy FAMILY DIR --as ID   a built-in family as the start of a new one
    dltutor families check DIR                 one line per family file of DIR: ok, or what is wrong

A teacher's folder is used by setting ``DLTUTOR_PROBLEMS`` to it (several folders:
separated by ``:``, or ``;`` on Windows); see ``dltutor.practice.catalog``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import click

from dltutor.commands.common import CONTEXT, examples_epilog
from dltutor.errors import InputError, did_you_mean

CHECK_DRAWS = 60        # default draws per family file (20 per difficulty)


@click.group(context_settings=CONTEXT, epilog=examples_epilog("dltutor families", [
    "list",
    "copy conv-output-size my-problems --as my-conv-size && dltutor families check my-problems"]))
def families():
    """Problem families: list them, start your own, check a folder of them.

    Your own families are TOML files (the format is in problems/README.md of
    the source, or the files of 'dltutor families copy'). Put them in a
    folder, check it with 'dltutor families check DIR', then set
    DLTUTOR_PROBLEMS=DIR (several folders separated by ':', ';' on Windows):
    every command then draws from them beside the built-in families. A file
    that cannot be used is reported by its path and left out; the others
    keep working.
    """


@families.command("list", context_settings=CONTEXT, epilog=examples_epilog("dltutor families list", ["", "--json"]))
@click.option("--json", "as_json", is_flag=True, help="one JSON object: families and the files left out")
def list_families(as_json):
    """Every family (built-in and from DLTUTOR_PROBLEMS) and the family files left out."""
    from dltutor.practice.catalog import family_errors, load_families
    from dltutor.practice.spec import problems_dir

    builtin = problems_dir().resolve()
    rows = [{**f.summary(), "version": f.version,
             "source": "built-in" if Path(f.path).resolve().parent == builtin else str(Path(f.path).parent)}
            for f in load_families().values()]
    errors = [str(e) for e in family_errors()]
    if as_json:
        click.echo(json.dumps({"families": rows, "left_out": errors}, ensure_ascii=False))
        return
    for r in rows:
        click.echo(f"{r['id']:<26} {r['topic']:<12} {r['source']}")
    for e in errors:
        click.echo(f"left out: {e}", err=True)


@families.command("copy", context_settings=CONTEXT, epilog=examples_epilog("dltutor families copy", [
    "pool-output-size my-problems --as my-pool-size"]))
@click.argument("family")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--as", "new_id", required=True, metavar="ID",
              help="the new family's id and file name (lower case letters, digits and '-')")
def copy_family(family, folder, new_id):
    """Copy a built-in FAMILY into FOLDER as ID.toml, to edit into a family of your own."""
    from dltutor.files import write_atomic
    from dltutor.practice.catalog import load_families

    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,80}", new_id):
        raise InputError(f"--as {new_id!r}: an id is lower case letters, digits and '-', e.g. my-conv-size")
    known = load_families()
    if family not in known:
        hint = did_you_mean(family, known)
        raise InputError(f"unknown problem family {family!r}" +
                         (f"{hint} (see 'dltutor families list')" if hint else "; see 'dltutor families list'"))
    if new_id in known:
        raise InputError(f"--as {new_id!r}: a family with that id already exists; choose another")
    target = Path(folder) / f"{new_id}.toml"
    if target.exists():
        raise InputError(f"{target} already exists; choose another --as or folder")
    text = Path(known[family].path).read_text(encoding="utf-8")
    text = re.sub(r'^id = ".*"$', f'id = "{new_id}"', text, count=1, flags=re.M)
    text = re.sub(r"^version = \d+$", "version = 1", text, count=1, flags=re.M)
    Path(folder).mkdir(parents=True, exist_ok=True)
    write_atomic(target, text, label="FOLDER")
    click.echo(f"wrote {target}; edit it, then: dltutor families check {folder}")


@families.command("check", context_settings=CONTEXT, epilog=examples_epilog("dltutor families check", [
    "my-problems", "my-problems -n 300 --json"]))
@click.argument("folder", type=click.Path())
@click.option("-n", "count", default=str(CHECK_DRAWS), metavar="N", show_default=True,
              help="problems drawn per family file (the difficulties in turn)")
@click.option("--json", "as_json", is_flag=True, help="one JSON object per file in a list")
def check_families(folder, count, as_json):
    """Check every family file (*.toml) of FOLDER: one line per file, ok or what is wrong.

    Each file is read, its ranges checked against the limits, and N problems
    drawn (as 'dltutor stress' does): degenerate draws, misconceptions that
    score as right, too few distinct problems. Exit status 0 when every file
    is ok, 1 when one is not, 2 when FOLDER is not a folder.
    """
    from dltutor.practice.catalog import load_families as all_families
    from dltutor.practice.catalog import read_family
    from dltutor.practice.spec import problems_dir
    from dltutor.practice.stress import MAX_N, stress_family
    from dltutor.values import parse_int

    n = parse_int(count, "-n", minimum=3, maximum=MAX_N)
    path = Path(folder)
    if not path.is_dir():
        raise InputError(f"{folder!r} is not a folder (give the folder that holds your *.toml family files)")
    files = sorted(path.glob("*.toml"))
    if not files:
        raise InputError(f"{folder!r} holds no *.toml family file")
    same_folder = path.resolve() == problems_dir().resolve()
    builtin = {} if same_folder else {k: v for k, v in all_families().items()
                                      if Path(v.path).resolve().parent == problems_dir().resolve()}
    results, failed = [], 0
    for file in files:
        entry = {"file": str(file), "ok": False}
        try:
            family = read_family(file)
            entry["family"] = family.id
            if family.id in builtin:
                raise InputError(f"the id {family.id!r} is a built-in family's; rename the file and its id")
            report = stress_family(family, n)
            entry.update(report.to_dict())
            entry["ok"] = report.ok
            line = (f"ok    {file.name}: {report.distinct} distinct problems in {report.draws} draws"
                    if report.ok else f"FAIL  {file.name}: {report.problems[0]}"
                    + (f" (and {len(report.problems) - 1} more)" if len(report.problems) > 1 else ""))
        except InputError as exc:
            entry["problems"] = [str(exc)]
            line = f"FAIL  {file.name}: {' '.join(str(exc).split())}"
        failed += not entry["ok"]
        results.append(entry)
        if not as_json:
            click.echo(line)
    if as_json:
        click.echo(json.dumps(results, ensure_ascii=False))
    else:
        click.echo(f"{len(files) - failed} of {len(files)} family file(s) ok")
    if failed:
        click.get_current_context().exit(1)
