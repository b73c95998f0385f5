"""GB 11643 citizen identity numbers (公民身份号码), check digit per ISO 7064 MOD 11-2.

Layout: 6-digit address code (GB/T 2260 at birth registration), 8-digit birth date
YYYYMMDD, 3-digit sequence (odd = male, even = female), 1 check character (0-9 or X).

The address code is never checked against a district table: a number keeps the code
of its birth registration for life, retired codes included (500234 开县 is now
500154 开州区), and tables lag behind new codes.
"""

import random
from datetime import date
from functools import lru_cache
from operator import mul

from jigong.standards._text import squash
from jigong.standards.errors import StandardError

FIELD = "id_number"
STANDARD = "GB 11643"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"  # indexed by weighted sum mod 11
_DIGITS = frozenset("0123456789")
_LAST = frozenset("0123456789X")


def normalize(s: str) -> str:
    """Strip spaces (incl. full-width and NBSP), fold full-width digits, upper-case x."""
    return squash(s)


def check_digit(first17: str) -> str:
    """The check character for the first 17 digits."""
    if len(first17) != 17:
        raise ValueError("check_digit needs exactly 17 digits")
    if first17.isascii() and first17.isdigit():
        # The weights are 2**(17-i) mod 11 and 13 ≡ 2 (mod 11), so the weighted sum
        # is 2 × (the digits read in base 13) mod 11: one C-level int() call.
        return CHECK_CHARS[2 * int(first17, 13) % 11]
    return CHECK_CHARS[sum(map(mul, map(int, first17), WEIGHTS)) % 11]


def _error(value: str, rule: str, text: str) -> StandardError:
    return StandardError(FIELD, value, rule, f"身份证号“{value}”{text}（{STANDARD}）")


def _parse_birth(s: str) -> date | None:
    try:
        return date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        return None


def validate(s: str, today: date | None = None) -> str:
    """Return the normalized number, or raise StandardError naming the broken rule."""
    n = normalize(s)
    if len(n) != 18:
        raise _error(n, "length", f"应为18位，实际为{len(n)}位")
    if not (((n[:17].isdigit() and n.isascii()) or set(n[:17]) <= _DIGITS) and n[17] in _LAST):
        raise _error(n, "characters", "只能由17位数字和1位校验码（数字或X）组成")
    born = _parse_birth(n)
    if born is None:
        raise _error(n, "birth_date", f"中的出生日期{n[6:14]}不是有效日期")
    if born > (today or date.today()):
        raise _error(n, "birth_future", f"中的出生日期{born.isoformat()}晚于今天")
    expected = check_digit(n[:17])
    if n[17] != expected:
        raise _error(n, "check_digit", f"校验位错误，应为 {expected}")
    return n


def facts(s: str, today: date | None = None) -> tuple[str, date, str]:
    """(normalized number, birth date, 'M'/'F') of a valid number, validated once;
    raises StandardError like validate()."""
    n = validate(s, today)
    return n, date(int(n[6:10]), int(n[10:12]), int(n[12:14])), "M" if int(n[16]) % 2 else "F"


def facts_many(numbers, today: date | None = None) -> list[tuple[str, date, str]]:
    """``facts`` of each number, raising like it, for bulk callers: a number already in
    canonical form (18 ASCII characters, as importers pass them) is checked by its
    check digit and its birth date, each distinct date parsed once; anything else goes
    through ``facts``, which normalises it and names the broken rule."""
    today = today or date.today()
    births: dict[str, date | None] = {}
    out = []
    for n in numbers:
        canonical = type(n) is str and len(n) == 18 and n.isascii() and n[:17].isdigit()
        if canonical and n[17] == check_digit(n[:17]):
            key = n[6:14]
            if key not in births:
                born = _parse_birth(n)
                births[key] = born if born is not None and born <= today else None
            born = births[key]
            if born is not None:
                out.append((n, born, "M" if int(n[16]) % 2 else "F"))
                continue
        out.append(facts(n, today))
    return out


def birth_date(s: str) -> date:
    """Birth date encoded in a valid number."""
    n = validate(s, today=date.max)
    return date(int(n[6:10]), int(n[10:12]), int(n[12:14]))


def sex(s: str) -> str:
    """'M' or 'F' from the parity of the 17th digit."""
    return "M" if int(validate(s, today=date.max)[16]) % 2 else "F"


@lru_cache(maxsize=4096)
def _area_part(area_code: str) -> int:
    return sum(int(c) * w for c, w in zip(area_code, WEIGHTS[:6], strict=True))


@lru_cache(maxsize=1 << 16)
def _birth_part(birth: date) -> tuple[str, int]:
    text = f"{birth.year:04d}{birth.month:02d}{birth.day:02d}"
    return text, sum(int(c) * w for c, w in zip(text, WEIGHTS[6:14], strict=True))


# sequence number → (3 digits, weighted sum), odd numbers for men, even for women
_SEQ = tuple(
    (f"{i:03d}", sum(int(c) * w for c, w in zip(f"{i:03d}", WEIGHTS[14:], strict=True)))
    for i in range(1000)
)


def generate(rng: random.Random, area_code: str, birth: date, sex: str) -> str:
    """A valid number for the given 6-digit area code, birth date and sex ('M'/'F').

    Lean on purpose (the demo calls it about a million times): weighted sums of the area
    and birth parts are cached, the sequence part is a table lookup; inputs are not
    validated. The sequence is drawn as ``rng.randrange(500)`` (men) or
    ``rng.randrange(1, 500)`` (women) draws it, without its argument checks: CPython
    takes ``getrandbits(9)`` until the value is below the width (500 or 499).
    """
    grb = rng.getrandbits
    r = grb(9)
    if sex == "M":
        while r >= 500:
            r = grb(9)
        r = 2 * r + 1
    else:
        while r >= 499:
            r = grb(9)
        r = 2 * r + 2
    seq, seq_sum = _SEQ[r]
    birth_text, birth_sum = _birth_part(birth)
    total = _area_part(area_code) + birth_sum + seq_sum
    return f"{area_code}{birth_text}{seq}{CHECK_CHARS[total % 11]}"
