"""Query parameters: the one way pages and API operations read a year, a number, a date
or a choice from the query string.

A bad value raises ``BadParameter`` (Django's ``BadRequest``): pages answer 400 with the
message (``jigong.core.views.error_400``), the API its error JSON (``jigong.api``). The
message names the parameter, the value and the rule, e.g.
“参数 year 应为 2000–2100 之间的年份，收到“10000””. An absent or blank parameter gives
the default. The years the platform holds data for are ``settings.JIGONG_YEARS``.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Iterable

from django import forms
from django.conf import settings
from django.core.exceptions import BadRequest
from django.utils.translation import gettext as _

SHOWN = 40  # characters of a bad value repeated in the message


def year_range() -> tuple[int, int]:
    """(first, last) year any year parameter or year field may name."""
    first, last = settings.JIGONG_YEARS
    return int(first), int(last)


def shown(value) -> str:
    """A bad value as the message repeats it: control characters visible, cut short."""
    text = str(value)
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text if len(text) <= SHOWN else text[:SHOWN] + "…"


class BadParameter(BadRequest):
    """A query parameter whose value breaks its rule."""

    def __init__(self, name: str, value, rule: str):
        self.name, self.value, self.rule = name, value, rule
        self.message = _("参数 %(n)s 应为%(r)s，收到“%(v)s”") % {
            "n": name,
            "r": rule,
            "v": shown(value),
        }
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


def _raw(query, name: str) -> str | None:
    """The parameter's one value (the last if repeated), None when absent or blank;
    a NUL or other control character is never a valid value."""
    value = query.get(name)
    if value is None:
        return None
    if any(unicodedata.category(c) == "Cc" for c in value):
        raise BadParameter(name, value, _("不含控制字符的文本"))
    value = value.strip()
    return value or None


def _ascii_int(text: str) -> int | None:
    """An integer written with ASCII digits and an optional sign (no "1_000", "１２",
    "1e3"), or None."""
    body = text[1:] if text[:1] in "+-" else text
    if not body or len(body) > 19 or not body.isascii() or not body.isdigit():
        return None
    return int(text)


def integer(query, name: str, *, lo: int, hi: int, default=None, rule: str | None = None):
    """An integer lo–hi, or ``default`` when absent."""
    raw = _raw(query, name)
    if raw is None:
        return default
    value = _ascii_int(raw)
    if value is None or not lo <= value <= hi:
        raise BadParameter(name, raw, rule or _("%(lo)s–%(hi)s 之间的整数") % {"lo": lo, "hi": hi})
    return value


def year(query, name: str = "year", *, default=None):
    """A year within ``settings.JIGONG_YEARS``, or ``default`` when absent."""
    lo, hi = year_range()
    rule = _("%(lo)s–%(hi)s 之间的年份") % {"lo": lo, "hi": hi}
    return integer(query, name, lo=lo, hi=hi, default=default, rule=rule)


def date(query, name: str, *, default=None):
    """An ISO date (YYYY-MM-DD) within the platform's years, or ``default``."""
    raw = _raw(query, name)
    if raw is None:
        return default
    lo, hi = year_range()
    rule = _("%(lo)s–%(hi)s 年间的日期，格式如 %(lo)s-01-31") % {"lo": lo, "hi": hi}
    try:
        value = datetime.date.fromisoformat(raw) if len(raw) == 10 and raw.isascii() else None
    except ValueError:
        value = None
    if value is None or not lo <= value.year <= hi:
        raise BadParameter(name, raw, rule)
    return value


def choice(query, name: str, choices: Iterable, *, default=None):
    """One of ``choices`` (values, or (value, label) pairs), or ``default``."""
    pairs = [c if isinstance(c, tuple | list) else (c, c) for c in choices]
    raw = _raw(query, name)
    if raw is None:
        return default
    for value, _label in pairs:
        if raw == str(value):
            return value
    listed = "、".join(str(v) for v, _label in pairs[:12])
    if len(pairs) > 12:
        listed += "……"
    raise BadParameter(name, raw, _("以下之一：%(c)s") % {"c": listed})


class YearField(forms.IntegerField):
    """A form's year field: the same years as a year parameter."""

    def __init__(self, **kw):
        lo, hi = year_range()
        kw.setdefault("min_value", lo)
        kw.setdefault("max_value", hi)
        super().__init__(**kw)


def text(query, name: str, *, max_length: int = 100, default=None):
    """Free text (a code, a search term) of at most ``max_length`` characters, without
    control characters, stripped; ``default`` when absent."""
    raw = _raw(query, name)
    if raw is None:
        return default
    if len(raw) > max_length:
        raise BadParameter(name, raw, _("不超过%(n)s个字符的文本") % {"n": max_length})
    return raw
