"""An input checked as you type by one of the core's parsers (the value grammar of CLI.md).

    Field("--kernel", parse=lambda text: registry.size(text, "--kernel"), value="5")

The parser is the one the command line uses, so the message under the field is
exactly what ``dltutor solve`` would say.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.validation import ValidationResult, Validator
from textual.widgets import Input, Label, Static

from dltutor.errors import InputError


class GrammarValidator(Validator):
    """Valid when ``parse(text)`` does not raise InputError; its message is the failure."""

    def __init__(self, parse: Callable[[str], Any]):
        super().__init__()
        self.parse = parse

    def validate(self, value: str) -> ValidationResult:
        if not value.strip():
            return self.success()
        try:
            self.parse(value)
        except InputError as exc:
            return self.failure(str(exc))
        except (ValueError, OverflowError, ArithmeticError) as exc:  # a parser's own slip is still bad input
            return self.failure(str(exc) or type(exc).__name__)
        return self.success()


def first_failure(result: ValidationResult | None) -> str:
    if result is None or result.is_valid:
        return ""
    return (result.failure_descriptions or ["not valid"])[0]


class Field(Vertical):
    """A label, an input validated as you type, and the parser's message under it."""

    DEFAULT_CSS = "Field { height: auto; } Field .error { height: auto; }"

    def __init__(self, label: str, parse: Callable[[str], Any] | None = None, value: str = "",
                 placeholder: str = "", name: str | None = None, id: str | None = None):
        super().__init__(name=name, id=id, classes="field")
        self.label = label
        self.parse = parse
        self.initial = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        yield Label(self.label, markup=False)
        validators = [GrammarValidator(self.parse)] if self.parse else []
        yield Input(self.initial, placeholder=self.placeholder, validators=validators, compact=True)
        yield Static("", classes="error").set_styles("display: none;")

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    @property
    def value(self) -> str:
        return self.input.value

    @property
    def valid(self) -> bool:
        return not self.error_text

    @property
    def error_text(self) -> str:
        if self.parse is None or not self.value.strip():
            return ""
        return first_failure(GrammarValidator(self.parse).validate(self.value))

    @on(Input.Changed)
    def show_error(self, event: Input.Changed) -> None:
        message = first_failure(event.validation_result)
        error = self.query_one(".error", Static)
        error.update(message)
        error.display = bool(message)
