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


def did_you_mean(word, known) -> str:
    """``"; did you mean 'Flatten'?"`` for the name in ``known`` closest to ``word`` (case-insensitive),
    or ``""`` when none is close: the suggestion that ends an error about a misspelt name."""
    import difflib

    folded = {str(k).lower(): k for k in known}
    close = difflib.get_close_matches(str(word).lower(), list(folded), n=1, cutoff=0.6)
    return f"; did you mean {folded[close[0]]!r}?" if close else ""
