"""GB 32100 统一社会信用代码 (unified social credit code), 18 characters.

Layout: 1 registration department, 1 organisation type, 6-digit GB/T 2260 area code,
9-character organisation code (GB 11714: 8 body characters + check character),
1 check character. All characters come from a 31-symbol alphabet (no I, O, S, V, Z).
"""

import random

from jigong.standards._text import squash
from jigong.standards.errors import StandardError

FIELD = "credit_code"
STANDARD = "GB 32100"
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714

# Registration departments and the organisation types each registers (GB 32100 annex).
REGISTRATION_DEPTS = {
    "1": "机构编制",
    "5": "民政",
    "9": "工商（市场监管）",
    "Y": "其他",
}
ORG_TYPES = {
    "1": {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"},
    "5": {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"},
    "9": {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"},
    "Y": {"1": "其他"},
}


def normalize(s: str) -> str:
    """Strip spaces (incl. full-width), fold full-width characters, upper-case."""
    return squash(s)


def check_char(first17: str) -> str:
    """The 18th character for the first 17."""
    total = sum(VALUES[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[-total % 31]


def _org_value(c: str) -> int:
    return int(c) if c.isdigit() else ord(c) - 55  # A=10 … Z=35


def org_check_char(body8: str) -> str:
    """GB 11714 check character for an 8-character organisation code body."""
    r = 11 - sum(_org_value(c) * w for c, w in zip(body8, ORG_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(r, str(r))


def _error(value: str, rule: str, text: str, standard: str = STANDARD) -> StandardError:
    return StandardError(FIELD, value, rule, f"统一社会信用代码“{value}”{text}（{standard}）")


def validate(s: str, check_org_code: bool = True) -> str:
    """Return the normalized code, or raise StandardError naming the broken rule.

    ``check_org_code`` also checks the GB 11714 check character of positions 9–17;
    every published code we tested satisfies it.
    """
    n = normalize(s)
    if len(n) != 18:
        raise _error(n, "length", f"应为18位，实际为{len(n)}位")
    bad = sorted({c for c in n if c not in VALUES})
    if bad:
        raise _error(n, "characters", f"含有不允许的字符 {''.join(bad)}（不使用 I、O、S、V、Z）")
    expected = check_char(n[:17])
    if n[17] != expected:
        raise _error(n, "check_digit", f"校验位错误，应为 {expected}")
    if check_org_code:
        org = org_check_char(n[8:16])
        if n[16] != org:
            raise _error(
                n, "org_code_check_digit", f"中组织机构代码校验位错误，应为 {org}", "GB 11714"
            )
    return n


def generate(rng: random.Random, registration_dept: str, org_type: str, area_code: str) -> str:
    """A valid code (both check characters right) for the given department, type and area."""
    body = "".join(rng.choices(ALPHABET, k=8))
    first17 = f"{registration_dept}{org_type}{area_code}{body}{org_check_char(body)}"
    return first17 + check_char(first17)
