"""Rules of the workflows: deadlines, publication, plan lines, the qualification list."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jigong.policy import parameters as P
from jigong.schools import services as school_services
from jigong.workflows import licensing, services
from jigong.workflows.models import EnrolmentPlanLine, QualificationEntry
from tests import factories as f
from tests.workflows.conftest import force_state, make_brochure, make_internship, make_plan

TODAY = timezone.localdate


def test_parameters_are_cited():
    for name in ("workflows.review_days", "enrolment.plan_due", "enrolment.qualified_statuses"):
        c = P.cite(name, datetime.date(2025, 1, 1))
        assert c.clause and c.reference == "渝人社发〔2022〕32号"


# --- deadlines ----------------------------------------------------------------------


@pytest.mark.django_db
def test_cross_province_internship_filed_too_late_is_refused(world):
    start = TODAY() + datetime.timedelta(days=10)
    item = make_internship(world, start=start, province="52")
    deadline = start - datetime.timedelta(days=14)
    with pytest.raises(ValidationError) as info:
        services.transition(actor=world.user_a, item=item, action="submit")
    msg = info.value.message_dict["start_on"][0]
    assert start.isoformat() in msg and deadline.isoformat() in msg
    assert TODAY().isoformat() in msg and "（二十一）" in msg and "14天" in msg
    item.refresh_from_db()
    assert item.state == "draft"


@pytest.mark.django_db
def test_cross_province_internship_on_the_last_day_is_accepted(world):
    start = TODAY() + datetime.timedelta(days=14)
    item = make_internship(world, start=start, province="53")
    assert item.due_on == TODAY()  # the draft's deadline is the filing deadline
    services.transition(actor=world.user_a, item=item, action="submit")
    assert item.state == "submitted"
    assert item.due_on == TODAY() + datetime.timedelta(days=15)  # district review period


@pytest.mark.django_db
def test_internship_in_chongqing_has_no_lead_time(world):
    item = make_internship(world, start=TODAY() + datetime.timedelta(days=2), province="50")
    assert item.due_on is None
    services.transition(actor=world.user_a, item=item, action="submit")
    assert item.state == "submitted"


@pytest.mark.django_db
def test_internship_end_before_start_is_refused(world):
    with pytest.raises(ValidationError) as info:
        services.internship_create(
            actor=world.user_a,
            school=world.school_a,
            title="t",
            enterprise="e",
            province="50",
            location="l",
            start_on=datetime.date(2030, 9, 1),
            end_on=datetime.date(2030, 8, 1),
            students=3,
            majors="m",
        )
    assert "早于开始日期" in info.value.message_dict["end_on"][0]


@pytest.mark.django_db
def test_plan_deadlines(world):
    plan = make_plan(world, year=2031)
    assert plan.due_on == datetime.date(2031, 4, 30)
    services.transition(actor=world.user_a, item=plan, action="submit")
    assert plan.due_on == TODAY() + datetime.timedelta(days=15)


# --- brochures ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["draft", "submitted", "returned"])
def test_brochure_cannot_be_published_before_approval(world, state):
    item = force_state(make_brochure(world), state)
    with pytest.raises(ValidationError) as info:
        services.transition(actor=world.user_a, item=item, action="publish")
    assert "不能执行“标记为已发布”" in info.value.message_dict["state"][0]
    assert "备案通过" in info.value.message_dict["state"][0]
    item.refresh_from_db()
    assert item.published_on is None


@pytest.mark.django_db
def test_brochure_walk(world):
    item = make_brochure(world)
    services.transition(actor=world.user_a, item=item, action="submit")
    services.transition(actor=world.district_a, item=item, action="return", comment="缺少收费标准")
    assert item.state == "returned"
    services.brochure_update(actor=world.user_a, brochure=item, total_quota=280)
    services.transition(actor=world.user_a, item=item, action="submit")
    services.transition(actor=world.district_a, item=item, action="approve")
    services.transition(actor=world.user_a, item=item, action="publish")
    item.refresh_from_db()
    assert item.state == "published" and item.published_on == TODAY()
    assert item.total_quota == 280


@pytest.mark.django_db
def test_brochure_submit_needs_a_document(world):
    item = make_brochure(world, documents=[])
    with pytest.raises(ValidationError) as info:
        services.transition(actor=world.user_a, item=item, action="submit")
    assert "尚未上传附件" in info.value.message_dict["documents"][0]


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["submitted", "approved", "published"])
def test_no_edit_after_submission(world, state):
    item = force_state(make_brochure(world), state)
    with pytest.raises(ValidationError) as info:
        services.brochure_update(actor=world.user_a, brochure=item, title="改")
    assert "只有草稿或已退回时可以修改" in info.value.message_dict["state"][0]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["user_b", "district_a", "municipal"])
def test_only_the_school_edits_its_filing(world, who):
    item = make_brochure(world)
    with pytest.raises(PermissionDenied):
        services.brochure_update(actor=getattr(world, who), brochure=item, title="改")


@pytest.mark.django_db
def test_school_cannot_file_for_another_school(world):
    with pytest.raises(PermissionDenied):
        make_brochure(world, school=world.school_b, actor=world.user_a)


# --- enrolment plans ----------------------------------------------------------------


@pytest.mark.django_db
def test_plan_lines_and_actual(world):
    plan = make_plan(world, year=2024, quota=40)  # reg_a enrolled 2024-09-01
    line = EnrolmentPlanLine.objects.get(plan=plan)
    assert line.quota == 40
    from jigong.workflows import selectors

    lines = selectors.plan_lines(user=world.user_a, plan=plan)
    assert [(x.quota, x.actual) for x in lines] == [(40, 1)]
    services.plan_line_set(actor=world.user_a, plan=plan, school_major=line.school_major, quota=0)
    assert not EnrolmentPlanLine.objects.filter(plan=plan).exists()


@pytest.mark.django_db
def test_plan_line_for_another_schools_major_is_refused(world):
    plan = make_plan(world)
    other = world.school_b.majors.first()
    with pytest.raises(ValidationError) as info:
        services.plan_line_set(actor=world.user_a, plan=plan, school_major=other, quota=5)
    assert "不是本校开设的专业" in info.value.message_dict["school_major"][0]


@pytest.mark.django_db
def test_plan_line_for_a_suspended_major_is_refused(world):
    plan = make_plan(world, quota=0)
    sm = world.school_a.majors.first()
    school_services.school_major_update(actor=world.municipal, school_major=sm, status="suspended")
    with pytest.raises(ValidationError) as info:
        services.plan_line_set(actor=world.user_a, plan=plan, school_major=sm, quota=5)
    assert "暂停招生" in info.value.message_dict["quota"][0]


@pytest.mark.django_db
def test_cross_province_quota_only_for_partners(world):
    plan = make_plan(world)
    services.plan_cross_province_set(actor=world.user_a, plan=plan, province="51", quota=20)
    with pytest.raises(ValidationError) as info:
        services.plan_cross_province_set(actor=world.user_a, plan=plan, province="44", quota=5)
    msg = info.value.message_dict["province"][0]
    assert msg == "省份“广东省”不是跨省招生合作省份（云南省、贵州省、四川省，依据（九））"


@pytest.mark.django_db
def test_second_plan_for_the_year_is_refused(world):
    make_plan(world, year=2026)
    with pytest.raises(ValidationError) as info:
        services.plan_create(actor=world.user_a, school=world.school_a, year=2026)
    assert "已有该年度的招生计划" in info.value.message_dict["year"][0]


@pytest.mark.django_db
def test_rollup_counts_only_approved_plans_in_the_city_plan(world):
    from jigong.workflows import selectors

    a = make_plan(world, year=2024, quota=30)
    b = make_plan(world, school=world.school_b, year=2024, quota=20)
    for actor, action in [
        (world.user_a, "submit"),
        (world.district_a, "district_approve"),
        (world.municipal, "approve"),
    ]:
        services.transition(actor=actor, item=a, action=action)
    services.transition(actor=world.user_b, item=b, action="submit")
    city = selectors.plan_rollup(user=world.municipal, year=2024)
    assert city["total"]["approved"] == 30 and city["total"]["pending"] == 20
    assert city["total"]["actual"] == 3  # reg_a, reg_a2, reg_b enrolled in 2024
    district = selectors.plan_rollup(user=world.district_a, year=2024)
    assert {d["district"].code for d in district["districts"]} == {"500103"}
    assert district["total"]["pending"] == 0 and district["total"]["actual"] == 2
    school = selectors.plan_rollup(user=world.user_b, year=2024)
    assert [r["school"] for r in school["schools"]] == [world.school_b]
    assert [p["name"] for p in city["provinces"]] == ["云南省", "贵州省", "四川省"]


# --- the qualification list -----------------------------------------------------------


@pytest.mark.django_db
def test_qualification_rule(world):
    licensing.enrolment_suspend(actor=world.municipal, school=world.school_a2, reason="督导")
    f.school(district_code="500101", tier="school", name="筹建技工学校", status="founding")
    for school in (world.school_a, world.school_a2):
        item = make_brochure(world, school=school, actor=f.user("school", school=school))
        services.transition(actor=item_actor(school), item=item, action="submit")
        services.transition(actor=world.district_a, item=item, action="approve")
    ql = services.qualification_list_create(actor=world.municipal, year=2025)
    entries = {e.school_name: e for e in QualificationEntry.objects.filter(qualification_list=ql)}
    assert entries["重庆甲技师学院"].qualified
    assert not entries["重庆乙高级技工学校"].qualified
    assert "暂停招生" in entries["重庆乙高级技工学校"].reasons
    assert not entries["万州丙技工学校"].qualified  # no brochure
    assert "招生简章未备案通过" in entries["万州丙技工学校"].reasons
    assert "筹建期" in entries["筹建技工学校"].reasons


def item_actor(school):
    from jigong.core.models import User

    return User.objects.filter(school=school, role="school").first()


@pytest.mark.django_db
def test_qualification_list_recompute_and_publish(world):
    ql = services.qualification_list_create(actor=world.municipal, year=2025)
    assert ql.entries.filter(qualified=True).count() == 0
    item = make_brochure(world)
    services.transition(actor=world.user_a, item=item, action="submit")
    services.transition(actor=world.district_a, item=item, action="approve")
    services.transition(actor=world.municipal, item=ql, action="recompute")
    assert list(ql.entries.filter(qualified=True).values_list("school_name", flat=True)) == [
        "重庆甲技师学院"
    ]
    services.transition(actor=world.municipal, item=ql, action="review")
    services.transition(actor=world.municipal, item=ql, action="publish")
    ql.refresh_from_db()
    assert ql.state == "published" and ql.published_at is not None
