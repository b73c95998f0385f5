"""Properties of the rules beyond the officer's cases."""

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from jigong.policy import rules

ON = date(2023, 6, 30)
revenues = st.decimals(min_value=0, max_value=10**9, places=2)
rates = st.decimals(min_value=0, max_value=Decimal("0.4"), places=4)


@given(revenues, rates, st.booleans())
def test_pay_supplement_accepts_exactly_the_allowed_band(
    revenue: Decimal, rate: Decimal, excellent: bool
) -> None:
    cap = Decimal("0.20")  # 优秀 or not: the +5 points are not on this rate (（七）)
    try:
        result = rules.pay_supplement(revenue, rate, excellent, ON)
    except rules.PolicyViolation as e:
        assert not Decimal("0.05") <= rate <= cap
        assert (e.field, e.clause) == ("rate", "（七）")
        return
    assert Decimal("0.05") <= rate <= cap
    assert abs(result.amount - revenue * rate) <= Decimal("0.005")
    assert result.rate_max == cap
    assert result.steps[-1].endswith("元（依据（七））")


def test_pay_supplement_steps_say_what_excellent_raises() -> None:
    result = rules.pay_supplement("200000", "0.20", True, ON)
    assert result.amount == Decimal("40000.00") and result.rate_max == Decimal("0.20")
    assert any("追加比例范围不变" in s and "控制增幅" in s for s in result.steps)


@given(st.decimals(min_value=0, max_value=Decimal("0.1"), places=4), st.booleans())
def test_growth_extra_is_at_most_five_points_and_only_for_excellent(
    extra: Decimal, excellent: bool
) -> None:
    try:
        result = rules.pay_growth_control("100000", "0.08", excellent, extra, ON)
    except rules.PolicyViolation as e:
        assert e.field == "growth_extra" and (extra > Decimal("0.05") or (extra and not excellent))
        return
    assert extra <= Decimal("0.05") and (excellent or not extra)
    assert result.ceiling == (Decimal("100000") * (1 + Decimal("0.08") + extra)).quantize(
        Decimal("0.01")
    )


@given(st.sampled_from(list(rules.TIER_LABELS)), st.dates(date(2021, 1, 1), date(2030, 1, 1)))
def test_check_level_agrees_with_level_allowed(tier: str, on: date) -> None:
    for level in rules.LEVEL_LABELS:
        allowed = rules.level_allowed(tier, level, on)
        try:
            rules.check_level_for_tier(tier, level, on)
        except rules.PolicyViolation as e:
            assert not allowed
            assert e.clause == "（六）" and rules.TIER_LABELS[tier] in e.message
        else:
            assert allowed


def test_every_tier_runs_its_own_level() -> None:
    for tier, level in [
        ("technician_college", "technician"),
        ("senior_school", "advanced"),
        ("school", "intermediate"),
    ]:
        assert rules.allowed_levels(tier, date(2021, 9, 1))[level] == "standard"


def test_labels_cover_codes() -> None:
    on = date(2023, 1, 1)
    assert {rules.equivalence(lvl, on) for lvl in rules.LEVEL_LABELS} == set(
        rules.EQUIVALENCE_LABELS
    )
    assert set(rules.TARGETS) == set(rules.TARGET_LABELS)
    for indicator in rules.TARGETS:
        assert rules.target_citation(indicator, on).value > 0
