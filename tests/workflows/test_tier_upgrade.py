"""晋级 (（二十一） 完善晋级和退出机制; （六） class levels by tier): a school applies to
move exactly one tier up, the district reviews first, the city bureau decides; on
approval the tier changes through the one act ``school.change_tier``, which records the
old and new tier, the effective date and the decision. From the effective date the
class levels allowed follow the new tier; earlier registrations stay valid. The same
act serves 退出 (a tier withdrawn by the city bureau)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jigong.core.errors import messages_of
from jigong.core.models import AuditLog
from jigong.schools import services as school_services
from jigong.schools.models import TierChange
from jigong.students import services as student_services
from jigong.workflows import services, upgrades
from jigong.workflows.models import TierUpgradeApplication
from tests import factories as f
from tests.workflows.conftest import pdf

pytestmark = pytest.mark.django_db

EFFECTIVE = datetime.date(2025, 3, 1)


def _text(exc) -> str:
    return " ".join(messages_of(exc))


def _apply(w, school=None, actor=None, **kw):
    school = school or w.school_b
    actor = actor or (w.user_b if school == w.school_b else w.municipal)
    fields = {
        "stated_students": 1800,
        "stated_teachers": 96,
        "stated_majors": 12,
        "summary": "办学条件已达高级技工学校设置标准",
        "documents": [pdf("晋级申请报告.pdf")],
    }
    fields.update(kw)
    return upgrades.upgrade_apply(actor=actor, school=school, **fields)


def _approved(w, effective_on=EFFECTIVE):
    item = _apply(w)
    services.transition(actor=w.user_b, item=item, action="submit")
    services.transition(actor=w.district_b, item=item, action="district_forward")
    services.transition(
        actor=w.municipal,
        item=item,
        action="approve",
        comment="渝人社〔2025〕1号批准",
        values={"effective_on": effective_on},
    )
    item.refresh_from_db()
    return item


# --- who may apply --------------------------------------------------------------------


def test_a_school_applies_for_exactly_the_next_tier(world):
    item = _apply(world)
    assert (item.from_tier, item.to_tier, item.state) == ("school", "senior_school", "draft")
    assert AuditLog.objects.filter(act="tier_upgrade.apply").exists()


def test_a_technician_college_cannot_apply(world):
    with pytest.raises(ValidationError) as info:
        _apply(world, school=world.school_a, actor=world.user_a)
    assert "技师学院" in _text(info.value) and "最高" in _text(info.value)
    assert not TierUpgradeApplication.objects.exists()


def test_a_suspended_school_or_one_with_an_open_application_cannot_apply(world):
    from jigong.workflows import licensing

    _apply(world)
    with pytest.raises(ValidationError) as info:
        _apply(world)
    assert "尚未办结的晋级申请" in _text(info.value)
    TierUpgradeApplication.objects.all().delete()
    licensing.enrolment_suspend(actor=world.municipal, school=world.school_b, reason="违规招生")
    world.school_b.refresh_from_db()
    with pytest.raises(ValidationError) as info:
        _apply(world)
    assert "暂停招生" in _text(info.value)


def test_another_school_cannot_apply_for_a_school(world):
    with pytest.raises(PermissionDenied):
        _apply(world, school=world.school_b, actor=world.user_a)


# --- review ---------------------------------------------------------------------------


def test_district_then_city_and_the_tier_changes_through_one_act(world):
    item = _approved(world)
    assert item.state == "approved"
    world.school_b.refresh_from_db()
    assert world.school_b.tier == "senior_school"
    change = TierChange.objects.get(school=world.school_b)
    assert (change.from_tier, change.to_tier, change.effective_on) == (
        "school",
        "senior_school",
        EFFECTIVE,
    )
    assert "渝人社〔2025〕1号批准" in change.decision and str(item.pk) in change.decision
    assert item.tier_change == change
    row = AuditLog.objects.get(act="school.change_tier", object_type="schools.school")
    assert row.before == {"tier": "school"} and row.after == {"tier": "senior_school"}


def test_each_role_acts_only_in_its_step(world):
    item = _apply(world)
    with pytest.raises(PermissionDenied):  # the district does not submit for the school
        services.transition(actor=world.district_b, item=item, action="submit")
    services.transition(actor=world.user_b, item=item, action="submit")
    with pytest.raises(PermissionDenied):  # the city decides after the district
        services.transition(
            actor=world.municipal, item=item, action="district_forward", comment="x"
        )
    with pytest.raises(PermissionDenied):  # another district's school
        services.transition(actor=world.district_a, item=item, action="district_forward")
    services.transition(actor=world.district_b, item=item, action="district_forward")
    with pytest.raises(PermissionDenied):  # the district does not decide
        services.transition(
            actor=world.district_b, item=item, action="approve", values={"effective_on": EFFECTIVE}
        )
    with pytest.raises(ValidationError) as info:  # no effective date: nothing changes
        services.transition(actor=world.municipal, item=item, action="approve")
    assert "生效日期" in _text(info.value)
    world.school_b.refresh_from_db()
    assert world.school_b.tier == "school"


def test_return_and_refusal_need_a_reason(world):
    item = _apply(world)
    services.transition(actor=world.user_b, item=item, action="submit")
    with pytest.raises(ValidationError):
        services.transition(actor=world.district_b, item=item, action="district_return")
    services.transition(
        actor=world.district_b, item=item, action="district_return", comment="补充师资材料"
    )
    item.refresh_from_db()
    assert item.state == "returned"
    services.transition(actor=world.user_b, item=item, action="submit")
    services.transition(actor=world.district_b, item=item, action="district_forward")
    with pytest.raises(ValidationError):
        services.transition(actor=world.municipal, item=item, action="reject")
    services.transition(actor=world.municipal, item=item, action="reject", comment="专任教师不足")
    item.refresh_from_db()
    world.school_b.refresh_from_db()
    assert item.state == "rejected" and world.school_b.tier == "school"
    _apply(world)  # a refused application is closed: the school may apply again


def test_a_submission_needs_a_document(world):
    item = _apply(world, documents=[])
    with pytest.raises(ValidationError) as info:
        services.transition(actor=world.user_b, item=item, action="submit")
    assert "附件" in _text(info.value)


# --- the tier's effect on class levels (（六）) ------------------------------------------


def _enrol(w, level, day):
    major = w.reg_b.major
    return student_services.registration_create(
        actor=w.user_b,
        school=w.school_b,
        major=major,
        level=level,
        entry_point="junior",
        duration_months=36,
        track="full_time",
        source="junior_graduate",
        enrolled_on=day,
        id_number=f.id_number(birth=datetime.date(2009, 1, 2)),
        name="晋级生",
        home_province="50",
    )


def test_levels_follow_the_new_tier_from_the_effective_date(world):
    from jigong.schools.selectors import tier_on

    # a 技工学校 runs no 预备技师班; a 高级技校 may explore it (（六）)
    with pytest.raises(ValidationError):
        f.school_major(world.school_b, world.reg_b.major, "technician", year=2025)
    _approved(world)
    world.school_b.refresh_from_db()
    assert tier_on(world.school_b, EFFECTIVE - datetime.timedelta(days=1)) == "school"
    assert tier_on(world.school_b, EFFECTIVE) == "senior_school"
    f.school_major(world.school_b, world.reg_b.major, "technician", year=2025)
    with pytest.raises(ValidationError) as info:  # before the effective date: old tier
        _enrol(world, "technician", EFFECTIVE - datetime.timedelta(days=1))
    assert "技工学校" in _text(info.value)
    reg = _enrol(world, "technician", EFFECTIVE)
    assert reg.level == "technician"
    # the 技工学校's earlier registrations stay valid and are still corrected
    student_services.registration_update(
        actor=world.user_b, registration=world.reg_b, duration_months=48, reason="学制录错"
    )


# --- 退出, and no other way to change a tier ---------------------------------------------


def test_the_city_withdraws_a_tier_but_never_raises_one_outside_the_procedure(world):
    school = world.school_a2  # 高级技校
    with pytest.raises(ValidationError) as info:
        school_services.school_change_tier(
            actor=world.municipal,
            school=school,
            tier="technician_college",
            effective_on=EFFECTIVE,
            decision="直接升格",
        )
    assert "晋级申请" in _text(info.value)
    school_services.school_change_tier(
        actor=world.municipal,
        school=school,
        tier="school",
        effective_on=EFFECTIVE,
        decision="渝人社〔2025〕9号：不再具备高级技校条件，退出",
    )
    school.refresh_from_db()
    assert school.tier == "school"
    change = TierChange.objects.get(school=school)
    assert (change.from_tier, change.to_tier) == ("senior_school", "school")
    with pytest.raises(PermissionDenied):
        school_services.school_change_tier(
            actor=world.district_a,
            school=school,
            tier="school",
            effective_on=EFFECTIVE,
            decision="x",
        )


def test_the_import_refuses_a_tier_change_naming_the_procedure(world, tmp_path):
    from jigong.core.imports import run_import
    from tests.acts.test_issue12_cases import _header_index, _own_export

    wb, ws, out = _own_export(world.municipal, tmp_path)
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == world.school_b.code)
    ws.cell(row=row, column=_header_index(ws, "层次"), value="高级技校")
    wb.save(out)
    r = run_import("schools", out.read_bytes(), filename=out.name, user=world.municipal)
    assert not r.ok
    text = " ".join(e.message for e in r.errors)
    assert "晋级申请" in text, text
    world.school_b.refresh_from_db()
    assert world.school_b.tier == "school"


def test_the_admin_refuses_a_tier_change_naming_the_procedure(client, world):
    root = f.user("municipal", username="root")
    root.is_superuser = root.is_staff = True
    root.save(update_fields=["is_superuser", "is_staff"])
    client.force_login(root)
    url = f"/admin/schools/school/{world.school_b.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {k: (v.pk if hasattr(v, "pk") else v) for k, v in form.initial.items() if v is not None}
    data["tier"] = "senior_school"
    r = client.post(url, data)
    assert "晋级申请" in r.content.decode()
    world.school_b.refresh_from_db()
    assert world.school_b.tier == "school"


# --- pages ----------------------------------------------------------------------------


def test_pages_show_stated_and_register_figures_and_the_tier_history(client, world):
    item = _apply(world)
    client.force_login(world.user_b)
    page = client.get(f"/tier-upgrades/{item.pk}/").content.decode()
    assert "晋级申请" in page and "1800" in page and "平台登记" in page
    assert "在校生" in page and "专任教师" in page
    client.force_login(world.user_a)
    assert client.get(f"/tier-upgrades/{item.pk}/").status_code == 404
    client.force_login(world.district_a)
    assert client.get(f"/tier-upgrades/{item.pk}/").status_code == 404
    client.force_login(world.district_b)
    assert client.get(f"/tier-upgrades/{item.pk}/").status_code == 200
    TierUpgradeApplication.objects.all().delete()
    _approved(world)
    client.force_login(world.user_b)
    page = client.get(f"/schools/{world.school_b.pk}/").content.decode()
    assert "层次变更记录" in page and "2025-03-01" in page and "渝人社〔2025〕1号批准" in page


def test_the_school_applies_through_its_page(client, world):
    client.force_login(world.user_b)
    r = client.get("/tier-upgrades/new/")
    assert r.status_code == 200 and "高级技校" in r.content.decode()
    r = client.post(
        "/tier-upgrades/new/",
        {
            "stated_students": "1500",
            "stated_teachers": "80",
            "stated_majors": "10",
            "summary": "申请晋级",
        },
    )
    assert r.status_code == 302
    item = TierUpgradeApplication.objects.get()
    assert item.school == world.school_b and item.to_tier == "senior_school"
    client.force_login(world.user_a)  # a 技师学院: refused on the page, not a 500
    r = client.post(
        "/tier-upgrades/new/",
        {"stated_students": "1", "stated_teachers": "1", "stated_majors": "1", "summary": "x"},
    )
    assert r.status_code == 200 and "技师学院" in r.content.decode()


def test_each_step_is_on_the_next_roles_to_do_list(world):
    from jigong.workflows.selectors import todo

    def waiting(user):
        return [r["item"].pk for r in todo(user=user) if r["kind"] == "晋级申请"]

    item = _apply(world)
    assert waiting(world.user_b) == [item.pk] and waiting(world.district_b) == []
    services.transition(actor=world.user_b, item=item, action="submit")
    assert waiting(world.district_b) == [item.pk]
    assert waiting(world.district_a) == [] and waiting(world.municipal) == []
    services.transition(actor=world.district_b, item=item, action="district_forward")
    assert waiting(world.municipal) == [item.pk] and waiting(world.district_b) == []


def test_the_city_approves_on_the_page_with_the_effective_date(client, world):
    item = _apply(world)
    services.transition(actor=world.user_b, item=item, action="submit")
    services.transition(actor=world.district_b, item=item, action="district_forward")
    client.force_login(world.municipal)
    page = client.get(f"/tier-upgrades/{item.pk}/").content.decode()
    assert 'name="effective_on"' in page and "批准晋级" in page
    url = f"/workflows/tier_upgrade/{item.pk}/approve/"
    r = client.post(url, {"effective_on": "2025-13-01", "comment": "批准"}, follow=True)
    assert "生效日期“2025-13-01”" in r.content.decode()
    world.school_b.refresh_from_db()
    assert world.school_b.tier == "school"
    client.post(url, {"effective_on": "2025-03-01", "comment": "渝人社〔2025〕1号"})
    world.school_b.refresh_from_db()
    assert world.school_b.tier == "senior_school"
    assert TierChange.objects.get().effective_on == EFFECTIVE


def test_a_tier_cannot_take_effect_after_the_day_it_is_decided(world):
    """The register's tier is the school's tier today: an approval (or 退出) dated to take
    effect later would show the new tier on every page before it holds."""
    from django.utils import timezone

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as info:
        _approved(world, effective_on=tomorrow)
    assert "生效日期" in _text(info.value) and tomorrow.isoformat() in _text(info.value)
    world.school_b.refresh_from_db()
    assert world.school_b.tier == "school" and not TierChange.objects.exists()
    with pytest.raises(ValidationError):
        school_services.school_change_tier(
            actor=world.municipal,
            school=world.school_a2,
            tier="school",
            effective_on=tomorrow,
            decision="渝人社〔2026〕9号：退出",
        )
