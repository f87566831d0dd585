"""Problem sheets typeset: LaTeX (the ``exam`` document class) and Typst, compiled to PDF offline.

Both lay a sheet out as an exam handout: a title block (course, name and date
lines, the marks), numbered problems with the marks of every part in the
right margin, answer boxes (an empty grid for table parts), page numbers, and
the ids of the problems in the footer of the page where they start, so that
``dltutor generate ID`` regenerates any of them. The answer key (``--solutions``)
puts the answers in place of the boxes and adds the worked solutions, printed
by the shared document printers (``render.latex``, ``render.typst``).
"""

from __future__ import annotations

from dltutor.render.formula import to_latex, to_typst, typst_string
from dltutor.render.formula_unicode import with_scripts
from dltutor.render.latex import LatexPrinter, latex_escape, latex_text, to_latex_fragment
from dltutor.render.typst import TypstPrinter, compile_pdf, to_typst_markup, typst_literal as _t, typst_prose as _typ_text
from dltutor.render.sheet import (Block, Sheet, answer_grid, answer_height, answer_value, column_parts, data_items,
                                  data_table, grid, prompt_blocks)
from dltutor.render.sheet import worked_solution
from dltutor.render.wording import label_text, letter, marks_text, plural

WORDS = ("choice", "truefalse", "text")     # forms whose answer is words, shown as text
GRADE_TABLE_MAX = 12     # a grading table wider than this does not fit across the page
FOOTER_IDS = 2           # a page's footer names at most this many problem ids; more: "ids on the last page"


def _info(sheet: Sheet) -> str:
    return (f"{plural(len(sheet.problems), 'problem')}, {marks_text(sheet.marks)}. Difficulty {sheet.difficulty}, "
            f"seed {sheet.seed}." + (" Answer key." if sheet.solutions else ""))


# ------------------------------------------------------------------ LaTeX (exam class)

LATEX_PREAMBLE = r"""\documentclass[11pt,a4paper,addpoints]{exam}
\usepackage[utf8]{inputenc}
\usepackage[T1]{fontenc}
\usepackage{lmodern}
\usepackage{textcomp}
\usepackage{amsmath,amssymb}
\usepackage[a4paper,top=2cm,bottom=2.6cm,left=2.2cm,right=2.8cm]{geometry}
\pointsinrightmargin
\bracketedpoints
\pointpoints{mark}{marks}
\qformat{\textbf{Problem \thequestion.}\enspace\thequestiontitle}
\renewcommand{\solutiontitle}{}
\unframedsolutions
\SolutionEmphasis{\small}
% the id of a problem, as an unnumbered footnote on the page where the problem starts
\newcommand{\problemid}[1]{\begingroup\renewcommand{\thefootnote}{}\footnotetext{\mbox{\texttt{#1}}}\endgroup}
"""


def _tex_math(value, digits: int) -> str:
    return LatexPrinter(digits).channels(value)


def _tex_data(data, digits: int) -> str:
    printer = LatexPrinter(digits)
    if data.kind in ("samples", "table"):
        columns, rows = data_table(data)
        # samples: a rule before the label column (inputs | target)
        spec = "c" * (len(columns) - 1) + ("|c" if data.kind == "samples" else "c")
        lines = [r"\begin{center}\renewcommand{\arraystretch}{1.2}\begin{tabular}{" + spec + "}",
                 " & ".join(_tex_column(c) for c in columns) + r" \\ \hline"]
        lines += [" & ".join(f"${printer.value(c)}$" for c in row) + r" \\" for row in rows]
        return "\n".join(lines + [r"\end{tabular}\end{center}"])
    # the channels of a tensor side by side, as one display
    return r"\[" + r"\qquad ".join(to_latex(symbol) + (r"\ \text{(" + latex_text(note) + ")}" if note else "")
                                   + " = " + printer.channels(value) for symbol, note, value in data_items(data)) + r"\]"


def _tex_block(block: Block, digits: int) -> str:
    if block.segments and block.segments[0].data is not None:
        return _tex_data(block.segments[0].data, digits)
    if block.display and not block.has_math:
        return r"\begin{quote}\texttt{" + latex_text(block.text) + r"}\end{quote}"   # → as \rightarrow
    text = "".join(f"${_tex_math(s.value, digits)}$" if s.is_math else latex_text(s.text) for s in block.segments)
    return (r"\begin{quote}" + text + r"\end{quote}") if block.display else text + "\n"


def _tex_column(name: str) -> str:
    base, accent = column_parts(name)
    return f"$\\{accent}{{{to_latex(base)}}}$" if accent else f"${to_latex(base)}$"


def _tex_grid(part, digits: int, filled: bool) -> str:
    header, rows = grid(part, digits, filled)
    # a column as wide as its longest number (about 0.2 cm a character at this size), 1.6 cm at
    # least; a key that would not fit the text width is set a size or two smaller
    longest = max((len(c) for row in rows for c in row[1:]), default=0)
    columns = len(header) - 1
    for size, per_character in (("", 0.2), (r"\small", 0.18), (r"\footnotesize", 0.15)):
        width = max(1.4 if size else 1.6, round(per_character * longest + 0.3, 1))
        if (width + 0.45) * columns + 1.0 <= 13.9:      # + the column gaps and the # column; the parts' indent
            break
    lines = [r"\par\smallskip\begin{center}" + size + r"\renewcommand{\arraystretch}{1.9}",
             r"\begin{tabular}{|c|" + f"p{{{width:g}cm}}|" * (len(header) - 1) + "}", r"\hline",
             r"\# & " + " & ".join(r"\centering " + _tex_column(c) for c in header[1:]) + r" \tabularnewline \hline"]
    # \tabularnewline, not \\: \centering in the last p{} column redefines \\ (Misplaced \noalign)
    lines += [" & ".join([row[0]] + [r"\centering " + latex_text(c) for c in row[1:]]) + r" \tabularnewline \hline"
              for row in rows]
    lines += [r"\end{tabular}", r"\end{center}"]
    return "\n".join(lines)


def _tex_grade_table(sheet: Sheet) -> str:
    """Problem numbers, marks and an empty score row (the exam class's \\gradetable would print
    every problem's title across the page, wider than the page)."""
    n = len(sheet.problems)
    rows = [["Problem"] + [str(i) for i in range(1, n + 1)] + ["Total"],
            ["Marks"] + [f"{p.marks:g}" for p in sheet.problems] + [f"{sheet.marks:g}"],
            ["Score"] + [""] * (n + 1)]
    return ("\\begin{center}\\renewcommand{\\arraystretch}{1.4}\\begin{tabular}{|l|" + "c|" * (n + 1) + "}\\hline\n"
            + "\n".join(" & ".join(r) + r" \\ \hline" for r in rows) + "\n\\end{tabular}\\end{center}")


def sheet_latex(sheet: Sheet, digits: int = 6) -> str:
    """A complete LaTeX document of the ``exam`` class (pdflatex, lualatex or xelatex)."""
    out = [LATEX_PREAMBLE.rstrip(), r"\printanswers" if sheet.solutions else r"\noprintanswers",
           r"\pagestyle{headandfoot}", r"\footrule",
           r"\footer{\footnotesize " + latex_text(sheet.course) + r"}{\footnotesize Page \thepage\ of \numpages}"
           r"{\footnotesize seed " + str(sheet.seed) + "}",
           r"\begin{document}", r"\begin{center}",
           r"{\LARGE\bfseries\hyphenpenalty=10000\exhyphenpenalty=10000 " + latex_text(sheet.title)
           + r"}\par\medskip",
           r"{\large\itshape " + latex_text(sheet.course) + r"}\par\medskip",
           r"{\small " + latex_text(_info(sheet)) + r"}", r"\end{center}", r"\vspace{0.6em}",
           r"\noindent\makebox[0.6\textwidth]{Name:\enspace\hrulefill}\hfill"
           r"\makebox[0.34\textwidth]{Date:\enspace\hrulefill}\par\medskip"]
    if len(sheet.problems) <= GRADE_TABLE_MAX:
        out.append(_tex_grade_table(sheet))
    out.append(r"\noindent\textit{" + latex_text(
        "Answers and worked solutions follow each problem. Problem ids are at the foot of each page: "
        "dltutor generate ID regenerates a problem." if sheet.solutions else
        "Answer in the spaces provided and show your working. Problem ids are at the foot of each page: "
        "dltutor generate ID regenerates a problem.") + "}")
    out.append(r"\begin{questions}")
    for problem in sheet.problems:
        out.append(r"\titledquestion{" + latex_text(problem.family.title) + r"\hfill\textit{\small ("
                   + marks_text(problem.marks) + ")}}")
        out.append(r"\problemid{" + latex_escape(problem.id) + "}")
        out += [_tex_block(b, digits) for b in prompt_blocks(problem)]
        out.append(r"\begin{parts}")
        for part in problem.parts:
            out.append(f"\\part[{part.spec.marks:g}] " + latex_text(label_text(part)))
            fitted = answer_grid(problem, part, digits, sheet.solutions)
            if part.spec.table is not None:
                out.append(_tex_grid(part, digits, sheet.solutions))
            elif fitted is not None:
                out.append(_tex_answer_grid(*fitted))
            elif sheet.solutions:
                value = answer_value(part)   # a conceptual answer is words: text that wraps, not math
                shown = latex_text(value) if part.spec.form in WORDS else "$" + _tex_math(value, digits) + "$"
                out.append(r"\begin{solution}Answer: " + shown + r"\end{solution}")
            else:
                out.append(f"\\makeemptybox{{{answer_height(part)}cm}}")
        out.append(r"\end{parts}")
        if sheet.solutions:
            out += [r"\begin{solution}", r"\textbf{Worked solution}\par",
                    to_latex_fragment(worked_solution(problem), digits), r"\end{solution}"]
    out += [r"\end{questions}", r"\end{document}"]
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------ Typst

TYPST_PREAMBLE = """#set document(title: {title}, author: "dltutor", date: none)
#set text(font: "New Computer Modern", size: 10.5pt, lang: "en")
#show math.equation: set text(font: "New Computer Modern Math")
#show raw: set text(font: "DejaVu Sans Mono", size: 8.5pt)
#set par(leading: 0.62em, spacing: 0.9em)
#let answer-box(h) = pad(left: 1.8em, box(width: 100%, height: h, inset: 4pt, radius: 2pt,
  stroke: (paint: luma(150), thickness: 0.5pt, dash: "dashed"), align(top + left, text(7pt, fill: luma(140))[Answer])))
#let marks(m) = place(right, dx: 2.1cm, dy: -0.15em, box(stroke: 0.5pt + luma(90), inset: (x: 3pt, y: 2pt),
  radius: 1.5pt, text(8.5pt)[#m]))
#set page(paper: "a4", margin: (top: 2cm, bottom: 2.4cm, left: 2.2cm, right: 2.8cm),
  footer: context {{
    set text(7.5pt, fill: luma(70))
    let here-page = here().page()
    let ids = query(<problem-id>).filter(m => m.location().page() == here-page).map(m => m.value)
    line(length: 100%, stroke: 0.4pt + luma(160))
    v(-0.5em)
    grid(columns: (1fr, auto), column-gutter: 1.5em,
      [{left}#if ids.len() > 0 and ids.len() <= FOOTER_IDS [ · problems: #ids.map(i => box(text(7pt, raw(i)))).join(", ")] else if ids.len() > FOOTER_IDS [ · problems #ids.first().split(":").first()–#ids.last().split(":").first(): ids on the last page]],
      [Page #counter(page).display() of #counter(page).final().first()])
  }})
"""


def _typ_math(value, digits: int) -> str:
    return "$" + TypstPrinter(digits).channels(value) + "$"


def _typ_data(data, digits: int) -> str:
    printer = TypstPrinter(digits)
    if data.kind in ("samples", "table"):
        columns, rows = data_table(data)
        last = len(columns) - 1
        rule = (f"stroke: (x, y) => (bottom: if y == 0 {{ 0.5pt }}, left: if x == {last} {{ 0.5pt }}), "
                if data.kind == "samples" else "stroke: (x, y) => (bottom: if y == 0 { 0.5pt }), ")
        cells = ", ".join(f"[{_typ_column(c)}]" for c in columns)
        body = ", ".join(f"[${printer.value(c)}$]" for row in rows for c in row)
        return (f"#align(center, table(columns: {len(columns)}, align: right, inset: (x: 0.7em, y: 0.35em), "
                f"{rule}table.header({cells}), {body}))")
    out = []
    for symbol, note, value in data_items(data):
        label = to_typst(symbol) + (f" #{typst_string(' (' + note + ')')}" if note else "")
        out.append(f"{label} = {printer.channels(value)}")
    return "$ " + " quad ".join(out) + " $"      # the channels of a tensor side by side, as one display


def _typ_block(block: Block, digits: int) -> str:
    if block.segments and block.segments[0].data is not None:
        return _typ_data(block.segments[0].data, digits)
    if block.display and not block.has_math:
        return f"#pad(left: 2em, raw({typst_string(block.text)}))"
    text = "".join(_typ_math(s.value, digits) if s.is_math else _typ_text(s.text) for s in block.segments)
    return f"#pad(left: 2em)[{text}]" if block.display else text


def _typ_column(name: str) -> str:
    base, accent = column_parts(name)
    return f"${accent}({to_typst(base)})$" if accent else f"${to_typst(base)}$"


def _typ_grid(part, digits: int, filled: bool) -> str:
    header, rows = grid(part, digits, filled)
    columns = "(2.2em, " + ", ".join("1fr" for _ in header[1:]) + ")"
    heights = "(auto, " + ", ".join("0.85cm" for _ in rows) + ")"
    cells = ", ".join(f"[{_typ_column(c)}]" for c in header[1:])
    body = ", ".join(f"[{_t(c)}]" for row in rows for c in row)
    return (f"#pad(left: 1.8em, table(columns: {columns}, rows: {heights}, align: center + horizon, "
            f"stroke: 0.5pt + luma(110), fill: (x, y) => if y == 0 {{ luma(235) }}, "
            f"table.header([\\#], {cells}), {body}))")


def _tex_answer_grid(header, rows) -> str:
    """An answer grid: one cell per entry of the answer (a truth table's given inputs filled in)."""
    lines = [r"\par\smallskip\begin{center}\renewcommand{\arraystretch}{1.9}",
             r"\begin{tabular}{|" + "p{1.4cm}|" * len(rows[0]) + "}", r"\hline"]
    if header:
        lines.append(" & ".join(r"\centering " + _tex_column(c) for c in header) + r" \tabularnewline \hline")
    lines += [" & ".join(r"\centering " + latex_text(c) for c in row) + r" \tabularnewline \hline" for row in rows]
    return "\n".join(lines + [r"\end{tabular}", r"\end{center}"])


def _typ_answer_grid(header, rows) -> str:
    """An answer grid: one cell per entry of the answer (a truth table's given inputs filled in)."""
    columns = "(" + ", ".join("1.5cm" for _ in rows[0]) + ",)"
    head = ("table.header(" + ", ".join(f"[{_typ_column(c)}]" for c in header) + "), ") if header else ""
    body = ", ".join(f"[{_t(c)}]" for row in rows for c in row)
    return (f"#pad(left: 1.8em, table(columns: {columns}, rows: 0.8cm, align: center + horizon, "
            f"stroke: 0.5pt + luma(110), {head}{body}))")


def _typ_answer(part, digits: int) -> str:
    """The key's answer: words as text that wraps (a conceptual answer), anything else as math."""
    value = answer_value(part)
    return _typ_text(value) if part.spec.form in WORDS else _typ_math(value, digits)


def _typ_part(j: int, part, digits: int, solutions: bool, problem=None) -> list[str]:
    out = [f"#grid(columns: (1.8em, 1fr), [*({letter(j)})*], [#marks[{part.spec.marks:g}]{_typ_text(label_text(part))}])"]
    fitted = answer_grid(problem, part, digits, solutions) if problem is not None else None
    if part.spec.table is not None:
        out.append(_typ_grid(part, digits, solutions))
    elif fitted is not None:
        out.append(_typ_answer_grid(*fitted))
    elif solutions:
        out.append(f"#pad(left: 1.8em, block(fill: luma(238), inset: 5pt, radius: 2pt, width: 100%)"
                   f"[Answer: {_typ_answer(part, digits)}])")
    else:
        out.append(f"#answer-box({answer_height(part)}cm)")
    return out


def sheet_typst(sheet: Sheet, digits: int = 6) -> str:
    """Typst source of the sheet (``sheet_pdf`` compiles it)."""
    left = _t(f"{sheet.course} · seed {sheet.seed}")
    out = [TYPST_PREAMBLE.format(title=typst_string(sheet.title), left=left).replace("FOOTER_IDS", str(FOOTER_IDS)),
           f"#align(center)[#text(18pt, weight: \"bold\", hyphenate: false)[{_t(sheet.title)}] \\",
           f"  #v(3pt) #text(12pt, style: \"italic\")[{_t(sheet.course)}] \\",
           f"  #v(2pt) #text(9pt)[{_t(_info(sheet))}]]",
           "#v(8pt)",
           "#grid(columns: (3fr, 2fr, auto), column-gutter: 1.5em,",
           "  [Name: #box(width: 1fr, line(length: 100%, stroke: 0.5pt))],",
           "  [Date: #box(width: 1fr, line(length: 100%, stroke: 0.5pt))],",
           f"  [Marks: #box(width: 1.4cm, line(length: 100%, stroke: 0.5pt)) / {sheet.marks:g}])",
           "#v(4pt)",
           "#text(9pt, style: \"italic\")[" + _t(
               "Answers and worked solutions follow each problem." if sheet.solutions else
               "Answer in the boxes and show your working: the method earns marks. The marks of each part "
               "are in the right margin; the id at the foot of the page regenerates a problem "
               "(dltutor generate ID).") + "]",
           "#line(length: 100%, stroke: 0.8pt)"]
    for n, problem in enumerate(sheet.problems, start=1):
        meta = f"{problem.family.topic} · {problem.difficulty} · {marks_text(problem.marks)}"
        inner = [f"#metadata({typst_string(f'{n}: {problem.id}')}) <problem-id>",
                 # a grid, so that a long title wraps before the topic line instead of running into it
                 f"#grid(columns: (1fr, auto), column-gutter: 1em, align: (left, right + bottom), "
                 f"text(11.5pt)[*Problem {n}.* {_t(problem.family.title)}], "
                 f"text(8.5pt, fill: luma(90))[{_t(meta)}])",
                 "#v(-0.55em) #line(length: 100%, stroke: 0.4pt + luma(120))"]
        inner += [_typ_block(b, digits) for b in prompt_blocks(problem)]
        for j, part in enumerate(problem.parts):
            inner += _typ_part(j, part, digits, sheet.solutions, problem)
        out.append("#block(breakable: false, width: 100%, above: 1.6em)[\n" + "\n\n".join(inner) + "\n]")
        if sheet.solutions:
            out.append("#block(breakable: true, width: 100%, inset: (left: 1.2em, y: 4pt), "
                       "stroke: (left: 1.5pt + luma(170)))[\n"
                       "#set text(9.5pt)\n#set par(spacing: 0.7em)\n"
                       "#show math.equation.where(block: true): set align(left)\n"
                       "#show math.equation.where(block: true): set block(above: 0.45em, below: 0.45em)\n"
                       "*Worked solution*\n\n" + to_typst_markup(worked_solution(problem), digits) + "\n]")
    out.append(_typ_ids(sheet))
    return "\n\n".join(out) + "\n"


def _typ_ids(sheet: Sheet) -> str:
    """Every problem id at the end (a page's footer names at most ``FOOTER_IDS``), one per line, unbroken."""
    items = ", ".join(f"[#box(raw({typst_string(pid)}))]" for pid in sheet.ids)
    return ("#v(1.2em)\n#block(breakable: false, width: 100%)[#line(length: 100%, stroke: 0.4pt + luma(150))\n"
            "#text(9pt)[" + _t("Problem ids: dltutor generate ID regenerates a problem.")
            + f"\n#set text(8.5pt)\n#enum({items})]]")       # the list on one page


def sheet_pdf(sheet: Sheet, digits: int = 6) -> bytes:
    """PDF bytes typeset offline; deterministic (no date, only the fonts built into typst)."""
    return compile_pdf(sheet_typst(sheet, digits), deterministic=True)
