"""A lesson as a file: Markdown, standalone HTML, or PDF (through the ``typst`` package).

Every export runs the live blocks, like the terminal does. A ``math`` block is
typeset by the formula printers of ``render/formula.py`` (LaTeX in Markdown,
MathML in HTML, Typst math in PDF), its lines aligned at the first ``=``; a
``solve`` block shows its command line and the worked solution printed by the
shared document printers (``render/markdown.py``, ``render/html.py``,
``render/typst.py``: the same look as the answer keys of the problem sheets);
a ``problem`` block names the command that draws a fresh problem; a ``check``
block ("Check yourself") shows its questions numbered where it stands, and
their answers come in an "Answers" section at the end of the document. The
Markdown of text blocks is read with markdown-it (a dependency of Rich) for
HTML and PDF.
"""

from __future__ import annotations

import html

from dltutor.errors import InputError
from dltutor.lessons import CheckItem, Lesson, math_lines, problem_refs
from dltutor.render.formula import (
    LatexPrinter,
    MathMLPrinter,
    Printer,
    TypstPrinter,
    mathml_aligned,
    typst_string,
)
from dltutor.render.html import page, to_html_fragment
from dltutor.render.lesson import family_title, lesson_prose, practice_command, work_out
from dltutor.render.markdown import to_markdown as solution_markdown
from dltutor.render.typst import compile_pdf, to_typst_markup, typst_literal as _t, typst_prose

FORMATS = ("md", "html", "pdf")


def _problems(text: str):
    try:
        return problem_refs(text)
    except InputError:
        return []


def numbered_checks(lesson: Lesson) -> dict[int, list[tuple[int, CheckItem]]]:
    """check block line -> its (number, item) pairs, numbered on through the lesson
    (a block that does not parse is left out: ``check_lessons`` reports it)."""
    out, n = {}, 1
    for block in lesson.live("check"):
        try:
            items = block.checks()
        except InputError:
            items = ()
        out[block.line] = list(enumerate(items, start=n))
        n += len(items)
    return out


def _all_checks(lesson: Lesson) -> list[tuple[int, CheckItem]]:
    return [pair for pairs in numbered_checks(lesson).values() for pair in pairs]


def _md_item(n: int, text: str) -> str:
    lines = text.splitlines() or [""]
    return "\n".join([f"{n}. {lines[0]}"] + [("   " + line) if line.strip() else "" for line in lines[1:]])


def _command(text: str) -> str:
    return " ".join(text.split())


def _subtitle(lesson: Lesson) -> str:
    text = f"Lesson {lesson.id} · topic {lesson.topic}"
    return text + (f" · read first: {', '.join(lesson.prerequisites)}" if lesson.prerequisites else "")


def aligned_rows(printer: Printer, text: str) -> list[tuple[str, str | None]]:
    """The lines of a math block as (left side, the rest after '=') typeset by ``printer``;
    (verbatim line, None) for a line that is not an expression."""
    rows = []
    for line in math_lines(text):
        try:
            sides = printer.sides(line)
        except ValueError:
            rows.append((printer.verbatim(line), None))
            continue
        rows.append((sides[0], printer.equals(sides[1:]) if len(sides) > 1 else None))
    return rows


# ------------------------------------------------------------------ Markdown

def _md_math(text: str) -> str:
    rows = aligned_rows(LatexPrinter(), text)
    if len(rows) == 1:
        left, rest = rows[0]
        return "$$\n" + left + (" = " + rest if rest is not None else "") + "\n$$"
    lines = [left + (" &= " + rest if rest is not None else " &") for left, rest in rows]
    return "$$\n\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}\n$$"


def to_markdown(lesson: Lesson, digits: int = 6) -> str:
    """Markdown with the formulas in ``$$ LaTeX $$`` and the solve blocks worked out."""
    out = [f"# {lesson.title}", "", f"*{_subtitle(lesson)}*", ""]
    checks = numbered_checks(lesson)
    for block in lesson.blocks:
        if block.kind == "markdown":
            out += [lesson_prose(block.text), ""]
        elif block.kind == "math":
            out += [_md_math(block.text), ""]
        elif block.kind == "solve":
            worked = work_out(block.text)
            out += ["**Worked example**", "", "```", _command(block.text), "```", ""]
            out.append(solution_markdown(worked.solution, digits) if worked.solution is not None
                       else f"*(could not be worked out: {worked.error})*")
            out.append("")
        elif block.kind == "problem":
            for ref in _problems(block.text):
                level = f" ({ref.difficulty})" if ref.difficulty else ""
                out += [f"**Practice:** {family_title(ref.family)}{level}: `{practice_command(ref)}`", ""]
        elif block.kind == "check":
            out += ["*Questions (answers at the end):*", ""]
            out += [_md_item(n, item.question) for n, item in checks[block.line]] + [""]
    if _all_checks(lesson):
        out += ["## Answers", ""] + [_md_item(n, item.answer) for n, item in _all_checks(lesson)] + [""]
    return "\n".join(out).rstrip() + "\n"


# ------------------------------------------------------------------ HTML

# added to the page style of render/html.py (the sheets' pages)
LESSON_STYLE = """
.meta { color: #555; font-style: italic; margin-top: 0; }
h1 { border-bottom: 2px solid #444; padding-bottom: .2rem; }
div.math { margin: .6rem 0; break-inside: avoid; } div.math math[display="block"] { margin: .35rem auto; }
.worked { border-left: 3px solid #6a8f6a; background: #f7f9f7; padding: .4rem 1rem .6rem; margin: 1.2rem 0; }
.worked h3, .practice h3 { margin: .2rem 0 .4rem; font-size: 1rem; }
pre.command { background: #eceeec; padding: .35rem .6rem; white-space: pre-wrap; margin: .2rem 0 .6rem; }
.check { border-left: 3px solid #4a6fa5; padding: .3rem 1rem; margin: 1rem 0; break-inside: avoid; }
.check h3 { margin: .2rem 0 .4rem; font-size: 1rem; }
.check li p, .answers li p { margin: .15rem 0; }
.answers { break-before: page; }
.practice { border: 1px solid #bbb; border-radius: 4px; padding: .4rem 1rem; margin: 1rem 0; break-inside: avoid; }
code, pre { font-family: 'DejaVu Sans Mono', Menlo, monospace; font-size: .85em; }
table { border-collapse: collapse; margin: .5rem 0; } th, td { border: 1px solid #bbb; padding: .15rem .5rem; }
"""


def _markdown_html(text: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table").render(lesson_prose(text))


def _html_math(text: str) -> str:
    """The lines of a math block as one display, lined up at their first '=' (as in the PDF)."""
    rows = aligned_rows(MathMLPrinter(), text)
    if len(rows) == 1:
        left, rest = rows[0]
        return f'<math display="block"><mrow>{left}' + ("" if rest is None else "<mo>=</mo>" + rest) + "</mrow></math>"
    return f'<math display="block">{mathml_aligned(rows)}</math>'


def to_html(lesson: Lesson, digits: int = 6) -> str:
    """One standalone page (inline CSS, MathML formulas, no scripts) that prints well."""
    e = html.escape
    body = [f"<h1>{e(lesson.title)}</h1>", f'<p class="meta">{e(_subtitle(lesson))}</p>']
    checks = numbered_checks(lesson)

    def ordered(pairs, text):
        start = pairs[0][0] if pairs else 1
        return f'<ol start="{start}">' + "".join(f"<li>{_markdown_html(text(item))}</li>" for _, item in pairs) + "</ol>"

    for block in lesson.blocks:
        if block.kind == "markdown":
            body.append(_markdown_html(block.text))
        elif block.kind == "math":
            body.append(f'<div class="math">{_html_math(block.text)}</div>')
        elif block.kind == "solve":
            worked = work_out(block.text)
            inner = (to_html_fragment(worked.solution, digits) if worked.solution is not None
                     else f'<p class="note">could not be worked out: {e(worked.error)}</p>')
            body.append(f'<section class="worked"><h3>Worked example</h3>'
                        f'<pre class="command">$ {e(_command(block.text))}</pre>\n{inner}</section>')
        elif block.kind == "problem":
            items = "".join(f"<li>{e(family_title(r.family))}" + (f" ({e(r.difficulty)})" if r.difficulty else "")
                            + f': <code>{e(practice_command(r))}</code></li>' for r in _problems(block.text))
            body.append(f'<section class="practice"><h3>Practice</h3><ul>{items}</ul></section>')
        elif block.kind == "check" and checks[block.line]:
            body.append('<section class="check"><h3>Questions <small>(answers at the end)</small></h3>'
                        + ordered(checks[block.line], lambda item: item.question) + "</section>")
    if _all_checks(lesson):
        body.append('<section class="answers"><h2>Answers</h2>'
                    + ordered(_all_checks(lesson), lambda item: item.answer) + "</section>")
    return page(lesson.title, "\n".join(body), LESSON_STYLE)


# ------------------------------------------------------------------ Typst / PDF

def _typst_inline(children) -> str:
    out = []
    for tok in children or []:
        if tok.type == "text":      # a script Unicode cannot write (h_T) set with #sub
            out.append(typst_prose(tok.content))
        elif tok.type == "softbreak":
            out.append(_t(" "))
        elif tok.type == "hardbreak":
            out.append(" \\\n")
        elif tok.type == "code_inline":
            out.append("#raw(" + typst_string(tok.content) + ")")
        elif tok.type == "strong_open":
            out.append("#strong[")
        elif tok.type == "em_open":
            out.append("#emph[")
        elif tok.type in ("strong_close", "em_close"):
            out.append("]")
    return "".join(out)


def _markdown_typst(text: str) -> str:
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(lesson_prose(text))
    out: list[str] = []
    lists: list[str] = []
    cells: list[str] | None = None     # the cells of the table being read
    columns, start, header = 0, 0, False
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
                inner = _typst_inline(tok.children)
                cells.append(f"[#strong[{inner}]]" if header else f"[{inner}]")
            else:
                out.append(_typst_inline(tok.children))
        elif tok.type == "paragraph_close" and not lists:
            out.append("\n\n")
        elif tok.type in ("fence", "code_block"):
            out.append("\n#raw(block: true, " + typst_string(tok.content.rstrip("\n")) + ")\n")
        elif tok.type == "table_open":
            cells, columns = [], 0
        elif tok.type in ("thead_open", "thead_close"):
            header = tok.type == "thead_open"
        elif tok.type == "tr_open":
            start = len(cells)
        elif tok.type == "tr_close":
            columns = max(columns, len(cells) - start)
        elif tok.type == "table_close":
            out.append(f"\n#align(center, table(columns: {columns}, align: left, inset: (x: 6pt, y: 4pt), "
                       "stroke: 0.4pt + luma(160), fill: (x, y) => if y == 0 { luma(235) }, "
                       + ", ".join(cells) + "))\n")
            cells = None
    return "".join(out)


def _typst_math(text: str) -> str:
    rows = aligned_rows(TypstPrinter(), text)
    lines = [left + (" &= " + rest if rest is not None else " &") for left, rest in rows]
    if len(rows) == 1:
        lines = [lines[0].replace(" &= ", " = ", 1).removesuffix(" &")]
    return "$ " + " \\\n  ".join(lines) + " $\n"


TYPST_PREAMBLE = """#set document(title: {title}, author: "dltutor")
#set text(font: "New Computer Modern", size: 11pt, lang: "en")
#show math.equation: set text(font: "New Computer Modern Math")
#show raw: set text(font: "DejaVu Sans Mono", size: 8.5pt)
#set par(justify: true, leading: 0.6em, spacing: 0.95em)
#set list(indent: 0.8em)
#set enum(indent: 0.8em)
#show heading: set text(fill: rgb("#1c3550"))
#show heading.where(level: 1): set text(14pt)
#show heading.where(level: 2): it => block(above: 1.5em, below: 0.75em, sticky: true, text(12.5pt, it.body))
#show heading.where(level: 3): it => block(above: 1.2em, below: 0.6em, sticky: true, text(11pt, it.body))
#show math.equation.where(block: true): set block(above: 0.9em, below: 0.9em)
#show table: set par(justify: false)
#set page(paper: "a4", margin: (x: 2.9cm, top: 2.4cm, bottom: 2.6cm),
  header: context {{ if here().page() > 1 {{
    set text(8pt, fill: luma(90))
    [{title_text} #h(1fr) {lesson_text}]
    v(-0.55em)
    line(length: 100%, stroke: 0.4pt + luma(170))
  }} }},
  footer: context {{
    set text(8pt, fill: luma(90))
    [{footer_text} #h(1fr) Page #counter(page).display() of #counter(page).final().first()]
  }})
"""

WORKED_STYLE = ("#set text(9.5pt)\n#set par(spacing: 0.7em, justify: false)\n"
                "#show math.equation.where(block: true): set align(left)\n"
                "#show math.equation.where(block: true): set block(above: 0.45em, below: 0.45em)\n")


def _typst_worked(command: str, digits: int) -> str:
    """The command line, then the worked solution as the sheets' answer keys print it."""
    worked = work_out(command)
    inner = (to_typst_markup(worked.solution, digits) if worked.solution is not None
             else f"#emph[{_t(f'could not be worked out: {worked.error}')}]")
    return ("#block(breakable: true, width: 100%, above: 1.3em, below: 1.3em, inset: (left: 1em, right: 0.6em, y: 7pt), "
            "fill: luma(248), stroke: (left: 1.5pt + rgb(\"#6a8f6a\")))[\n" + WORKED_STYLE
            + "#text(10.5pt, fill: rgb(\"#2f5d2f\"))[*Worked example*]\n\n"
            + f"#block(width: 100%, fill: luma(232), inset: 5pt, radius: 2pt, raw({typst_string('$ ' + _command(command))}))\n\n"
            + inner + "\n]\n")


def _typst_items(pairs) -> str:
    """Numbered items (the numbers run on through the lesson), each Markdown text as markup."""
    return "".join(f"#grid(columns: (1.6em, 1fr), gutter: 0pt, align(right)[#strong[{n}.]#h(0.4em)], "
                   f"[{_markdown_typst(text).strip()}])\n" for n, text in pairs)


def to_typst(lesson: Lesson, digits: int = 6) -> str:
    """Typst source of the lesson as a handout (compiled to PDF by ``to_pdf``)."""
    out = [TYPST_PREAMBLE.format(title=typst_string(lesson.title), title_text=_t(lesson.title),
                                 lesson_text=_t(f"Lesson {lesson.id}"),
                                 footer_text=_t(f"dltutor · lesson {lesson.id} · topic {lesson.topic}")),
           f"#align(center)[#text(19pt, weight: \"bold\")[{_t(lesson.title)}] \\",
           f"  #v(2pt) #text(10pt, style: \"italic\", fill: luma(60))[{_t(_subtitle(lesson))}]]",
           "#v(2pt)\n#line(length: 100%, stroke: 0.7pt)\n"]
    checks = numbered_checks(lesson)
    for block in lesson.blocks:
        if block.kind == "markdown":
            out.append(_markdown_typst(block.text))
        elif block.kind == "math":
            out.append(_typst_math(block.text))
        elif block.kind == "solve":
            out.append(_typst_worked(block.text, digits))
        elif block.kind == "problem":
            for ref in _problems(block.text):
                level = f" ({ref.difficulty})" if ref.difficulty else ""
                out.append(f"#block(stroke: 0.5pt + luma(150), radius: 2pt, inset: 6pt, width: 100%, "
                           f"breakable: false)[#strong[Practice:] {_t(family_title(ref.family) + level)} \\ "
                           f"#text(fill: luma(80))[try it:] #raw({typst_string(practice_command(ref))})]\n")
        elif block.kind == "check" and checks[block.line]:
            out.append("#block(width: 100%, breakable: false, inset: (left: 1em, y: 6pt), "
                       "stroke: (left: 1.5pt + rgb(\"#4a6fa5\")))[\n"
                       "#text(10.5pt, fill: rgb(\"#2c4a78\"))[*Questions*] "
                       "#text(9pt, fill: luma(90))[(answers at the end)]\n\n"
                       + _typst_items([(n, item.question) for n, item in checks[block.line]]) + "]\n")
    if _all_checks(lesson):
        out.append("\n== Answers\n\n" + _typst_items([(n, item.answer) for n, item in _all_checks(lesson)]))
    return "\n".join(out)


def to_pdf(lesson: Lesson, digits: int = 6) -> bytes:
    """PDF bytes, typeset offline by the ``typst`` package (only its built-in fonts: the same
    pages on every machine)."""
    return compile_pdf(to_typst(lesson, digits), deterministic=True)


def export(lesson: Lesson, fmt: str, digits: int = 6) -> str | bytes:
    if fmt == "md":
        return to_markdown(lesson, digits)
    if fmt == "html":
        return to_html(lesson, digits)
    if fmt == "pdf":
        return to_pdf(lesson, digits)
    raise InputError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
