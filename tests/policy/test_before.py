"""Dates before the policy (issue 12): every rule of ``jigong.policy.rules`` that takes a
date answers on any date — "not applicable", the first value where the parameter says
``before: apply_first``, or a ``PolicyViolation`` when refusing is its decision — and
never lets ``ParameterNotInForce`` (or any ParameterError) out.

The rules are found by introspection: a new rule with an ``on`` parameter fails
``test_every_dated_rule_has_samples`` until it is given sample arguments here."""

import inspect
from datetime import date

import pytest

from jigong.policy import parameters as P
from jigong.policy import rules

DATES = [
    date(1999, 12, 31),  # before the platform's earliest figure (2000-01-01)
    date(2019, 1, 1),  # the date of the issue: before “十四五” and the policy
    date(2021, 6, 30),  # “十四五” targets set, the policy not yet issued
    date(2022, 7, 21),  # the day before the policy
    date(2022, 7, 22),  # the policy's first day
    date(2026, 1, 1),  # after the “十四五” targets ended
]

FACTS = {"students": 3000, "full_time_teachers": 120, "integrated_share": "0.4"}

# Sample arguments (without ``on``) per rule: each list item is one call. Pick the
# branches that read a parameter (a part-time enterprise employee, a cross-province
# internship, a failing standard …).
SAMPLES: dict[str, list[dict]] = {
    "allowed_levels": [{"tier": t} for t in rules.TIER_LABELS],
    "level_allowed": [{"tier": "school", "level": "advanced"}],
    "check_level_for_tier": [
        {"tier": "technician_college", "level": "technician"},
        {"tier": "school", "level": "technician"},
    ],
    "equivalence": [{"level": lv} for lv in rules.LEVEL_LABELS],
    "equivalence_label": [{"level": "advanced"}],
    "equivalence_uses": [{}],
    "verification_code_days": [{}],
    "check_verification_code_days": [{"days": 90}, {"days": 5}],
    "query_log_keep_from": [{"today": date(2025, 8, 31)}],
    "batch_verify_max": [{}],
    "pay_supplement": [
        {"revenue": "1000000", "rate": "0.10", "excellent": False},
        {"revenue": "1000000", "rate": "0.20", "excellent": True},
    ],
    "pay_growth_control": [
        {"control_base": "100000", "growth": "0.08", "excellent": True, "extra": "0.05"}
    ],
    "labour_hours_ok": [{"hours": 8}],
    "labour_hours_shortfall": [{"hours": 8}],
    "labour_hours_finding": [{"hours": 8}],
    "practical_weight_ok": [{"weight": "0.3"}],
    "check_practical_weight": [{"weight": "0.3"}, {"weight": "0.6"}],
    "check_part_time_duration": [
        {"track": "part_time", "source": "enterprise_employee", "duration_months": 6},
        {"track": "full_time", "source": "junior_graduate", "duration_months": 36},
    ],
    "target_citation": [{"indicator": k} for k in rules.TARGETS],
    "target_status": [{"indicator": k, "actual": 0} for k in rules.TARGETS],
    "target_kind": [{"indicator": k} for k in rules.TARGETS],
    "target_kind_label": [{"indicator": k} for k in rules.TARGETS],
    "target_period_name": [{"indicator": k} for k in rules.TARGETS],
    "target_period_verdict": [{"indicator": k, "figures": {2020: 1}} for k in rules.TARGETS],
    "quality_weights": [{}],
    "quality_measure_score": [{"measure": m, "value": "0.5"} for m in rules.QUALITY_MEASURES],
    "quality_total": [{"scores": {d: 80 for d in rules.QUALITY_DIMENSIONS}}],
    "internship_filing_deadline": [{"internship_start": date(2022, 9, 1)}],
    "cross_province_partners": [{}],
    "check_cross_province_quota": [
        {"province": "53", "province_name": "云南省", "year": 2022, "quota": q, "enrolled": 1}
        for q in (None, 1, 2)
    ],
    "days_after": [{"start": date(2022, 3, 1), "parameter": "workflows.review_days"}],
    "enrolment_plan_due": [{"year": 2022}],
    "check_internship_filing": [
        {
            "internship_start": date(2022, 9, 1),
            "filed_on": date(2022, 8, 31),
            "cross_province": True,
        }
    ],
    "enrolment_qualification": [
        {"status": s, "brochure_approved": False} for s in rules.SCHOOL_STATUS_LABELS
    ],
    "designation_count": [
        {"kind": "quality_major", "designations": [{"year": 2019, "school": 1, "major": 2}]}
    ],
    "licensing_authority": [{"tier": t} for t in rules.TIER_LABELS],
    "licensing_basis": [{}],
    "founding_deadline": [{"started_on": date(2018, 3, 1)}],
    "check_founding_period": [{"started_on": date(2015, 3, 1), "submitted_on": date(2022, 3, 1)}],
    "standards_check": [{"tier": t, "facts": FACTS} for t in rules.TIER_LABELS],
    "check_restore_enrolment": [{"tier": "technician_college", "facts": {}}],
    "designation_cap": [{"kind": k} for k in rules.DESIGNATION_LABELS],
    "check_designation_cap": [{"kind": "quality_school", "designated": 99}],
    "target_max": [{"indicator": k} for k in rules.TARGETS],
    "target_above_max": [{"indicator": k, "actual": 9} for k in rules.TARGETS],
    "base_cap": [{"kind": k, "level": lv} for k, lv in rules.BASE_TARGETS],
    "check_base_cap": [{"kind": k, "level": lv, "current": 9} for k, lv in rules.BASE_TARGETS],
    "alliance_period": [{}],
    "check_alliance_cap": [{"founded": 9}],
    "interim_score": [{"parts": {"employment_rate": "0.9"}}],
    "major_match": [{"open_majors": 10, "matched": 9}, {"open_majors": 0, "matched": 0}],
    "check_applicant_age": [
        {"level": "technician", "birth": date(2010, 1, 1), "year": 2022},
        {"level": "intermediate", "birth": date(2000, 1, 1), "year": 2022},
    ],
    "check_entry_point": [
        {"level": "technician", "schooling": "junior"},
        {"level": "advanced", "schooling": "junior"},
    ],
    "course_months": [
        {"level": lv, "entry_point": ep} for lv in rules.LEVEL_LABELS for ep in ("junior", "senior")
    ],
}


def _dated_rules() -> dict[str, object]:
    return {
        name: fn
        for name, fn in inspect.getmembers(rules, inspect.isfunction)
        if fn.__module__ == rules.__name__
        and not name.startswith("_")
        and "on" in inspect.signature(fn).parameters
    }


DATED = _dated_rules()


def test_every_dated_rule_has_samples() -> None:
    assert len(DATED) >= 30
    missing = sorted(set(DATED) - set(SAMPLES))
    assert not missing, f"rules taking a date without sample arguments in SAMPLES: {missing}"
    assert not set(SAMPLES) - set(DATED), "samples for a rule that no longer exists"


@pytest.mark.parametrize("on", DATES, ids=str)
@pytest.mark.parametrize("name", sorted(DATED))
def test_rule_answers_on_any_date(name: str, on: date) -> None:
    for kwargs in SAMPLES.get(name, []):
        try:
            DATED[name](**kwargs, on=on)
        except rules.PolicyViolation as exc:  # a decision of the rule, in Chinese
            assert exc.message and exc.clause, (name, kwargs)
        except P.ParameterError as exc:
            pytest.fail(f"{name}({kwargs}, on={on}) raised {type(exc).__name__}: {exc.message}")


def test_a_refusal_for_the_date_names_when_the_rule_began() -> None:
    with pytest.raises(rules.PolicyViolation) as info:
        rules.pay_supplement("1000000", "0.10", False, date(2019, 1, 1))
    exc = info.value
    assert (exc.field, exc.rule, exc.clause) == ("on", "not_in_force", "（七）")
    assert "2022-07-22起施行" in exc.message and "2019-01-01不适用" in exc.message


def test_not_applicable_rules_answer_not_applicable() -> None:
    before = date(2019, 1, 1)
    assert rules.check_part_time_duration("part_time", "enterprise_employee", 1, before) is None
    assert rules.labour_hours_finding(0, before) is None
    assert rules.check_practical_weight("0.1", before) is None
    with pytest.raises(rules.PolicyViolation, match="应在0到1之间"):  # a range on any date
        rules.check_practical_weight("1.5", before)
    assert rules.equivalence("advanced", before) is None
    assert rules.equivalence_uses(before) == []
    assert rules.target_citation("employment_rate", before) is None
    assert rules.target_status("employment_rate", "0.99", before) is None
    assert rules.designation_cap("quality_school", before) is None
    assert rules.licensing_authority("school", before) == "municipal"
    assert rules.enrolment_plan_due(2019, before) is None
    assert rules.allowed_levels("school", before) == {"intermediate": "standard"}


def test_apply_first_parameters_answer_with_their_first_value() -> None:
    before = date(2019, 1, 1)
    assert rules.verification_code_days(before) == {"min": 30, "max": 180}
    assert rules.cross_province_partners(before) == ["53", "52", "51"]
    assert sum(rules.quality_weights(before).values()) == 1
    q = rules.enrolment_qualification("closed", False, before)
    assert not q.qualified and len(q.reasons) == 1  # status only: no brochure filing then
