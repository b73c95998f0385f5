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

_SCHOOL = re.compile(r"^[0-9A-Z]{1,16}$")
_NUMBER = re.compile(r"^(\d{4})([0-9A-Z]{1,16})([123])(\d{6})([0-9X])$")


class NumberError(ValueError):
    """A malformed number or part; ``message`` is Chinese, for users."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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
    if not _SCHOOL.match(code):
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
    """Split a number into its parts; raises NumberError when malformed or the check fails."""
    n = normalise(number)
    m = _NUMBER.match(n)
    if not m or len(n) > MAX_LENGTH:
        raise NumberError(
            f"证书编号“{number}”：格式不符（年份4位+学校代码+层次1位+流水号6位+校验位）"
        )
    if check_character(n[:-1]) != n[-1]:
        raise NumberError(f"证书编号“{number}”：校验位不符")
    year, school, level, serial, check = m.groups()
    return Parts(int(year), school, DIGIT_LEVEL[level], int(serial), check)


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
