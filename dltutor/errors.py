"""The one way bad input leaves the core: ``InputError`` (the CLI turns it into exit 2)."""


class InputError(ValueError):
    """Bad user input. The message is one line that names the offending value
    and, where it can, says how to fix it."""

    def __init__(self, message: str, *, option: str | None = None):
        self.option = option
        super().__init__(message)

    def with_option(self, option: str) -> "InputError":
        """The same error, prefixed by the option that carried the value."""
        if self.option:
            return self
        return InputError(f"{option}: {self}", option=option)
