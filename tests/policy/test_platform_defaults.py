"""Platform defaults shown as such (issue 14): a value the policy does not state
(``source: platform``) is cited as “平台设定（可由市人社局调整）” wherever a refusal, a
deadline or an explanation is built on it, never with a bare clause number as if the
policy said it.

The test walks every parameter with a platform value: each one has, below, the texts a
user reads that are built on it (a refusal, a deadline's basis, a reason), or is listed
in ``NOT_SHOWN`` with the reason no text cites it. A new platform parameter fails
``test_every_platform_parameter_is_walked`` until it is given one."""

import re
from datetime import date

import pytest

from jigong.policy import parameters as P
from jigong.policy import rules

PLATFORM = "平台设定（可由市人社局调整）"
ON = date(2024, 3, 1)
LOW = {"students": 1, "full_time_teachers": 1, "integrated_share": 0, "campus_network_coverage": 0}


def _refusal(fn, *args) -> str:
    with pytest.raises(rules.PolicyViolation) as exc:
        fn(*args)
    return exc.value.message


def _basis(name: str, on: date = ON) -> str:
    return P.cite(name, on).basis


# parameter → texts a user reads built on its value (rules' refusals and reasons, the
# basis a page shows next to a deadline or a computed score)
TEXTS = {
    "management.internship_filing_lead_days": lambda: [
        _refusal(rules.check_internship_filing, date(2024, 5, 10), date(2024, 5, 1), True, ON)
    ],
    "workflows.review_days": lambda: [_basis("workflows.review_days")],
    "workflows.resubmit_days": lambda: [_basis("workflows.resubmit_days")],
    "enrolment.plan_due": lambda: [_basis("enrolment.plan_due")],
    "enrolment.qualified_statuses": lambda: list(
        rules.enrolment_qualification("suspended", True, ON).reasons
    ),
    "enrolment.qualification_requires_brochure": lambda: list(
        rules.enrolment_qualification("operating", False, ON).reasons
    ),
    "licensing.district_delegated_tiers": lambda: [rules.licensing_basis(ON)],
    "licensing.founding_period_years": lambda: [
        _refusal(rules.check_founding_period, date(2020, 1, 1), date(2024, 1, 1), ON)
    ],
    "licensing.restore_requires_standards": lambda: [
        _refusal(rules.check_restore_enrolment, "school", LOW, ON)
    ],
    **{
        f"licensing.standards.{tier}": (
            lambda tier=tier: list(rules.standards_check(tier, LOW, ON).failures)
        )
        for tier in rules.TIER_LABELS
    },
    "designations.interim_weights": lambda: [_basis("designations.interim_weights")],
    **{
        f"quality.weight.{d}": (lambda d=d: [_basis(f"quality.weight.{d}")])
        for d in rules.QUALITY_DIMENSIONS
    },
    "quality.benchmarks": lambda: [_basis("quality.benchmarks")],
    "certificates.verification_code_days": lambda: [
        _refusal(rules.check_verification_code_days, 9999, ON)
    ],
    "certificates.query_log_retention_months": lambda: [
        _basis("certificates.query_log_retention_months")
    ],
    "certificates.batch_verify_max": lambda: [_basis("certificates.batch_verify_max")],
    # the school's invitation page: 有效期N天（依据…）
    "certificates.graduate_invitation_days": lambda: [
        _basis("certificates.graduate_invitation_days")
    ],
    "students.status_change_revert_days": lambda: [_basis("students.status_change_revert_days")],
    "security.audit_log_retention_months": lambda: [_basis("security.audit_log_retention_months")],
    # online enrolment: the applicant's age and schooling by level, the 学籍's 学制
    "admissions.min_age": lambda: [
        _refusal(rules.check_applicant_age, "technician", date(2010, 1, 1), 2024, ON)
    ],
    "admissions.entry_points": lambda: [
        _refusal(rules.check_entry_point, "technician", "junior", ON)
    ],
    "admissions.course_months": lambda: [_basis("admissions.course_months")],
    # the tier division applied before the policy: the 2000-01-01 start is the platform's
    "classes.levels_standard": lambda: [
        _refusal(rules.check_level_for_tier, "school", "technician", date(2010, 1, 1))
    ],
}

# platform parameters no refusal, deadline or explanation cites (with the reason)
NOT_SHOWN = {
    "security.import_report_retention_days": "只决定错误报告的删除时间，不出现在任何提示中",
    "certificates.print_titles": "证书名称本身，印在证书上，不作为依据引用",
}


def _platform_parameters() -> set[str]:
    return {name for name in P.all() if any(c.source == "platform" for c in P.history(name))}


def test_every_platform_parameter_is_walked():
    missing = _platform_parameters() - set(TEXTS) - set(NOT_SHOWN)
    assert not missing, f"platform parameters with no text walked here: {sorted(missing)}"


def _bare_clause(text: str, clause: str) -> bool:
    """The text cites ``clause`` as its basis without saying it is a platform value."""
    return clause in text and PLATFORM not in text


@pytest.mark.parametrize("name", sorted(set(TEXTS) & set(P.all())))
def test_texts_built_on_a_platform_value_say_so(name):
    texts = TEXTS[name]()
    assert texts, f"{name}: no text produced"
    for text in texts:
        assert PLATFORM in text, f"{name}: “{text}” does not say it is a platform setting"
        clause = P.history(name)[0].clause
        assert not _bare_clause(text, clause), text


def test_a_policy_value_still_cites_its_clause():
    """The words are for platform values only: the policy's own figures keep the clause."""
    text = _refusal(rules.check_level_for_tier, "school", "technician", ON)
    assert "（六）" in text and PLATFORM not in text
    c = P.cite("targets.employment_rate_min", date(2024, 1, 1))
    assert c.basis == c.clause


def test_basis_names_the_clause_it_serves():
    """平台设定 and the clause whose procedure it fills in: “参照（二十一）”."""
    c = P.cite("workflows.review_days", ON)
    assert c.basis.startswith(PLATFORM)
    assert re.search(r"参照（二十一）", c.basis)
