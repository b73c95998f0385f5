"""督导: findings recorded by the bureaus, followed up 待整改 → 整改中 → 已销号, scoped."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jigong.core.models import AuditLog
from jigong.quality import services
from jigong.quality.models import Finding, FindingStep

pytestmark = pytest.mark.django_db


def _finding(world, actor=None, school=None, deadline=None):
    today = timezone.localdate()
    return services.finding_create(
        actor=actor or world.district_a,
        school=school or world.school_a,
        found_on=today - datetime.timedelta(days=30),
        area="management",
        finding="实训室消防通道堵塞",
        severity="major",
        required_action="一周内清理通道并建立巡查制度",
        deadline=deadline or today - datetime.timedelta(days=1),
    )


def test_states_and_roles(world):
    f = _finding(world)
    assert f.state == "open" and f.overdue
    with pytest.raises(ValidationError) as info:
        services.finding_transition(actor=world.user_a, finding=f, action="rectify", comment=" ")
    assert "整改措施" in str(info.value)
    with pytest.raises(PermissionDenied):  # the school cannot close its own finding
        services.finding_transition(actor=world.user_a, finding=f, action="close", comment="好")
    with pytest.raises(ValidationError) as info:  # closing needs 整改中 first
        services.finding_transition(actor=world.district_a, finding=f, action="close", comment="好")
    assert "待整改" in str(info.value)
    f = services.finding_transition(
        actor=world.user_a, finding=f, action="rectify", comment="已清理通道，建立每日巡查"
    )
    assert f.state == "rectifying" and f.rectification.startswith("已清理")
    f = services.finding_transition(
        actor=world.district_a, finding=f, action="return", comment="未附巡查记录"
    )
    assert f.state == "open"
    services.finding_transition(
        actor=world.user_a, finding=f, action="rectify", comment="补充巡查记录"
    )
    f = services.finding_transition(
        actor=world.district_a, finding=f, action="close", comment="现场复查通过，巡查记录齐全"
    )
    assert f.state == "closed" and f.closed_on == timezone.localdate() and not f.overdue
    assert FindingStep.objects.filter(finding=f).count() == 4
    changes = AuditLog.objects.filter(object_type="quality.finding", object_id=str(f.pk))
    assert changes.filter(action="create").count() == 1
    assert changes.filter(action="update").latest("id").after["state"] == "closed"


def test_scope(world, client):
    with pytest.raises(PermissionDenied):  # a district only within its district
        _finding(world, actor=world.district_a, school=world.school_b)
    with pytest.raises(PermissionDenied):  # schools do not record findings
        _finding(world, actor=world.user_a)
    f = _finding(world)
    with pytest.raises(PermissionDenied):
        services.finding_transition(actor=world.user_b, finding=f, action="rectify", comment="x")
    with pytest.raises(ValidationError) as info:
        _finding(world, deadline=timezone.localdate() - datetime.timedelta(days=60))
    assert "整改期限" in str(info.value)
    assert Finding.objects.count() == 1

    client.force_login(world.user_b)
    assert client.get(f"/supervision/{f.pk}/").status_code == 404
    assert client.post(f"/supervision/{f.pk}/rectify/", {"comment": "x"}).status_code == 404
    assert world.school_a.name not in client.get("/supervision/").content.decode()
    assert client.get("/supervision/new/").status_code == 403
    client.force_login(world.district_b)
    assert client.get(f"/supervision/{f.pk}/").status_code == 404


def test_pages_and_overdue_todo(world, client):
    client.force_login(world.district_a)
    today = timezone.localdate()
    r = client.post(
        "/supervision/new/",
        {
            "school": world.school_a.pk,
            "found_on": today - datetime.timedelta(days=10),
            "area": "employment_quality",
            "severity": "minor",
            "finding": "就业去向登记不全",
            "required_action": "补录就业去向",
            "deadline": today - datetime.timedelta(days=2),
        },
    )
    assert r.status_code == 302
    f = Finding.objects.get()
    # the school's own bureau page does not offer another district's school
    page = client.get("/supervision/new/").content.decode()
    assert world.school_b.name not in page

    client.force_login(world.user_a)
    page = client.get(f"/supervision/{f.pk}/").content.decode()
    assert "提交整改措施" in page and "验收销号" not in page
    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = world.user_a
    html = Template("{% load quality %}{% quality_todo %}").render(Context({"request": request}))
    assert "逾期督导问题" in html and world.school_a.name in html
    request.user = world.user_b
    assert "逾期" not in Template("{% load quality %}{% quality_todo %}").render(
        Context({"request": request})
    )
    r = client.post(f"/supervision/{f.pk}/rectify/", {"comment": "已补录"}, follow=True)
    assert "整改中" in r.content.decode()


def test_home_page_lists_overdue_findings(world, client):
    _finding(world)
    client.force_login(world.user_a)
    assert "逾期督导问题" in client.get("/").content.decode()
    client.force_login(world.user_b)
    assert "逾期督导问题" not in client.get("/").content.decode()
