"""GB 11643 ID numbers."""

import random
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jigong.standards import StandardError, idcard

EXAMPLE = "11010519491231002X"  # the example in GB 11643-1999


def test_standard_example() -> None:
    assert idcard.check_digit(EXAMPLE[:17]) == "X"
    assert idcard.validate(EXAMPLE) == EXAMPLE
    assert idcard.birth_date(EXAMPLE) == date(1949, 12, 31)
    assert idcard.sex(EXAMPLE) == "F"


@pytest.mark.parametrize(
    "raw",
    [
        "11010519491231002x",
        " 110105 19491231 002X ",
        "１１０１０５１９４９１２３１００２ｘ",
        "110105\u00a019491231\u3000002X",
        "\ufeff11010519491231002X\u200b",
    ],
)
def test_normalize(raw: str) -> None:
    assert idcard.normalize(raw) == EXAMPLE
    assert idcard.validate(raw) == EXAMPLE


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("1101051949123100", "length"),
        ("110105491231002", "length"),  # 15-digit first-generation numbers are not accepted
        ("11010519491231002Y", "characters"),
        ("1101051949123100X2", "characters"),
        ("110105194902300028", "birth_date"),
        ("110105194913310021", "birth_date"),
        ("110105209901010011", "birth_future"),
        ("110105194912310021", "check_digit"),
    ],
)
def test_refusals(value: str, rule: str) -> None:
    with pytest.raises(StandardError) as info:
        idcard.validate(value, today=date(2024, 1, 1))
    e = info.value
    assert (e.field, e.rule) == ("id_number", rule)
    assert e.message.startswith(f"身份证号“{idcard.normalize(value)}”")
    assert e.message.endswith("（GB 11643）")


def test_check_digit_message() -> None:
    with pytest.raises(StandardError) as info:
        idcard.validate("110105194912310021")
    assert info.value.message == "身份证号“110105194912310021”校验位错误，应为 X（GB 11643）"


def test_future_is_relative_to_today() -> None:
    n = idcard.generate(random.Random(1), "500103", date(2024, 6, 1), "M")
    idcard.validate(n, today=date(2024, 6, 1))
    with pytest.raises(StandardError):
        idcard.validate(n, today=date(2024, 5, 31))


@pytest.mark.parametrize("area", ["500234", "500228", "500222", "500381", "999999", "000000"])
def test_prefix_alone_never_refused(area: str) -> None:
    """Retired codes (500234 开县 → 500154 开州区) stay valid for life."""
    n = idcard.generate(random.Random(7), area, date(1995, 3, 4), "F")
    assert idcard.validate(n) == n
    assert n.startswith(area)


def test_generate_is_reproducible() -> None:
    a = [idcard.generate(random.Random(3), "530102", date(2006, 1, 9), "M") for _ in range(2)]
    assert a[0] == a[1]


areas = st.sampled_from(["500101", "500154", "500243", "500234", "530102", "520102", "510104"])
births = st.dates(date(1900, 1, 1), date(2020, 12, 31))
sexes = st.sampled_from(["M", "F"])


@given(st.randoms(use_true_random=False), areas, births, sexes)
def test_generate_validate_round_trip(rng: random.Random, area: str, birth: date, sex: str) -> None:
    n = idcard.generate(rng, area, birth, sex)
    assert idcard.validate(n) == n
    assert idcard.birth_date(n) == birth
    assert idcard.sex(n) == sex
    assert n[:6] == area


@given(
    st.randoms(use_true_random=False),
    births,
    sexes,
    st.integers(0, 17),
    st.sampled_from("0123456789X"),
)
def test_single_character_change_refused(
    rng: random.Random, birth: date, sex: str, pos: int, char: str
) -> None:
    n = idcard.generate(rng, "500103", birth, sex)
    changed = n[:pos] + char + n[pos + 1 :]
    if changed == n:
        return
    with pytest.raises(StandardError):
        idcard.validate(changed)


def test_generate_is_fast() -> None:
    import time

    rng = random.Random(0)
    birth = date(2005, 5, 5)
    start = time.perf_counter()
    for _ in range(20_000):
        idcard.generate(rng, "500103", birth, "F")
    per_call = (time.perf_counter() - start) / 20_000
    assert per_call < 20e-6  # about a million in well under 20 s


def _facts_or_rule(call):
    try:
        return call()
    except StandardError as exc:
        return exc.rule


@given(
    st.randoms(use_true_random=False),
    st.dates(date(1900, 1, 1), date(2099, 12, 31)),
    sexes,
    st.integers(0, 17),
    st.sampled_from("0123456789Xx９ "),
)
def test_facts_many_agrees_with_facts(
    rng: random.Random, birth: date, sex: str, pos: int, char: str
) -> None:
    """The bulk check (importers) accepts and refuses exactly what ``facts`` does, for
    valid numbers, future births and any one character changed (also lower-case x,
    full-width digits and spaces, which ``facts`` normalises)."""
    today = date(2026, 11, 29)
    n = idcard.generate(rng, "500103", birth, sex)
    changed = n[:pos] + char + n[pos + 1 :]
    for value in (n, changed):
        single = _facts_or_rule(lambda v=value: idcard.facts(v, today))
        bulk = _facts_or_rule(lambda v=value: idcard.facts_many([v, v], today))
        assert bulk == (single if isinstance(single, str) else [single, single])


def test_generate_draws_the_sequence_as_randrange_does() -> None:
    """generate() inlines rng.randrange(500) / randrange(1, 500): same numbers, same
    stream afterwards (the demo's data depend on it)."""

    def reference(rng: random.Random, area: str, birth: date, sex: str) -> str:
        seq = 2 * rng.randrange(500) + 1 if sex == "M" else 2 * rng.randrange(1, 500)
        first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
        return first17 + idcard.check_digit(first17)

    a, b = random.Random(11), random.Random(11)
    for i in range(5000):
        sex, birth = "MF"[i % 2], date(1960 + i % 60, 1 + i % 12, 1 + i % 28)
        assert idcard.generate(a, "500103", birth, sex) == reference(b, "500103", birth, sex)
    assert a.random() == b.random()
