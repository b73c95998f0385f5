"""职业技能等级证书 numbers and 职业分类大典 codes."""

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jigong.standards import StandardError, skillcert


@pytest.mark.parametrize("raw", ["S000000000000000000001", " y123456789012345678901 "])
def test_valid_numbers(raw: str) -> None:
    assert skillcert.validate_number(raw) == raw.strip().upper()


@pytest.mark.parametrize(
    "raw",
    [
        "S00000000000000000001",
        "S0000000000000000000011",
        "X000000000000000000001",
        "SS00000000000000000001",
    ],
)
def test_bad_numbers(raw: str) -> None:
    with pytest.raises(StandardError) as info:
        skillcert.validate_number(raw)
    assert (info.value.field, info.value.rule) == ("certificate_number", "format")
    assert "Y或S" in info.value.message


@given(st.randoms(use_true_random=False), st.sampled_from(["Y", "S"]))
def test_generate_round_trip(rng: random.Random, issuer: str) -> None:
    n = skillcert.generate_number(rng, issuer)
    assert skillcert.validate_number(n) == n and len(n) == 22 and n[0] == issuer


@pytest.mark.parametrize(
    ("raw", "code"),
    [("6-18-01-01", "6-18-01-01"), ("4－01－02－01", "4-01-02-01"), ("2—02—01—00", "2-02-01-00")],
)
def test_occupation_codes(raw: str, code: str) -> None:
    assert skillcert.validate_occupation_code(raw) == code


@pytest.mark.parametrize(
    ("raw", "rule"),
    [
        ("6-18-01", "format"),
        ("61801 01", "format"),
        ("6-1-01-01", "format"),
        ("9-01-01-01", "category"),
    ],
)
def test_bad_occupation_codes(raw: str, rule: str) -> None:
    with pytest.raises(StandardError) as info:
        skillcert.validate_occupation_code(raw)
    assert (info.value.field, info.value.rule) == ("occupation_code", rule)


def test_skill_levels() -> None:
    assert list(skillcert.SKILL_LEVELS) == [5, 4, 3, 2, 1]
    assert skillcert.SKILL_LEVELS[4] == "四级/中级工"
    assert skillcert.SKILL_LEVELS[1] == "一级/高级技师"
