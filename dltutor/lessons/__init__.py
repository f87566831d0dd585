"""Lessons: Markdown files in ``lessons/`` with front matter and live blocks.

A lesson file looks like::

    ---
    id: perceptron
    title: The perceptron rule and linear separability
    topic: learning
    order: 30
    prerequisites: [neurons, mp-neuron]
    ---
    Text in Markdown ...

    ```math
    w_new = w + eta*(t - y)*x
    ```

    ```solve
    dltutor solve perceptron --data "0,0:0; 0,1:0; 1,0:0; 1,1:1" --w 0,0 --b 0
    ```

    ```problem
    perceptron-epoch medium
    ```

    ```check
    Q: Why does the perceptron never converge on XOR?
    A: No straight line separates its two classes.
    ```

The live blocks are run when a lesson is shown: ``math`` lines are read into
sympy expressions by a whitelist (nothing is evaluated), ``solve`` lines are
split with shlex and parsed with the kind's own option table (the same
parsers as ``dltutor solve``), ``problem`` lines name a problem family and an
optional difficulty; ``check`` blocks ("Check yourself") are ``Q:``/``A:``
pairs, read by ``parse_check`` into ``CheckItem``s.

The package: ``model`` (the file read into a ``Lesson``; problem and check
blocks), ``mathblock`` (math lines to sympy), ``notation`` (the course's
symbols as sympy functions), ``live`` (solve blocks, checking a set of
lessons), and the study aids read from the same folder: ``glossary``
(``lessons/glossary.toml``) and ``formula_sheets`` (``lessons/formulas.toml``).
No click, no rich; sympy only inside functions.
"""

from dltutor.errors import InputError
from dltutor.lessons.live import check_lessons, family_ids, run_solve, solve_args
from dltutor.lessons.mathblock import MATH_FUNCTIONS, math_lines, parse_math, parse_math_expr
from dltutor.lessons.model import (
    DIFFICULTIES,
    LIVE_KINDS,
    NUMERIC_TOPICS,
    OTHER_TOPICS,
    REQUIRED_KEYS,
    TOPICS,
    Block,
    CheckItem,
    Lesson,
    LessonError,
    ProblemRef,
    find_lesson,
    lessons_dir,
    load_lesson,
    load_lessons,
    parse_check,
    parse_front_matter,
    parse_lesson,
    problem_refs,
    split_blocks,
    topic_lessons,
)

__all__ = ["DIFFICULTIES", "LIVE_KINDS", "MATH_FUNCTIONS", "NUMERIC_TOPICS", "OTHER_TOPICS", "REQUIRED_KEYS",
           "TOPICS", "Block", "CheckItem", "InputError", "Lesson", "LessonError", "ProblemRef", "check_lessons",
           "family_ids", "find_lesson", "lessons_dir", "load_lesson", "load_lessons", "math_lines",
           "parse_check", "parse_front_matter", "parse_lesson", "parse_math", "parse_math_expr", "problem_refs",
           "run_solve", "solve_args", "split_blocks", "topic_lessons"]
