"""Graduation certificate numbers (毕业证书编号). Pure Python: no Django.

Structure, left to right::

    YYYY  S…S  L  NNNNNN  C
    2024  50101  2  000123  2      → 20245010120001232 (17 characters for a 5-digit school code)

- ``YYYY``   year of issue (the graduation year);
- ``S…S``    the issuing school's code (学校代码) as registered, upper case, 1–16 letters or
  digits (the demo world's codes are 5 digits: ``50``, tier digit 1 技师学院 / 2 高级技校 /
  3 技工学校, 2-digit serial);
- ``L``      class level: 1 中级工班, 2 高级工班, 3 预备技师（技师）班;
- ``NNNNNN`` serial within (year, school, level), from 000001;
- ``C``      check character, ISO 7064 MOD 11-2 (0–9 or X) — the scheme of the
  resident ID number's last character (GB 11643). A letter in a school code counts
  with its base-36 value (A=10 … Z=35), so an all-digit number is checked exactly as an
  ID number is.

The school code sits in the middle and may vary in length; the fixed-width tail
(level, serial, check) makes the number parse unambiguously from both ends.

**One rule** (``check``, worded for users in ``RULE``): a number is stored only in this
form — ASCII upper-case letters and digits, no spaces, at most ``MAX_LENGTH`` (28)
characters, a valid check character. Every number ``make`` builds passes it, and it is
exactly what the QR credential (``qr.py``) can carry and what verification can find.
``check`` guards every write (``GraduationCertificate.clean_fields``, the graduations
import) and the QR encoding; ``parse`` is the same rule after ``normalise`` (typed input).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LEVEL_DIGIT = {"intermediate": "1", "advanced": "2", "technician": "3"}
DIGIT_LEVEL = {v: k for k, v in LEVEL_DIGIT.items()}
SERIAL_WIDTH = 6
MAX_SERIAL = 10**SERIAL_WIDTH - 1
TAIL = 1 + SERIAL_WIDTH + 1  # level digit, serial, check character
MAX_LENGTH = 4 + 16 + TAIL
MIN_LENGTH = 4 + 1 + TAIL

# ASCII only: ``\d`` would also match full-width and other Unicode digits.
_SCHOOL = re.compile(r"[0-9A-Z]{1,16}")
_NUMBER = re.compile(r"([0-9]{4})([0-9A-Z]{1,16})([123])([0-9]{6})([0-9X])")

RULE = (
    "证书编号由4位年份、1至16位学校代码（大写字母或数字）、1位班级层次（1中级工班、"
    "2高级工班、3预备技师（技师）班）、6位流水号和1位校验位（0至9或X）依次组成，"
    f"共{MIN_LENGTH}至{MAX_LENGTH}个字符，不含空格、小写字母或汉字"
)
_SHOWN = 40  # characters of a value quoted in a message


class NumberError(ValueError):
    """A malformed number or part; ``message`` is Chinese, for users. ``detail`` is the
    message without the leading “证书编号“…”：” (for an import row that names the column
    and value itself)."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail or message


def shown(value: str) -> str:
    """A value as quoted in a message: long values cut, with their length."""
    if len(value) <= _SHOWN:
        return value
    return f"{value[:_SHOWN]}…（共{len(value)}个字符）"


def _fault(n: str) -> str | None:
    """Why ``n`` breaks the rule as it stands (no normalising), or None."""
    if not n:
        return "不能为空"
    if len(n) > MAX_LENGTH:
        return f"共{len(n)}个字符，超过{MAX_LENGTH}个字符"
    if not _NUMBER.fullmatch(n):
        return "格式不符"
    if check_character(n[:-1]) != n[-1]:
        return "校验位不符"
    return None


def _error(value: str, fault: str) -> NumberError:
    detail = f"{fault}。{RULE}"
    return NumberError(f"证书编号“{shown(value)}”：{detail}", detail)


def check(number: str) -> str:
    """The one format rule for a number that is written (and printed in a QR code):
    ``number`` unchanged when it follows the rule, NumberError naming the field, the
    value and the rule otherwise."""
    value = number if isinstance(number, str) else ("" if number is None else str(number))
    fault = _fault(value)
    if fault:
        raise _error(value, fault)
    return value


def check_character(body: str) -> str:
    """ISO 7064 MOD 11-2 check character of ``body`` (digits, letters by base-36 value)."""
    p = 0
    for c in body:
        p = (p + int(c, 36)) * 2 % 11
    r = (12 - p) % 11
    return "X" if r == 10 else str(r)


def prefix(year: int, school_code: str, level: str) -> str:
    """The part shared by every number of (year, school, level)."""
    code = (school_code or "").strip().upper()
    if not 1000 <= year <= 9999:
        raise NumberError(f"年份“{year}”：应为4位年份")
    if not _SCHOOL.fullmatch(code):
        raise NumberError(f"学校代码“{school_code}”：证书编号中的学校代码应为1至16位字母或数字")
    if level not in LEVEL_DIGIT:
        raise NumberError(f"班级层次“{level}”：应为中级工班、高级工班或预备技师（技师）班")
    return f"{year:04d}{code}{LEVEL_DIGIT[level]}"


def make(year: int, school_code: str, level: str, serial: int) -> str:
    """The full number, check character included."""
    if not 1 <= serial <= MAX_SERIAL:
        raise NumberError(f"流水号“{serial}”：应在1至{MAX_SERIAL}之间")
    body = f"{prefix(year, school_code, level)}{serial:0{SERIAL_WIDTH}d}"
    return body + check_character(body)


@dataclass(frozen=True, slots=True)
class Parts:
    year: int
    school_code: str
    level: str
    serial: int
    check: str


def normalise(number: str) -> str:
    """Upper case without surrounding or inner spaces (as people type numbers)."""
    return "".join((number or "").split()).upper()


def parse(number: str) -> Parts:
    """Split a number as people type it (``normalise`` first) into its parts; raises
    NumberError when it breaks the rule of ``check``."""
    n = normalise(number)
    fault = _fault(n)
    if fault:
        raise _error(number or "", fault)
    year, school, level, serial, check_char = _NUMBER.fullmatch(n).groups()
    return Parts(int(year), school, DIGIT_LEVEL[level], int(serial), check_char)


def is_valid(number: str) -> bool:
    try:
        parse(number)
    except NumberError:
        return False
    return True


def serial_of(number: str, school_prefix: str) -> int | None:
    """The serial of ``number`` when it belongs to ``school_prefix`` (from ``prefix``)."""
    if len(number) != len(school_prefix) + SERIAL_WIDTH + 1 or not number.startswith(school_prefix):
        return None
    tail = number[len(school_prefix) : -1]
    return int(tail) if tail.isdigit() else None
