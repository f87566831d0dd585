"""Prompts are structured: data blocks ([blocks] in a family file) are typeset by each face.

Expected texts are written here by hand from the drawn values (an aligned grid in the terminal,
a bracketed matrix or a ruled table on paper), not taken from the printers under test.
"""

from __future__ import annotations

import json
import re
import textwrap

import pytest

from conftest import run_cli
from dltutor.errors import InputError
from dltutor.practice.blocks import DataBlock, block_text, parse_blocks
from dltutor.practice.families import generate, get_family, load_family
from dltutor.render.sheet import Sheet
from dltutor.render.sheets import render_sheet

DATA_FAMILIES = ["perceptron-epoch", "lms-online", "lms-batch", "conv2d-by-hand", "conv2d-multichannel",
                 "pool-by-hand", "attention-weights", "backprop-deep", "backprop-hidden-weights",
                 "backprop-output-weights"]


def test_samples_are_an_aligned_grid_in_text():
    block = DataBlock("samples", [[-1, -1, -1], [-1, 1, -1], [1, -1, -1], [1, 1, 1]], columns=("x1", "x2", "t"))
    assert block_text(block) == textwrap.indent(textwrap.dedent("""\
        x1  x2   t
        -1  -1  -1
        -1   1  -1
         1  -1  -1
         1   1   1"""), "    ")


def test_a_matrix_is_bracketed_rows_under_its_name():
    block = DataBlock("matrix", [[1, -2], [30, 4]], label="K")
    assert block_text(block) == "    K = [  1  -2 ]\n        [ 30   4 ]"


def test_a_tensor_is_one_matrix_per_channel():
    block = DataBlock("matrix", [[[1, 0], [0, 1]], [[2, 2], [2, 2]]], label="X")
    text = block_text(block)
    assert "X (channel 1) = [ 1  0 ]" in text and "X (channel 2) = [ 2  2 ]" in text
    assert "|" not in text and ";" not in text


@pytest.mark.parametrize("name", DATA_FAMILIES)
@pytest.mark.parametrize("seed", [0, 7])
def test_data_families_show_no_typed_data_syntax(name, seed):
    problem = generate(get_family(name), seed)
    assert problem.blocks, f"{name} declares its data as blocks"
    for pattern in (r"Samples \(", r"separated by", r"-?\d+,-?\d+:-?\d+;", r"\d;\d"):
        assert not re.search(pattern, problem.prompt), (name, pattern, problem.prompt)
    out = problem.to_dict()
    assert isinstance(out["prompt"], str)                     # scripts keep reading a string
    for block in out["data"].values():
        assert block["kind"] in ("matrix", "tensor", "vector", "samples", "table")


def test_a_one_row_weight_matrix_stays_a_matrix():
    problem = generate(get_family("backprop-deep"), 1)
    assert problem.blocks["W3"].value == [problem.names["w3"]] or problem.blocks["W3"].value == problem.names["w3"]
    assert isinstance(problem.blocks["W3"].value[0], list)
    assert problem.prompt.count("W⁽³⁾ = [") == 1


def test_generate_json_has_the_structured_data():
    result = run_cli("generate", "conv2d-by-hand", "--seed", "3", "--json")
    out = json.loads(result.out)
    problem = generate(get_family("conv2d-by-hand"), 3)
    assert out["data"]["X"] == {"kind": "matrix", "value": problem.names["X"], "label": "X"}
    assert out["data"]["K"]["value"] == problem.names["K"]


@pytest.fixture(scope="module")
def data_sheet():
    return Sheet([generate(get_family(n), 1) for n in DATA_FAMILIES], 1, [], "medium")


def test_markdown_typesets_samples_as_a_table_and_matrices_as_matrices(data_sheet):
    md = render_sheet(data_sheet, "md")
    assert "| $x_{1}$ | $x_{2}$ | $t$ |" in md or "| $x_1$ | $x_2$ | $t$ |" in md
    assert "\\begin{bmatrix}" in md or "\\begin{pmatrix}" in md or "\\left[" in md
    assert "Samples (" not in md and "separated by" not in md


def test_html_has_a_data_table_and_block_matrices(data_sheet):
    html = render_sheet(data_sheet, "html")
    assert html.count('<table class="grid data samples">') == 3   # perceptron, lms-online, lms-batch
    assert html.count('<mtext>\u2009(channel 1)</mtext>') == 2     # X and K of the multi-channel problem
    assert "Samples (" not in html and "separated by" not in html


def test_latex_and_typst_typeset_the_blocks(data_sheet):
    tex = render_sheet(data_sheet, "tex")
    assert tex.count(r"\begin{tabular}{cc|c}") == 3
    assert r"X\ \text{(channel 1)}" in tex
    pdf = render_sheet(data_sheet, "pdf")
    assert pdf[:5] == b"%PDF-"


def _family_file(tmp_path, blocks: str, prompt_line: str = "{@X}"):
    text = (Path_of("conv2d-by-hand").read_text()
            .replace("{@X}", prompt_line).replace('X = { matrix = "X" }\n', blocks))
    path = tmp_path / "conv2d-by-hand.toml"
    path.write_text(text)
    return path


def Path_of(name):
    from pathlib import Path

    return Path(get_family(name).path)


@pytest.mark.parametrize("blocks, line, message", [
    ('', "{@X}", "{@X} names no block"),
    ('X = { matrix = "X", vector = "X" }\n', "{@X}", "exactly one of"),
    ('X = { samples = "X", columns = ["a"] }\n', "{@X}", "needs labels"),
    ('X = { table = "X" }\n', "{@X}", "needs columns"),
    ('X = { matrix = "X", colour = "red" }\n', "{@X}", "unknown key 'colour'"),
    ('X = { matrix = "X +" }\n', "{@X}", "blocks.X"),
    ('X = { matrix = "X" }\nY = { matrix = "K" }\n', "{@X}", "blocks.Y: is not shown"),
])
def test_a_bad_block_is_refused_naming_the_field(tmp_path, blocks, line, message):
    with pytest.raises(InputError, match=re.escape(message)):
        load_family(_family_file(tmp_path, blocks, line))


def test_parse_blocks_defaults_the_label_to_the_name():
    assert parse_blocks({"W": {"matrix": "W"}})["W"].label == "W"
    assert parse_blocks({"s": {"samples": "X", "labels": "t", "columns": ["x", "t"]}})["s"].label == ""


@pytest.mark.parametrize("blocks, message", [
    ('X = { matrix = "s" }\n', "blocks.X: 's' must give rows of numbers"),
    ('X = { vector = "X" }\n', "blocks.X: 'X' must give a list of numbers"),
    ('X = { table = "X", columns = ["a"] }\n', "one cell per column of ['a']"),
])
def test_a_block_of_the_wrong_shape_is_refused_when_drawn(tmp_path, blocks, message):
    family = load_family(_family_file(tmp_path, blocks))
    with pytest.raises(InputError, match=re.escape(message)):
        generate(family, 1)
