"""A lesson as a file: Markdown, standalone HTML, or PDF (through the ``typst`` package).

Every export runs the live blocks, like the terminal does: a ``solve`` block
becomes its worked steps, a ``math`` block the typeset formula (LaTeX in
Markdown, MathML in HTML, sympy's picture in PDF), a ``problem`` block the
command that draws a fresh problem. The Markdown of text blocks is read with
markdown-it (a dependency of Rich) for HTML and PDF.
"""

from __future__ import annotations

import html

from dltutor.errors import InputError
from dltutor.lessons import Lesson, parse_math, problem_refs
from dltutor.render.lesson import (family_title, formula_latex, formula_mathml, formula_text,
                                   practice_command, work_out)
from dltutor.render.terminal import pretty_formula
from dltutor.solution import Filled, Step
from dltutor.values import format_value

FORMATS = ("md", "html", "pdf")


def _sub(step: Step, digits: int) -> str:
    return step.substituted.render(digits) if isinstance(step.substituted, Filled) else str(step.substituted)


def _math_chains(text: str) -> list:
    try:
        return parse_math(text)
    except InputError:
        return []


def _problems(text: str):
    try:
        return problem_refs(text)
    except InputError:
        return []


# ------------------------------------------------------------------ Markdown

def _md_cell(value, digits: int) -> str:
    return format_value(value, digits).replace("|", "\\|")


def _md_steps(solution, digits: int) -> list[str]:
    out = []
    for i, step in enumerate(solution.steps, start=1):
        out.append(f"{i}. **{step.title}**")
        if step.formula:
            out.append(f"   `{pretty_formula(step.formula)}`")
        sub = _sub(step, digits)
        if sub:
            out.append(f"   = `{pretty_formula(sub)}`")
        if step.value is not None:
            out.append(f"   = **{format_value(step.value, digits)}**")
        if step.note:
            out.append(f"   *{step.note}*")
        if step.table is not None:
            out.append("")
            out.append("   | " + " | ".join(step.table.columns) + " |")
            out.append("   |" + "---|" * len(step.table.columns))
            for row in step.table.rows:
                out.append("   | " + " | ".join(_md_cell(c, digits) for c in row) + " |")
            out.append("")
    out.append(f"\n**Answer:** {format_value(solution.answer, digits)}")
    return out


def to_markdown(lesson: Lesson, digits: int = 6) -> str:
    """Markdown with the formulas in ``$$ LaTeX $$`` and the solve blocks expanded."""
    out = [f"# {lesson.title}", ""]
    meta = f"*Lesson `{lesson.id}`, topic {lesson.topic}"
    out += [meta + (f"; read first: {', '.join(lesson.prerequisites)}*" if lesson.prerequisites else "*"), ""]
    for block in lesson.blocks:
        if block.kind == "markdown":
            out += [block.text, ""]
        elif block.kind == "math":
            out += ["$$\n" + "\n".join(formula_latex(c) for c in _math_chains(block.text)) + "\n$$", ""]
        elif block.kind == "solve":
            worked = work_out(block.text)
            out += ["**Worked example**", "", "```", " ".join(block.text.split()), "```", ""]
            out += (_md_steps(worked.solution, digits) if worked.solution is not None
                    else [f"*(could not be worked out: {worked.error})*"])
            out.append("")
        elif block.kind == "problem":
            for ref in _problems(block.text):
                level = f" ({ref.difficulty})" if ref.difficulty else ""
                out += [f"**Practice:** {family_title(ref.family)}{level}: `{practice_command(ref)}`", ""]
    return "\n".join(out).rstrip() + "\n"


# ------------------------------------------------------------------ HTML

CSS = """
body { font-family: Georgia, 'Times New Roman', serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.5; color: #111; }
h1 { font-size: 1.7rem; border-bottom: 2px solid #444; } h2 { font-size: 1.3rem; margin-top: 1.8rem; }
.meta { color: #555; font-style: italic; }
.math { margin: .8rem 0 .8rem 2rem; font-size: 1.1rem; }
.worked, .practice { border: 1px solid #999; border-radius: 4px; padding: .5rem 1rem; margin: 1rem 0;
                     break-inside: avoid; }
.worked h3, .practice h3 { margin: .2rem 0; font-size: 1rem; }
.command, code { font-family: 'DejaVu Sans Mono', Menlo, monospace; font-size: .9em; }
.formula { color: #0b4f6c; } .value { font-weight: bold; } .note { font-style: italic; color: #555; }
table { border-collapse: collapse; margin: .5rem 0; } th, td { border: 1px solid #bbb; padding: .15rem .5rem; }
@media print { body { margin: 0; max-width: none; } a { color: inherit; } }
"""


def _markdown_html(text: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table").render(text)


def _html_steps(solution, digits: int) -> str:
    e = html.escape
    items = []
    for step in solution.steps:
        parts = [f"<strong>{e(step.title)}</strong>"]
        if step.formula:
            parts.append(f'<div class="formula">{e(pretty_formula(step.formula))}</div>')
        sub = _sub(step, digits)
        if sub:
            parts.append(f"<div>= {e(pretty_formula(sub))}</div>")
        if step.value is not None:
            parts.append(f'<div class="value">= {e(format_value(step.value, digits))}</div>')
        if step.note:
            parts.append(f'<div class="note">{e(step.note)}</div>')
        if step.table is not None:
            head = "".join(f"<th>{e(c)}</th>" for c in step.table.columns)
            rows = "".join("<tr>" + "".join(f"<td>{e(format_value(c, digits))}</td>" for c in row) + "</tr>"
                           for row in step.table.rows)
            parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        items.append("<li>" + "".join(parts) + "</li>")
    answer = e(format_value(solution.answer, digits))
    return f"<ol>{''.join(items)}</ol><p><strong>Answer:</strong> {answer}</p>"


def to_html(lesson: Lesson, digits: int = 6) -> str:
    """One standalone page (inline CSS, MathML formulas, no scripts) that prints well."""
    e = html.escape
    body = [f"<h1>{e(lesson.title)}</h1>",
            f'<p class="meta">Lesson {e(lesson.id)}, topic {e(lesson.topic)}'
            + (f"; read first: {e(', '.join(lesson.prerequisites))}" if lesson.prerequisites else "") + "</p>"]
    for block in lesson.blocks:
        if block.kind == "markdown":
            body.append(_markdown_html(block.text))
        elif block.kind == "math":
            for chain in _math_chains(block.text):
                body.append(f'<div class="math"><math display="block">{formula_mathml(chain)}</math></div>')
        elif block.kind == "solve":
            worked = work_out(block.text)
            inner = (_html_steps(worked.solution, digits) if worked.solution is not None
                     else f'<p class="note">could not be worked out: {e(worked.error)}</p>')
            body.append(f'<section class="worked"><h3>Worked example</h3>'
                        f'<div class="command">{e(" ".join(block.text.split()))}</div>{inner}</section>')
        elif block.kind == "problem":
            items = "".join(f"<li>{e(family_title(r.family))}" + (f" ({e(r.difficulty)})" if r.difficulty else "")
                            + f': <code>{e(practice_command(r))}</code></li>' for r in _problems(block.text))
            body.append(f'<section class="practice"><h3>Practice</h3><ul>{items}</ul></section>')
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{e(lesson.title)}</title><style>{CSS}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")


# ------------------------------------------------------------------ Typst / PDF

def _str(text: str) -> str:
    """A Typst string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _t(text: str) -> str:
    """Literal text in Typst markup (a string, so no character is ever markup)."""
    return "#" + _str(text) if text else ""


def _typst_inline(children) -> str:
    out = []
    for tok in children or []:
        if tok.type == "text":
            out.append(_t(tok.content))
        elif tok.type in ("softbreak",):
            out.append(_t(" "))
        elif tok.type == "hardbreak":
            out.append(" \\\n")
        elif tok.type == "code_inline":
            out.append("#raw(" + _str(tok.content) + ")")
        elif tok.type == "strong_open":
            out.append("#strong[")
        elif tok.type == "em_open":
            out.append("#emph[")
        elif tok.type in ("strong_close", "em_close"):
            out.append("]")
    return "".join(out)


def _markdown_typst(text: str) -> str:
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    out: list[str] = []
    lists: list[str] = []
    cells: list[str] | None = None     # the cells of the table being read
    columns = 0
    for tok in tokens:
        if tok.type == "heading_open":
            out.append("\n" + "=" * int(tok.tag[1]) + " ")
        elif tok.type == "heading_close":
            out.append("\n")
        elif tok.type in ("bullet_list_open", "ordered_list_open"):
            lists.append("-" if tok.type.startswith("bullet") else "+")
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
            out.append("\n")
        elif tok.type == "list_item_open":
            out.append("\n" + "  " * (len(lists) - 1) + lists[-1] + " ")
        elif tok.type == "inline":
            if cells is not None:
                cells.append("[" + _typst_inline(tok.children) + "]")
            else:
                out.append(_typst_inline(tok.children))
        elif tok.type == "paragraph_close" and not lists:
            out.append("\n\n")
        elif tok.type in ("fence", "code_block"):
            out.append("\n#raw(block: true, " + _str(tok.content.rstrip("\n")) + ")\n")
        elif tok.type == "table_open":
            cells, columns = [], 0
        elif tok.type == "tr_open":
            start = len(cells)
        elif tok.type == "tr_close":
            columns = max(columns, len(cells) - start)
        elif tok.type == "table_close":
            out.append(f"\n#table(columns: {columns}, " + ", ".join(cells) + ")\n")
            cells = None
    return "".join(out)


def to_typst(lesson: Lesson, digits: int = 6) -> str:
    """Typst source of the lesson (compiled to PDF by ``to_pdf``)."""
    out = ['#set page(paper: "a4", margin: 2cm)', "#set text(size: 10.5pt)",
           '#show raw: set text(font: "DejaVu Sans Mono", size: 9pt)',
           f"#align(center, text(17pt, strong[{_t(lesson.title)}]))",
           f"#align(center, text(9pt, emph[{_t(f'Lesson {lesson.id}, topic {lesson.topic}')}]))", ""]
    for block in lesson.blocks:
        if block.kind == "markdown":
            out.append(_markdown_typst(block.text))
        elif block.kind == "math":
            pictures = "\n\n".join(formula_text(c) for c in _math_chains(block.text))
            out.append("#pad(left: 2em, raw(block: true, " + _str(pictures) + "))\n")
        elif block.kind == "solve":
            worked = work_out(block.text)
            text = (_md_steps(worked.solution, digits) if worked.solution is not None
                    else [f"(could not be worked out: {worked.error})"])
            plain = "\n".join(line.replace("**", "").replace("`", "") for line in text)
            out.append("#block(stroke: 0.5pt + gray, inset: 8pt, radius: 3pt, width: 100%)["
                       f"#strong[Worked example] #linebreak() #raw({_str(' '.join(block.text.split()))})"
                       f" #raw(block: true, {_str(plain)})]\n")
        elif block.kind == "problem":
            for ref in _problems(block.text):
                out.append(f"#block(stroke: 0.5pt + gray, inset: 6pt, width: 100%)[#strong[Practice:] "
                           f"{_t(family_title(ref.family))} #raw({_str(practice_command(ref))})]\n")
    return "\n".join(out)


def to_pdf(lesson: Lesson, digits: int = 6) -> bytes:
    """PDF bytes, typeset offline by the ``typst`` Python package."""
    try:
        import typst
    except ImportError:
        raise InputError("PDF export needs the 'typst' package (pip install typst); "
                         "--format html prints well too") from None
    return typst.compile(to_typst(lesson, digits).encode("utf-8"))


def export(lesson: Lesson, fmt: str, digits: int = 6) -> str | bytes:
    if fmt == "md":
        return to_markdown(lesson, digits)
    if fmt == "html":
        return to_html(lesson, digits)
    if fmt == "pdf":
        return to_pdf(lesson, digits)
    raise InputError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
