"""Admission within the plan (（九）): the school a choice names admits, wait-lists or
refuses it (duty 招生); never beyond the approved plan line, nor while its enrolment is
suspended, nor beyond the cross-province quota; another school cannot decide it."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jigong.admissions import selectors, services
from jigong.admissions.models import Choice, ChoiceState
from jigong.core.errors import messages_of
from jigong.core.models import AuditLog
from jigong.schools.models import School
from jigong.workflows.models import CrossProvinceQuota
from tests import factories as f
from tests.admissions.conftest import TODAY, YEAR, birth, fields

pytestmark = pytest.mark.django_db


def apply(e, *choices, **kw) -> Choice:
    """A new application; its first choice."""
    app = services.application_submit(**fields(e, *choices, **kw))
    return app.choices.order_by("rank").first()


def refusal(call, **kw) -> str:
    before = (
        list(Choice.objects.order_by("pk").values_list("state", flat=True)),
        AuditLog.objects.count(),
    )
    with pytest.raises(ValidationError) as info:
        call(**kw)
    after = (
        list(Choice.objects.order_by("pk").values_list("state", flat=True)),
        AuditLog.objects.count(),
    )
    assert after == before  # nothing written
    return " ".join(messages_of(info.value))


def test_the_school_admits_waitlists_and_refuses_with_audit_rows(enrol):
    e = enrol
    c1, c2, c3 = (apply(e) for _ in range(3))
    services.choice_admit(actor=e.clerk_a, choice=c1)
    services.choice_waitlist(actor=e.clerk_a, choice=c2, reason="名额已满，候补")
    services.choice_refuse(actor=e.clerk_a, choice=c3, reason="体检不合格")
    states = {c.pk: c.state for c in Choice.objects.all()}
    assert states == {
        c1.pk: ChoiceState.ADMITTED,
        c2.pk: ChoiceState.WAITLISTED,
        c3.pk: ChoiceState.REFUSED,
    }
    c3.refresh_from_db()
    assert c3.reason == "体检不合格" and c3.decided_at is not None
    for code in ("admission.admit", "admission.waitlist", "admission.refuse"):
        row = AuditLog.objects.get(act=code)
        assert row.actor == e.clerk_a and row.school_id == e.world.school_a.pk
    # a wait-listed choice may be admitted later
    services.choice_admit(actor=e.clerk_a, choice=c2)
    assert selectors.places(school_major=e.a_mid, year=YEAR) == (2, 2)


def test_refusing_needs_a_reason(enrol):
    c = apply(enrol)
    text = refusal(services.choice_refuse, actor=enrol.clerk_a, choice=c, reason=" ")
    assert "原因" in text


def test_only_an_open_choice_is_decided(enrol):
    e = enrol
    c = apply(e)
    services.choice_refuse(actor=e.clerk_a, choice=c, reason="不符合条件")
    text = refusal(services.choice_admit, actor=e.clerk_a, choice=c)
    assert "未录取" in text and "陈*雨" in text
    c2 = apply(e)
    services.choice_admit(actor=e.clerk_a, choice=c2)
    assert "已录取" in refusal(services.choice_admit, actor=e.clerk_a, choice=c2)
    assert "已录取" in refusal(services.choice_waitlist, actor=e.clerk_a, choice=c2)


def test_admitting_beyond_the_plan_line_is_refused_naming_quota_and_held(enrol):
    e = enrol
    # a registration of this year's intake typed outside admissions holds a place too
    f.registration(
        e.world.school_a,
        major_=e.a_mid.major,
        enrolled_on=min(datetime.date(YEAR, 9, 1), TODAY),
        id_number=f.id_number(birth=birth(16)),
    )
    c1, c2 = apply(e), apply(e)
    services.choice_admit(actor=e.clerk_a, choice=c1)
    text = refusal(services.choice_admit, actor=e.clerk_a, choice=c2)
    assert f"{YEAR}年" in text and "计划数2人" in text and "已占2人" in text
    # the other line of the school is not full
    services.choice_admit(actor=e.clerk_a, choice=apply(e, e.a_other))


def test_no_admission_while_the_schools_enrolment_is_suspended(enrol):
    e = enrol
    c = apply(e)
    School.objects.filter(pk=e.world.school_a.pk).update(status="suspended")
    c = Choice.objects.get(pk=c.pk)
    assert "暂停招生" in refusal(services.choice_admit, actor=e.clerk_a, choice=c)


def test_cross_province_applicants_are_admitted_within_the_quota(enrol):
    e = enrol
    yunnan = {"home_province": "53"}
    c1 = apply(e, e.a_other, **yunnan)
    text = refusal(services.choice_admit, actor=e.clerk_a, choice=c1)
    assert "未核定云南省跨省招生计划" in text
    CrossProvinceQuota.objects.create(plan=e.plan_a, province="53", quota=1)
    services.choice_admit(actor=e.clerk_a, choice=c1)
    c2 = apply(e, e.a_other, **yunnan)
    text = refusal(services.choice_admit, actor=e.clerk_a, choice=c2)
    assert "跨省招生计划已满" in text and "核定1人" in text
    # Chongqing applicants are not held to it
    services.choice_admit(actor=e.clerk_a, choice=apply(e, e.a_other))


def test_another_school_or_role_cannot_decide(enrol):
    e = enrol
    c = apply(e)
    clerk_b = e.world.user_b
    for call, extra in (
        (services.choice_admit, {}),
        (services.choice_waitlist, {}),
        (services.choice_refuse, {"reason": "不录取"}),
    ):
        for who in (clerk_b, e.clerk_a2, e.world.municipal, e.world.district_a):
            with pytest.raises(PermissionDenied):
                call(actor=who, choice=c, **extra)
    records_only = f.user("school", school=e.world.school_a)
    records_only.duties = ["records"]
    records_only.save()
    with pytest.raises(PermissionDenied) as info:
        services.choice_admit(actor=records_only, choice=c)
    assert "招生" in str(info.value)
    c.refresh_from_db()
    assert c.state == ChoiceState.SUBMITTED
    assert not AuditLog.objects.filter(act__startswith="admission.admit").exists()


def test_the_other_schools_choice_of_one_application_is_its_own(enrol):
    e = enrol
    app = services.application_submit(**fields(e, e.a_mid, e.a2_mid))
    mine, theirs = app.choices.order_by("rank")
    services.choice_admit(actor=e.clerk_a, choice=mine)
    services.choice_admit(actor=e.clerk_a2, choice=theirs)
    with pytest.raises(PermissionDenied):
        services.choice_refuse(actor=e.clerk_a, choice=theirs, reason="x")


def test_the_level_is_judged_by_the_schools_tier_today(enrol):
    e = enrol
    c = apply(e, e.a_tech, age=18, schooling="senior", category="senior_graduate")
    # since the application the school became a 技工学校 (退出): no 预备技师（技师）班 any more
    School.objects.filter(pk=e.world.school_a.pk).update(tier="school")
    c = Choice.objects.get(pk=c.pk)
    text = refusal(services.choice_admit, actor=e.clerk_a, choice=c)
    assert "技工学校" in text and "（六）" in text
