"""职业技能等级证书 numbers and 职业分类大典 occupation codes.

A certificate number is 22 characters: ``Y`` (issued by an employer, 用人单位) or ``S``
(issued by a social training and evaluation organisation, 社会培训评价组织) followed by
21 digits. No check digit is published, so only the shape is checked.
"""

import random
import re

from jigong.standards._text import squash
from jigong.standards.errors import StandardError

ISSUER_TYPES = {"Y": "用人单位", "S": "社会培训评价组织"}
SKILL_LEVELS = {
    5: "五级/初级工",
    4: "四级/中级工",
    3: "三级/高级工",
    2: "二级/技师",
    1: "一级/高级技师",
}
OCCUPATION_CATEGORIES = {  # 大类 of the 2022 edition of 职业分类大典
    "1": "党的机关、国家机关、群众团体和社会组织、企事业单位负责人",
    "2": "专业技术人员",
    "3": "办事人员和有关人员",
    "4": "社会生产服务和生活服务人员",
    "5": "农、林、牧、渔业生产及辅助人员",
    "6": "生产制造及有关人员",
    "7": "军队人员",
    "8": "不便分类的其他从业人员",
}
_NUMBER = re.compile(r"[YS]\d{21}")
_OCCUPATION = re.compile(r"(\d)-(\d{2})-(\d{2})-(\d{2})")
_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―−", "-"))


def normalize_number(s: str) -> str:
    return squash(s)


def validate_number(s: str) -> str:
    """Return the normalized certificate number or raise StandardError."""
    n = normalize_number(s)
    if not _NUMBER.fullmatch(n):
        raise StandardError(
            "certificate_number",
            n,
            "format",
            f"职业技能等级证书编号“{n}”格式错误：应为字母Y或S加21位数字，共22位",
        )
    return n


def generate_number(rng: random.Random, issuer_type: str = "S") -> str:
    """A well-formed certificate number for issuer type 'Y' or 'S'."""
    return f"{issuer_type}{rng.randrange(10**21):021d}"


def normalize_occupation_code(s: str) -> str:
    return squash(s).translate(_DASHES)


def validate_occupation_code(s: str) -> str:
    """Return the normalized 职业分类大典 code (e.g. 6-18-01-01) or raise StandardError."""
    n = normalize_occupation_code(s)
    m = _OCCUPATION.fullmatch(n)
    if not m:
        rule, text = "format", "格式错误：应为“大类-中类-小类-细类”，如 6-18-01-01"
    elif m[1] not in OCCUPATION_CATEGORIES:
        rule, text = "category", f"的大类“{m[1]}”不存在：应为1至8"
    else:
        return n
    raise StandardError("occupation_code", n, rule, f"职业编码“{n}”{text}（职业分类大典）")
