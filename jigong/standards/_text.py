"""Input clean-up shared by the standards."""

import unicodedata

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def squash(s: str) -> str:
    """NFKC-fold (full-width → ASCII), drop all whitespace and zero-width marks, upper-case."""
    s = str(s)
    if s.isascii():  # NFKC leaves ASCII alone and zero-width marks are not ASCII
        return ("".join(s.split()) if not s.isalnum() else s).upper()
    s = unicodedata.normalize("NFKC", s).translate(_INVISIBLE)
    return "".join(s.split()).upper()
