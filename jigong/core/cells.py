"""Spreadsheet cells from data: the one rule against formula injection (OWASP's CSV
injection rule).

A text cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (or
their full-width forms, which some spreadsheets convert) is read as a formula when the
file is opened or the cell edited. Every CSV and .xlsx writer of the project writes text
through ``neutralise``: such a text gets a leading ``'``, which a spreadsheet shows as
text; numbers, dates and other values stay what they are. A text that already begins
with quotes followed by such a character gets one more quote, so ``restore`` (applied by
the importer to every text cell) gives back exactly the value written: the project's
own exports import back unchanged.

Input: a text value beginning with ``=`` is refused on every form and in every import
(``formula_error``: services' ``validate`` and the import columns call it); ``+``, ``-``
and ``@`` are data (a phone number +86…, a dash, an e-mail handle) and are only
neutralised on the way out.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

TRIGGERS = frozenset("=+-@\t\r＝＋－＠")
_FIRST = TRIGGERS | {"'"}  # a cheap pre-check on the first character


def dangerous(value) -> bool:
    """Whether a spreadsheet could read this text as a formula (or it begins with quotes
    followed by such a character, so that ``restore`` would strip one)."""
    if value.__class__ is not str or not value or value[0] not in _FIRST:
        return False
    return value.lstrip("'")[:1] in TRIGGERS


def neutralise(value):
    """The cell as written: a dangerous text prefixed with ``'``; anything else as is."""
    return "'" + value if dangerous(value) else value


def neutralise_row(row) -> list:
    return [neutralise(v) for v in row]


def restore(value):
    """The value ``neutralise`` was given, from the text read back (one ``'`` removed
    before quotes followed by a trigger character); anything else as is."""
    if value.__class__ is str and value[:1] == "'" and dangerous(value[1:]):
        return value[1:]
    return value


def formula_error(value) -> str | None:
    """The refusal of a text input beginning with ``=`` (or ``＝``), else None."""
    if isinstance(value, str) and value.lstrip()[:1] in ("=", "＝"):
        return _("以“=”开头，会被电子表格当作公式：请去掉开头的“=”（“+”“-”“@”可以使用）")
    return None


def xlsx_options(**extra) -> dict:
    """xlsxwriter Workbook options for data: no string is turned into a formula, a URL
    or a number."""
    return {
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        **extra,
    }
