"""Applying (招生报名, （九）（十）): the public act ``admission.apply`` and the school's
offline entry ``admission.enter`` check the same rules, each refusal naming the field
and the rule in Chinese; nothing is written when one fails."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jigong.admissions import selectors, services
from jigong.admissions.models import Application, Channel, Choice, ChoiceState
from jigong.core.models import AuditLog
from jigong.schools.models import School
from tests import factories as f
from tests.admissions.conftest import TODAY, YEAR, fields

pytestmark = pytest.mark.django_db


def refused(call, **kw) -> dict:
    """The error dict of a refused submission; nothing was written."""
    before = (Application.objects.count(), Choice.objects.count(), AuditLog.objects.count())
    with pytest.raises(ValidationError) as info:
        call(**kw)
    after = (Application.objects.count(), Choice.objects.count(), AuditLog.objects.count())
    assert after == before
    return info.value.message_dict


def submit_refused(e, *choices, **kw) -> dict:
    return refused(services.application_submit, **fields(e, *choices, **kw))


def test_an_applicant_applies_online_and_reads_it_back_by_the_proof(enrol):
    e = enrol
    data = fields(e, e.a_mid, e.a2_mid)
    app = services.application_submit(**data)
    assert re.fullmatch(rf"BM{YEAR}-[0-9A-HJKMNP-TV-Z]{{10}}", app.reference)
    assert app.channel == Channel.ONLINE and app.home_province == data["id_number"][:2]
    ranks = [(c.rank, c.school_id, c.state) for c in app.choices.order_by("rank")]
    assert ranks == [
        (1, e.world.school_a.pk, ChoiceState.SUBMITTED),
        (2, e.world.school_a2.pk, ChoiceState.SUBMITTED),
    ]
    row = AuditLog.objects.get(act="admission.apply")
    assert row.actor is None and app.reference in row.object_repr
    assert data["id_number"] not in str(row.after)  # sealed: masked in the log
    found = selectors.application_by_proof(reference=app.reference, id_number=data["id_number"])
    assert found == app
    other = f.id_number(birth=datetime.date(YEAR - 15, 3, 1))
    assert selectors.application_by_proof(reference=app.reference, id_number=other) is None
    assert (
        selectors.application_by_proof(reference="BM2026-XXXXXXXXXX", id_number=data["id_number"])
        is None
    )


def test_two_references_differ(enrol):
    a = services.application_submit(**fields(enrol))
    b = services.application_submit(**fields(enrol))
    assert a.reference != b.reference


def test_an_id_number_failing_gb11643_is_refused(enrol):
    good = f.id_number()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    errors = submit_refused(enrol, id_number=bad)
    assert "GB 11643" in " ".join(errors["id_number"])


def test_an_applicant_too_young_for_the_level_is_refused_naming_the_age(enrol):
    errors = submit_refused(enrol, enrol.a_mid, age=12)
    text = " ".join(errors["choices.1.school_major"])
    assert "12周岁" in text and f"{YEAR}年9月1日" in text and "平台设定" in text


def test_a_school_not_qualified_on_the_published_list_is_refused(enrol):
    errors = submit_refused(enrol, enrol.b_mid)
    text = " ".join(errors["choices.1.school_major"])
    assert enrol.world.school_b.name in text and "招生资质名单" in text


def test_only_the_latest_published_list_counts(enrol):
    from jigong.workflows.models import QualificationList

    # a newer list without school_a: school_a is no longer on the list
    QualificationList.objects.create(year=YEAR + 1, state="published")
    errors = submit_refused(enrol, enrol.a_mid)
    assert "招生资质名单" in " ".join(errors["choices.1.school_major"])


def test_a_suspended_school_is_refused(enrol):
    School.objects.filter(pk=enrol.world.school_a.pk).update(status="suspended")
    errors = submit_refused(enrol, enrol.a_mid)
    assert "暂停招生" in " ".join(errors["choices.1.school_major"])


def test_a_closed_season_is_refused(enrol):
    enrol.season.closes_on = TODAY - datetime.timedelta(days=1)
    enrol.season.save()
    errors = submit_refused(enrol)
    assert "报名时间" in " ".join(errors["season"])


def test_a_second_application_in_the_season_is_refused_without_its_reference(enrol):
    data = fields(enrol)
    first = services.application_submit(**data)
    again = dict(data, choices=[{"school_major": enrol.a2_mid, "track": "full_time"}])
    errors = refused(services.application_submit, **again)
    text = " ".join(errors["id_number"])
    assert text == "该身份证号本招生季已有报名，请凭报名号查询"
    assert first.reference not in text


def test_more_choices_than_the_season_allows_are_refused(enrol):
    enrol.season.max_choices = 2
    enrol.season.save()
    errors = submit_refused(enrol, enrol.a_mid, enrol.a2_mid, enrol.a_other)
    assert "最多可填2个志愿" in " ".join(errors["choices"])
    assert "至少" in " ".join(submit_refused(enrol, choices=[])["choices"])


def test_the_same_choice_twice_is_refused(enrol):
    errors = submit_refused(enrol, enrol.a_mid, enrol.a_mid)
    assert "重复" in " ".join(errors["choices.2.school_major"])


def test_a_major_without_an_approved_plan_line_is_refused(enrol):
    enrol.plan_a2.state = "submitted"
    enrol.plan_a2.save()
    errors = submit_refused(enrol, enrol.a2_mid)
    assert f"{YEAR}年" in " ".join(errors["choices.1.school_major"])
    assert "招生计划" in " ".join(errors["choices.1.school_major"])


def test_a_major_no_longer_open_is_refused(enrol):
    from jigong.schools.models import SchoolMajor

    SchoolMajor.objects.filter(pk=enrol.a_other.pk).update(status="suspended")
    errors = submit_refused(enrol, enrol.a_other)
    assert "停招" in " ".join(errors["choices.1.school_major"])


def test_schooling_must_fit_the_level(enrol):
    # 预备技师（技师）班 takes 高中起点 applicants: a junior graduate is refused
    errors = submit_refused(enrol, enrol.a_tech, age=17)
    assert "前置学历" in " ".join(errors["choices.1.school_major"])
    # a senior graduate may apply; a junior one to the five-year 高级工班 too
    services.application_submit(
        **fields(enrol, enrol.a_tech, age=18, schooling="senior", category="senior_graduate")
    )
    services.application_submit(**fields(enrol, enrol.a_adv, age=15))


def test_bad_applicant_fields_are_refused_naming_each(enrol):
    errors = submit_refused(enrol, name=" ", phone="12345", category="tourist", schooling="phd")
    assert {"name", "phone", "category", "schooling"} <= set(errors)
    assert "12345" in " ".join(errors["phone"])


def test_part_time_enterprise_employee_names_the_enterprise_and_a_year(enrol):
    pt = {"school_major": enrol.a_mid, "track": "part_time"}
    base = {"age": 30, "category": "enterprise_employee", "schooling": "senior"}
    errors = submit_refused(enrol, pt, **base, enterprise_code="", arrangement_months=12)
    assert "统一社会信用代码" in " ".join(errors["enterprise_code"])
    code = f.credit_code()
    bad = code[:-1] + ("0" if code[-1] != "0" else "1")
    errors = submit_refused(enrol, pt, **base, enterprise_code=bad, arrangement_months=12)
    assert "GB 32100" in " ".join(errors["enterprise_code"])
    errors = submit_refused(enrol, pt, **base, enterprise_code=code, arrangement_months=6)
    text = " ".join(errors["arrangement_months"])
    assert "6个月" in text and "12个月" in text and "（十）" in text
    app = services.application_submit(
        **fields(enrol, pt, **base, enterprise_code=code, arrangement_months=12)
    )
    assert app.enterprise_code == code and app.arrangement_months == 12


def test_a_school_enters_an_offline_application_for_itself_only(enrol):
    e = enrol
    app = services.application_enter(actor=e.clerk_a, school=e.world.school_a, **fields(e))
    assert app.channel == Channel.OFFLINE and app.entered_by_school == e.world.school_a
    row = AuditLog.objects.get(act="admission.enter")
    assert row.actor == e.clerk_a and row.school_id == e.world.school_a.pk
    errors = refused(
        services.application_enter,
        actor=e.clerk_a,
        school=e.world.school_a,
        **fields(e, e.a_mid, e.a2_mid),
    )
    assert "只能录入本校" in " ".join(errors["choices.2.school_major"])
    # the same rules as online
    errors = refused(
        services.application_enter, actor=e.clerk_a, school=e.world.school_a, **fields(e, age=12)
    )
    assert "12周岁" in " ".join(errors["choices.1.school_major"])


def test_offline_entry_is_refused_outside_the_clerks_school_or_without_the_duty(enrol):
    e = enrol
    with pytest.raises(PermissionDenied):
        services.application_enter(actor=e.world.user_b, school=e.world.school_a, **fields(e))
    for who in (e.world.municipal, e.world.district_a, e.world.department, e.world.graduate):
        with pytest.raises(PermissionDenied):
            services.application_enter(actor=who, school=e.world.school_a, **fields(e))
    records_only = f.user("school", school=e.world.school_a)
    records_only.duties = ["records"]
    records_only.save()
    with pytest.raises(PermissionDenied) as info:
        services.application_enter(actor=records_only, school=e.world.school_a, **fields(e))
    assert "招生" in str(info.value)
    assert not Application.objects.exists()


def test_season_set_is_the_citys(enrol):
    e = enrol
    s = services.season_set(
        actor=e.world.municipal,
        year=YEAR + 1,
        opens_on=datetime.date(YEAR + 1, 5, 1),
        closes_on=datetime.date(YEAR + 1, 8, 31),
        max_choices=2,
    )
    assert s.max_choices == 2 and AuditLog.objects.filter(act="admission.season_set").exists()
    with pytest.raises(ValidationError) as info:
        services.season_set(
            actor=e.world.municipal,
            year=YEAR + 1,
            opens_on=datetime.date(YEAR + 1, 9, 1),
            closes_on=datetime.date(YEAR + 1, 8, 31),
        )
    assert "closes_on" in info.value.message_dict
    for who in (e.world.district_a, e.world.user_a):
        with pytest.raises(PermissionDenied):
            services.season_set(
                actor=who, year=YEAR + 2, opens_on=TODAY, closes_on=TODAY, max_choices=3
            )


def test_school_choices_are_scoped(enrol):
    e = enrol
    services.application_submit(**fields(e, e.a_mid, e.a2_mid))
    mine = selectors.school_choices(user=e.clerk_a)
    assert {c.school_id for c in mine} == {e.world.school_a.pk}
    assert selectors.school_choices(user=e.world.user_b).count() == 0
    assert selectors.school_choices(user=e.world.municipal).count() == 2
    assert selectors.school_choices(user=e.world.district_a).count() == 2
    assert selectors.school_choices(user=e.world.department).count() == 0
    assert selectors.school_choices(user=e.clerk_a, state="admitted").count() == 0


def test_places_count_the_plan_line_and_what_holds_it(enrol):
    e = enrol
    assert selectors.places(school_major=e.a_mid, year=YEAR) == (2, 0)
    assert selectors.places(school_major=e.a_mid, year=YEAR + 1) == (0, 0)


def test_the_citys_adjusted_minimum_age_and_entry_points_apply_at_once(enrol):
    from jigong.reference.services import platform_setting_adjust

    e = enrol
    services.application_submit(**fields(e, e.a_adv, age=15))  # default: 14 and 初中起点
    platform_setting_adjust(
        actor=e.world.municipal,
        values={
            "admissions.min_age": "{intermediate: 16, advanced: 15, technician: 16}",
            "admissions.entry_points": (
                "{intermediate: [junior, senior], advanced: [senior], technician: [senior]}"
            ),
        },
        start=TODAY,
        reason="市人社局招生工作会议决定",
    )
    errors = submit_refused(e, e.a_mid, age=15)
    assert "15周岁" in " ".join(errors["choices.1.school_major"])
    assert "须年满16周岁" in " ".join(errors["choices.1.school_major"])
    errors = submit_refused(e, e.a_adv, age=15)
    assert "高级工班招收高中起点" in " ".join(errors["choices.1.school_major"])


@pytest.mark.parametrize("name", ["=HYPERLINK(1)", "陈\x00雨", "张" * 40])
def test_a_name_a_spreadsheet_or_the_database_would_misread_is_refused(enrol, name):
    errors = submit_refused(enrol, name=name)
    assert errors["name"] and "姓名" in " ".join(errors["name"])
