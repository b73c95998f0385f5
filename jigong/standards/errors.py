"""The one error the standards raise."""


class StandardError(ValueError):
    """A value breaks a national data standard.

    ``field`` names the input, ``value`` is what was given (normalized where possible),
    ``rule`` is a short code (``length``, ``check_digit`` …) and ``message`` is the
    Chinese sentence shown to users.
    """

    def __init__(self, field: str, value: str, rule: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.value = value
        self.rule = rule
        self.message = message
