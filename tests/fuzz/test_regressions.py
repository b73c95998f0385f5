"""What the fuzzing found, pinned: posts that once answered 500 (on SQLite, or only on
PostgreSQL) and now get a Chinese message and write nothing; a change once unaudited."""

import pytest
from django.test import Client

from .harness import post_and_check


def _client(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.django_db
def test_hiring_dated_before_the_policy_is_not_held_to_its_minimum(world):
    """A skill post announced before the practical-test minimum was in force (2022-07-22)
    once answered 500, then a raw ParameterNotInForce message; the rule does not apply
    then (issue 12): it is recorded, while the 0–1 range still holds on any date."""
    data = {
        "school": world.school_a.pk,
        "post": "数控车工实习指导教师",
        "skill_post": "on",
        "practical_weight": "0.3",
        "skill_level_required": "高级工",
        "positions": "2",
        "announced_on": "2000-01-01",
        "hired": "0",
    }
    client = _client(world.municipal)
    out = post_and_check(client, world.municipal, "/teacher-hirings/new/", data)
    assert out.kind == "success"
    late = {**data, "announced_on": "2023-03-01"}
    out = post_and_check(client, world.municipal, "/teacher-hirings/new/", late)
    assert out.kind == "refused" and "practical_weight" in out.detail and "50%" in out.detail
    wrong = {**data, "practical_weight": "1.5"}
    out = post_and_check(client, world.municipal, "/teacher-hirings/new/", wrong)
    assert out.kind == "refused" and "应在0到1之间" in out.detail


@pytest.mark.django_db
def test_curriculum_year_zero_is_a_field_error(world):
    data = {"year": "0", "labour_spirit_hours": "16", "note": ""}
    out = post_and_check(_client(world.user_a), world.user_a, "/curriculum-records/new/", data)
    assert out.kind == "refused" and "year" in out.detail and "学年“0”不是有效年份" in out.detail


@pytest.mark.django_db
def test_founding_started_in_the_future_is_a_field_error(world):
    from tests.workflows.helpers_b import founding_world

    fw = founding_world(world)
    data = {"founding_started_on": "9999-12-31", "planned_students": "1200", "summary": "筹建"}
    out = post_and_check(_client(fw.user_small), fw.user_small, "/founding-applications/new/", data)
    assert out.kind == "refused" and "founding_started_on" in out.detail
    assert "晚于今天" in out.detail


@pytest.mark.django_db
def test_overlong_user_name_is_a_field_error(world):
    """Once only the widget knew the limit: on PostgreSQL django-axes' 255-character
    column answered 500 for a longer name."""
    response = Client().post("/accounts/login/", {"username": "测" * 300, "password": "x"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "username" in errors and "150" in str(errors["username"]), errors


@pytest.mark.django_db
def test_password_change_is_audited(world):
    from jigong.core.models import AuditLog

    data = {
        "old_password": "Jigong-Test-2025",
        "new_password1": "Chongqing-Jigong-2026!",
        "new_password2": "Chongqing-Jigong-2026!",
    }
    response = _client(world.user_a).post("/accounts/password/change/", data)
    assert response.status_code == 302
    row = AuditLog.objects.filter(actor=world.user_a).latest("pk")
    assert row.message == "修改密码" and row.object_id == str(world.user_a.pk)
    assert "Chongqing" not in str(row.after) and row.after is None


@pytest.mark.django_db
def test_nul_in_a_raw_post_reason_is_refused(world):
    """The suspension reason is read from the raw POST (no form field): a NUL reached
    PostgreSQL, which cannot store it (500)."""
    url = f"/compliance/{world.school_a.pk}/suspend/"
    out = post_and_check(_client(world.municipal), world.municipal, url, {"reason": "违规招生\x00"})
    assert out.kind == "refused"
    world.school_a.refresh_from_db()
    assert world.school_a.status == "operating"


@pytest.mark.django_db
def test_founding_edited_to_the_future_is_a_field_error(world):
    from tests.workflows.helpers_b import founding_world, make_founding

    fw = founding_world(world)
    item = make_founding(fw)
    data = {"founding_started_on": "9999-12-31", "planned_students": "1200", "summary": "筹建"}
    url = f"/founding-applications/{item.pk}/edit/"
    out = post_and_check(_client(fw.user_small), fw.user_small, url, data)
    assert out.kind == "refused" and "founding_started_on" in out.detail
    assert "晚于今天" in out.detail


@pytest.mark.django_db
def test_internship_starting_in_year_one_is_a_field_error(world):
    """A cross-province internship's filing deadline is its start less the lead days:
    before year 1 for a start on 0001-01-01 (OverflowError, 500)."""
    data = {
        "title": "数控专业顶岗实习",
        "enterprise": "成都某机械有限公司",
        "province": "51",
        "location": "四川省成都市",
        "start_on": "0001-01-01",
        "end_on": "0001-03-01",
        "students": "40",
        "majors": "数控加工",
    }
    out = post_and_check(_client(world.user_a), world.user_a, "/internship-filings/new/", data)
    assert out.kind == "refused" and "start_on" in out.detail and "0001-01-01" in out.detail


@pytest.mark.django_db
def test_nul_in_a_transition_comment_is_refused(world, settings, tmp_path):
    """The workflow and supervision comments are read from the raw POST too (500 on
    PostgreSQL); the step is not taken."""
    import datetime

    from jigong.quality import services as quality
    from jigong.quality.models import Finding
    from tests.workflows.conftest import make_brochure

    settings.MEDIA_ROOT = tmp_path / "media"
    client = _client(world.user_a)
    brochure = make_brochure(world)
    url = f"/workflows/brochure/{brochure.pk}/submit/"
    assert post_and_check(client, world.user_a, url, {"comment": "请审核\x00"}).kind == "refused"
    finding = quality.finding_create(
        actor=world.municipal,
        school=world.school_a,
        found_on=datetime.date(2025, 3, 1),
        area="employment_quality",
        finding="就业统计不全",
        severity="minor",
        required_action="补齐台账",
        deadline=datetime.date(2025, 6, 30),
    )
    url = f"/supervision/{finding.pk}/rectify/"
    out = post_and_check(client, world.user_a, url, {"comment": "已补齐\x00台账"})
    assert out.kind == "refused"
    assert Finding.objects.get(pk=finding.pk).state == "open"
