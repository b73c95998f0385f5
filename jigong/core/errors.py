"""Errors users see: always Chinese, naming the field, the value and the rule."""

from django.core.exceptions import ValidationError


def field_error(field: str, value, rule: str, label: str | None = None) -> ValidationError:
    """A ValidationError for one field whose message names field, value and rule."""
    name = label or field
    return ValidationError({field: [f"{name}“{value}”：{rule}"]})


def from_standard(exc) -> ValidationError:
    """Turn a StandardError / PolicyViolation (pure-Python layers) into a form error."""
    return ValidationError({exc.field: [exc.message]})


def messages_of(error: ValidationError) -> list[str]:
    """Flatten a ValidationError into readable lines for pages, imports and the CLI."""
    if hasattr(error, "error_dict"):
        return [m for msgs in error.message_dict.values() for m in msgs]
    return list(error.messages)
