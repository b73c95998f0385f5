"""GB 32100 统一社会信用代码."""

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jigong.standards import StandardError, uscc

# Published codes (company registers, GLEIF, GB 32100's own example), each checked by both
# check characters.
PUBLISHED = [
    "91350100M000100Y43",  # the example in GB 32100-2015
    "914403001922038216",  # 华为技术有限公司
    "91440300708461136T",  # 深圳市腾讯计算机系统有限公司
    "91330100799655058B",  # 阿里巴巴（中国）有限公司
    "91110000710925462X",  # 中国石油天然气股份有限公司 (GLEIF registeredAs)
    "91110000802100433B",  # 百度在线网络技术（北京）有限公司
    "91110108558521630L",
    "91110108551385082Q",
]


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_valid(code: str) -> None:
    assert uscc.validate(code) == code
    assert uscc.check_char(code[:17]) == code[17]
    assert uscc.org_check_char(code[8:16]) == code[16]


def test_normalize() -> None:
    assert uscc.validate(" 9135 0100 m000 100y43 ") == "91350100M000100Y43"
    assert uscc.validate("９１３５０１００Ｍ０００１００Ｙ４３") == "91350100M000100Y43"


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("91350100M000100Y4", "length"),
        ("91350100M000100Y43A", "length"),
        ("91350100M000100I43", "characters"),
        ("91350100M000100Y44", "check_digit"),
        ("91110000100006614X", "check_digit"),  # a sample often quoted: its check is wrong
    ],
)
def test_refusals(value: str, rule: str) -> None:
    with pytest.raises(StandardError) as info:
        uscc.validate(value)
    assert (info.value.field, info.value.rule) == ("credit_code", rule)
    assert info.value.message.startswith("统一社会信用代码“")


def test_org_code_check_digit() -> None:
    first17 = "91500000ABCDEFGH" + "1"  # wrong GB 11714 check character
    code = first17 + uscc.check_char(first17)
    with pytest.raises(StandardError) as info:
        uscc.validate(code)
    assert info.value.rule == "org_code_check_digit"
    assert "GB 11714" in info.value.message
    assert uscc.validate(code, check_org_code=False) == code


def test_check_digit_message() -> None:
    with pytest.raises(StandardError) as info:
        uscc.validate("91350100M000100Y44")
    assert (
        info.value.message == "统一社会信用代码“91350100M000100Y44”校验位错误，应为 3（GB 32100）"
    )


depts = st.sampled_from([(d, t) for d, types in uscc.ORG_TYPES.items() for t in types])
areas = st.sampled_from(["500000", "500103", "500154", "530100"])


@given(st.randoms(use_true_random=False), depts, areas)
def test_generate_validate_round_trip(rng: random.Random, dept: tuple, area: str) -> None:
    code = uscc.generate(rng, dept[0], dept[1], area)
    assert uscc.validate(code) == code
    assert code[:2] == dept[0] + dept[1] and code[2:8] == area


@given(
    st.randoms(use_true_random=False),
    st.integers(0, 17),
    st.sampled_from(uscc.ALPHABET + "IOSVZ"),
)
def test_single_character_change_refused(rng: random.Random, pos: int, char: str) -> None:
    code = uscc.generate(rng, "9", "1", "500103")
    changed = code[:pos] + char + code[pos + 1 :]
    if changed == code:
        return
    with pytest.raises(StandardError):
        uscc.validate(changed, check_org_code=False)  # the final check alone catches it
