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
    cap = Decimal("0.25") if excellent else Decimal("0.20")
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


def test_pay_supplement_steps_explain_the_excellent_cap() -> None:
    result = rules.pay_supplement("200000", "0.22", True, ON)
    assert result.amount == Decimal("44000.00")
    assert any("上浮5个百分点" in s for s in result.steps)


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
