"""Online verification codes (在线验证码): 16 random symbols of Crockford's base 32
(80 bits), shown in groups of four (``7KQ2-M9XD-3HTA-VW4R``). Pure Python.

Input is forgiving the way Crockford's alphabet intends: case, spaces, hyphens and
full-width characters are ignored, O reads as 0, I and L as 1.
"""

import secrets
import unicodedata

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 16
GROUP = 4
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_ALLOWED = frozenset(ALPHABET)


def generate() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def display(code: str) -> str:
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def normalise(text: str) -> str:
    """The stored form of a typed code, or "" when it cannot be one (wrong length or
    symbol): callers treat "" as a miss without touching the database."""
    s = unicodedata.normalize("NFKC", text or "")[: LENGTH * 3]
    s = "".join(ch for ch in s.upper() if ch not in " -_\t\r\n").translate(_READ_AS)
    if len(s) != LENGTH or not set(s) <= _ALLOWED:
        return ""
    return s
