"""The package's layout rules, checked on the import graph read from the source (ast).

- no import cycle between dltutor's modules, counting imports inside functions
  (only imports under ``if TYPE_CHECKING:`` are exempt);
- imports point inward: faces (cli, commands, tui) -> documents (render, lessons)
  -> practice -> core (errors, values, solution, files, resources, store, solvers,
  modelspec, nn, frameworks); no module imports one of a layer above its own;
- no module over 500 lines; at most ten modules at the top of the package.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "dltutor"
MAX_LINES = 500
MAX_TOP_LEVEL = 10

FACES, DOCUMENTS, PRACTICE, CORE = 3, 2, 1, 0
LAYER_OF_PREFIX = [("dltutor.cli", FACES), ("dltutor.__main__", FACES), ("dltutor.commands", FACES),
                   ("dltutor.tui", FACES), ("dltutor.render", DOCUMENTS), ("dltutor.lessons", DOCUMENTS),
                   ("dltutor.practice", PRACTICE)]
LAYER_NAMES = {FACES: "faces", DOCUMENTS: "documents", PRACTICE: "practice", CORE: "core"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer(module: str) -> int:
    for prefix, rank in LAYER_OF_PREFIX:
        if module == prefix or module.startswith(prefix + "."):
            return rank
    return CORE


def _type_checking_blocks(tree: ast.AST) -> set[int]:
    """Line numbers of statements under ``if TYPE_CHECKING:``."""
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", getattr(node.test, "attr", None)) == "TYPE_CHECKING":
            for stmt in node.body:
                for sub in ast.walk(stmt):
                    if hasattr(sub, "lineno"):
                        lines.add(sub.lineno)
    return lines


def imports_of(module: str) -> set[str]:
    """The dltutor modules that ``module`` imports, at any depth of its code."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    exempt = _type_checking_blocks(tree)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in exempt:
            continue
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        else:
            continue
        for name in names:
            while name and name not in MODULES:
                name = name.rpartition(".")[0]
            if name.startswith("dltutor") and name != module:
                found.add(name)
    return found


GRAPH = {m: imports_of(m) for m in MODULES}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_graph_is_read():
    # a broken reader would make every rule below pass vacuously
    assert "dltutor.modelspec.windows" in GRAPH["dltutor.solvers.shapes"]
    assert "dltutor.practice.families" in GRAPH["dltutor.render.sheet"]
    assert len(MODULES) > 80


def test_no_import_cycles():
    assert _cycles(GRAPH) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_inward(module):
    outward = sorted(m for m in GRAPH[module] if layer(m) > layer(module))
    assert not outward, (f"{module} ({LAYER_NAMES[layer(module)]}) imports "
                         + ", ".join(f"{m} ({LAYER_NAMES[layer(m)]})" for m in outward))


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_is_small(module):
    lines = len(MODULES[module].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module} has {lines} lines: split it by idea"


def test_top_level_holds_only_what_everything_uses():
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL, top



@pytest.mark.parametrize("module", ["dltutor.modelspec.windows", "dltutor.modelspec.rules", "dltutor.practice.exam",
                                    "dltutor.practice.selection", "dltutor.render.sheets", "dltutor.commands.solve"])
def test_module_imports_first_in_a_fresh_interpreter(module):
    # an import cycle through module-level imports shows when the module is the first of its group imported
    done = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_problems_dir_is_the_shipped_resource_folder():
    from dltutor.practice.families import problems_dir
    from dltutor.resources import resource_dir

    assert problems_dir() == resource_dir("problems")
