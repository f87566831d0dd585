"""Problem sheets as Markdown and as standalone HTML (MathML formulas, prints well).

The sheet's model (problems, prompt blocks, answer grids) is in ``dltutor.render.sheet``;
the worked solutions are the shared document printers (``render.markdown``,
``render.html``), so a sheet and ``dltutor generate`` can never disagree.
"""

from __future__ import annotations

from html import escape

from dltutor.render.formula import to_latex, to_mathml
from dltutor.render.formula_unicode import with_scripts
from dltutor.render.html import HtmlPrinter, cell_text, html_text, page, to_html_fragment
from dltutor.render.markdown import MarkdownPrinter, md_script, to_markdown
from dltutor.render.math_font import math_font_css
from dltutor.render.sheet import (Block, Sheet, answer_grid, answer_height, answer_value, column_parts, data_items,
                                  data_table, grid, prompt_blocks)
from dltutor.render.sheet import worked_solution
from dltutor.render.wording import label_text, letter, marks_text, plural

WORDS = ("choice", "truefalse", "text")     # forms whose answer is words, shown as text


def _info(sheet: Sheet) -> str:
    key = " · answer key" if sheet.solutions else ""
    return (f"{plural(len(sheet.problems), 'problem')} · {marks_text(sheet.marks)} · difficulty {sheet.difficulty} · "
            f"seed {sheet.seed}{key}")


# ------------------------------------------------------------------ Markdown

def md_escape(text: str) -> str:
    for ch in "\\`*_[]<>|#":
        text = text.replace(ch, "\\" + ch)
    return text


def md_text(text: str) -> str:
    """Prose for Markdown: escaped, a script Unicode cannot write as inline math (h_T → $h_{T}$)."""
    return with_scripts(text, md_escape, md_script)


def _md_math(value, digits: int) -> str:
    return MarkdownPrinter(digits).channels(value)


def _md_data(data, digits: int) -> str:
    printer = MarkdownPrinter(digits)
    if data.kind in ("samples", "table"):
        columns, rows = data_table(data)
        out = ["| " + " | ".join(_md_column(c) for c in columns) + " |", "|" + "|".join(":---:" for _ in columns) + "|"]
        return "\n".join(out + ["| " + " | ".join(f"${printer.value(c)}$" for c in row) + " |" for row in rows])
    # the channels of a tensor side by side, as one display
    return "$$" + r"\qquad ".join(to_latex(symbol) + (r"\ \text{(" + note + ")}" if note else "") + " = "
                                 + printer.channels(value) for symbol, note, value in data_items(data)) + "$$"


def _md_block(block: Block, digits: int) -> str:
    if block.segments and block.segments[0].data is not None:
        return _md_data(block.segments[0].data, digits)
    if block.display and not block.has_math:
        return "    " + block.text
    text = "".join(f"${_md_math(s.value, digits)}$" if s.is_math else md_text(s.text) for s in block.segments)
    return ("> " if block.display else "") + text


def _md_column(name: str) -> str:
    base, accent = column_parts(name)
    return f"$\\{accent}{{{to_latex(base)}}}$" if accent else f"${to_latex(base)}$"


def sheet_markdown(sheet: Sheet, digits: int = 6) -> str:
    """The sheet in Markdown, formulas in ``$...$`` LaTeX; the key adds answers and worked steps."""
    out = [f"# {md_escape(sheet.title)}", "", f"*{md_escape(sheet.course)}*", "",
           "**Name:** ______________________________ **Date:** ______________", "",
           md_escape(_info(sheet)), ""]
    for n, problem in enumerate(sheet.problems, start=1):
        out += ["---", "", f"## Problem {n}. {md_escape(problem.family.title)} "
                f"*({marks_text(problem.marks)})*", ""]
        out += [b for block in prompt_blocks(problem) for b in (_md_block(block, digits), "")]
        for j, part in enumerate(problem.parts):
            out.append(f"**({letter(j)})** {md_text(label_text(part))} — *{marks_text(part.spec.marks)}*")
            out.append("")
            fitted = answer_grid(problem, part, digits, sheet.solutions)
            if part.spec.table is not None:
                header, rows = grid(part, digits, sheet.solutions)
                out.append("| " + " | ".join([header[0]] + [_md_column(c) for c in header[1:]]) + " |")
                out.append("|" + "|".join(":---:" for _ in header) + "|")
                out += ["| " + " | ".join(cell or " " for cell in row) + " |" for row in rows]
            elif fitted is not None:
                out.append(_md_answer_grid(*fitted))
            elif sheet.solutions:
                value = answer_value(part)   # a conceptual answer is words: text that wraps, not math
                out.append(f"Answer: {md_text(value)}" if part.spec.form in WORDS
                           else f"Answer: ${_md_math(value, digits)}$")
            else:
                out.append("Answer: " + "_" * 40)
            out.append("")
        if sheet.solutions:
            out += ["**Worked solution**", "", to_markdown(worked_solution(problem), digits), ""]
    out += ["---", "", f"*{md_escape(sheet.command())}*. Regenerate one problem with "
            "`dltutor generate ID`:", ""]
    out += [f"{n}. `{pid}`" for n, pid in enumerate(sheet.ids, start=1)]
    return "\n".join(out).rstrip() + "\n"


# ------------------------------------------------------------------ HTML

SHEET_STYLE = """
header.title { text-align: center; border-bottom: 2px solid #333; padding-bottom: .6rem; margin-bottom: 1rem; }
header.title h1 { margin: 0; } .course { margin: .2rem 0; font-style: italic; }
.student { display: flex; gap: 2rem; justify-content: space-between; margin: 1rem 0 .4rem; text-align: left; }
.student span.line { display: inline-block; border-bottom: 1px solid #333; width: 12rem; }
.info { font-size: .85rem; color: #444; margin: .2rem 0; }
.problem h2 { font-size: 1.1rem; margin: 0 0 .4rem; border-bottom: 1px solid #999; }
.display { margin: .3rem 0 .3rem 2rem; } .display code { font-size: .95rem; }
ol.parts { list-style: none; padding-left: 0; } ol.parts > li { margin: .6rem 0; }
.part-label { font-weight: bold; margin-right: .3rem; }
table.grid { border-collapse: collapse; margin: .4rem 0 .4rem 1.5rem; }
table.grid th, table.grid td { border: 1px solid #777; padding: .2rem .7rem; min-width: 3.5rem; text-align: center; }
table.grid td { height: 1.6rem; }
table.grid.data th, table.grid.data td { border: none; height: auto; min-width: 2.2rem; padding: .1rem .7rem;
  text-align: right; }
table.grid.data thead th { border-bottom: 1px solid #555; }
table.grid.samples th:last-child, table.grid.samples td:last-child { border-left: 1px solid #555; }
.key { background: #f3f3f3; border-left: 3px solid #777; padding: .2rem .6rem; margin: .3rem 0; }
.worked { border-top: 1px dashed #999; margin-top: .6rem; }
.worked h3 { font-size: 1rem; margin: .5rem 0 .2rem; }
footer ol { padding-left: 1.5rem; } footer code { font-size: .8rem; }
@media print { .problem { page-break-inside: avoid; } .answer-space { border-color: #999; }
  .problem.keyed { break-inside: auto; page-break-inside: auto; } .problem.keyed .statement { break-inside: avoid; }
  .worked > h3 { break-after: avoid; page-break-after: avoid; } }
"""


def _html_math(value, digits: int) -> str:
    return f"<math><mrow>{HtmlPrinter(digits).channels(value)}</mrow></math>"


def _html_data(data, digits: int) -> str:
    printer = HtmlPrinter(digits)
    if data.kind in ("samples", "table"):
        columns, rows = data_table(data)
        head = "".join(f"<th>{_html_column(c)}</th>" for c in columns)
        body = "".join("<tr>" + "".join(f"<td><math>{printer.value(c)}</math></td>" for c in row) + "</tr>"
                       for row in rows)
        kind = " samples" if data.kind == "samples" else ""
        return f'<table class="grid data{kind}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    out = []
    for symbol, note, value in data_items(data):
        label = to_mathml(symbol)[6:-7] + (f"<mtext>\u2009({escape(note)})</mtext>" if note else "")
        out.append(f"<mrow>{label}<mo>=</mo>{printer.channels(value)}</mrow>")
    # the channels of a tensor side by side, as one display
    return ('<div class="display"><math display="block"><mrow>' + '<mspace width="2em"/>'.join(out)
            + "</mrow></math></div>")


def _html_block(block: Block, digits: int) -> str:
    if block.segments and block.segments[0].data is not None:
        return _html_data(block.segments[0].data, digits)
    if block.display and not block.has_math:
        return f'<div class="display"><code>{escape(block.text)}</code></div>'
    text = "".join(_html_math(s.value, digits) if s.is_math else html_text(s.text) for s in block.segments)
    return f'<div class="display">{text}</div>' if block.display else f"<p>{text}</p>"


def html_prompt(problem, digits: int = 6) -> str:
    """A problem's prompt as HTML: paragraphs, display lines, matrices in MathML (also used by the LMS export)."""
    return "\n".join(_html_block(b, digits) for b in prompt_blocks(problem))


def _html_column(name: str) -> str:
    base, accent = column_parts(name)
    if accent:
        mark = "~" if accent == "tilde" else "^"
        return f'<math><mover accent="true">{to_mathml(base)[6:-7]}<mo>{mark}</mo></mover></math>'
    return to_mathml(base)


def _html_grid(part, digits: int, filled: bool) -> str:
    header, rows = grid(part, digits, filled)
    head = "<th>#</th>" + "".join(f"<th>{_html_column(c)}</th>" for c in header[1:])
    body = "".join("<tr>" + "".join(f"<td>{cell_text(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="grid"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _md_answer_grid(header, rows) -> str:
    """An answer grid in Markdown (a table; a grid without column names uses its first row as the
    table's header, so it shows as many rows as the answer has)."""
    if not header:
        head, rows = [md_escape(c) or " " for c in rows[0]], rows[1:]
    else:
        head = [_md_column(c) for c in header]
    return "\n".join(["| " + " | ".join(head) + " |", "|" + "|".join(":---:" for _ in head) + "|"]
                     + ["| " + " | ".join(md_escape(c) or " " for c in row) + " |" for row in rows])


def _html_answer_grid(header, rows) -> str:
    head = ("<thead><tr>" + "".join(f"<th>{_html_column(c)}</th>" for c in header) + "</tr></thead>"
            if header else "")
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="grid answer">{head}<tbody>{body}</tbody></table>'


def _html_part(j: int, part, digits: int, solutions: bool, problem=None) -> str:
    label = (f'<span class="part-label">({letter(j)})</span>{html_text(label_text(part))}'
             f' <span class="marks">[{marks_text(part.spec.marks)}]</span>')
    fitted = answer_grid(problem, part, digits, solutions) if problem is not None else None
    if part.spec.table is not None:
        body = _html_grid(part, digits, solutions)
    elif fitted is not None:
        body = _html_answer_grid(*fitted)
    elif solutions:
        value = answer_value(part)
        shown = html_text(value) if part.spec.form in WORDS else _html_math(value, digits)
        body = f'<div class="key">Answer: {shown}</div>'
    else:
        body = f'<div class="answer-space" style="min-height: {answer_height(part)}cm"></div>'
    return f"<li>{label}{body}</li>"


def sheet_html(sheet: Sheet, digits: int = 6) -> str:
    """One standalone page (inline CSS, MathML, no scripts); each problem stays on one printed page."""
    body = ['<header class="title">', f"<h1>{escape(sheet.title)}</h1>",
            f'<p class="course">{escape(sheet.course)}</p>',
            '<div class="student"><span>Name: <span class="line"></span></span>'
            '<span>Date: <span class="line"></span></span>'
            f"<span>Marks: ____ / {sheet.marks:g}</span></div>",
            f'<p class="info">{escape(_info(sheet))}</p>', "</header>"]
    for n, problem in enumerate(sheet.problems, start=1):
        # a problem stays on one printed page; in the key, whose worked solutions run long, only
        # its statement (heading, prompt, parts) does
        keyed = " keyed" if sheet.solutions else ""
        body.append(f'<section class="problem{keyed}" id="problem-{n}"><div class="statement">')
        body.append(f'<h2>Problem {n}. {escape(problem.family.title)}'
                    f' <span class="marks">[{marks_text(problem.marks)}]</span></h2>')
        body.append(html_prompt(problem, digits))
        body.append('<ol class="parts">' + "".join(_html_part(j, p, digits, sheet.solutions, problem)
                                                    for j, p in enumerate(problem.parts)) + "</ol></div>")
        if sheet.solutions:
            worked = to_html_fragment(worked_solution(problem), digits)
            body.append(f'<div class="worked"><h3>Worked solution</h3>{worked}</div>')
        body.append("</section>")
    ids = "".join(f"<li><code>{escape(pid)}</code></li>" for pid in sheet.ids)
    body.append(f"<footer><p>{escape(sheet.command())} · regenerate one problem with "
                f"<code>dltutor generate ID</code>:</p><ol>{ids}</ol></footer>")
    return page(sheet.title, "\n".join(body), SHEET_STYLE + math_font_css())
