"""The split modules load on their own (no import cycle) and the facades keep every name callers use.

``dltutor.modelspec`` gathers specgrammar/layertable/layerrules, ``dltutor.practice.families``
gathers familyspec/familyanswers; other modules (exam, sheets, checking, stress, the
TUI, the NumPy engine) import only the facades.
"""

import subprocess
import sys

import pytest

SPLIT_MODULES = ["dltutor.modelspec.grammar", "dltutor.modelspec.layers", "dltutor.modelspec.rules", "dltutor.modelspec",
                 "dltutor.practice.spec", "dltutor.practice.answers", "dltutor.practice.families", "dltutor.practice.expressions"]


@pytest.mark.parametrize("module", SPLIT_MODULES)
def test_module_imports_first_in_a_fresh_interpreter(module):
    # a cycle only shows when the module is the first of its group to be imported
    done = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


FACADE_NAMES = {
    "dltutor.modelspec": ["resolve", "parse_spec", "parse_layer", "split_layers", "LayerCall", "TYPES", "Model",
                          "Layer", "Weight", "ACTIVATIONS", "SIGNATURES", "DEFAULTS", "ALIASES", "MAX_LAYERS"],
    "dltutor.practice.families": ["DIFFICULTIES", "TOPICS", "FORMS", "Family", "PartSpec", "TableSpec", "MisconceptionSpec",
                         "Part", "Problem", "MisconceptionAnswer", "generate", "load_families", "load_family",
                         "get_family", "parse_id", "problem_from_id", "problems_dir", "close", "initial_state",
                         "next_state", "table_row", "table_rows", "flatten_row", "unflatten_row", "derive",
                         "option_texts", "run_kind", "misconception_values", "KindMissing", "Rejected"],
}


@pytest.mark.parametrize("module,name", [(m, n) for m, names in FACADE_NAMES.items() for n in names])
def test_facade_keeps_the_name(module, name):
    mod = __import__(module, fromlist=[name])
    assert hasattr(mod, name)


def test_problems_dir_is_the_shipped_resource_folder():
    from dltutor.practice.families import problems_dir
    from dltutor.resources import resource_dir

    assert problems_dir() == resource_dir("problems")
