"""/dashboard/ after a write: previous figures at once with their time, fresh ones next.

The refresh is a worker job enqueued after the response; the tests' immediate task
backend runs it then, in the requesting thread (tests/indicators/test_dashboard_cache.py
keeps it queued).
"""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from jigong.indicators import cache
from jigong.indicators.catalogue import today
from jigong.students.services import registration_change_status
from tests import factories as f


def _updated(html: str) -> str:
    return re.search(r'data-testid="updated-at">(.*?)</div>', html, re.S).group(1)


def _page(client, user) -> str:
    client.force_login(user)
    r = client.get("/dashboard/")
    assert r.status_code == 200
    return r.content.decode()


def _actual_in_school(html: str) -> str:
    row = re.search(r'data-testid="target-students_in_school">(.*?)</tr>', html, re.S).group(1)
    return row


def test_write_then_read_serves_previous_figures_and_refreshes_in_background(client, world):
    first = _page(client, world.municipal)
    assert "3" in _actual_in_school(first)
    assert re.search(r"数据更新于 \d\d:\d\d，每 10 分钟刷新", _updated(first))
    assert "正在后台更新" not in first

    f.registration(world.school_b, name="钱多", id_number=f.id_number(sex="M"))

    stale = _page(client, world.municipal)
    assert ">3<" in _actual_in_school(stale)  # the previous figure, not a recomputation
    assert "正在后台更新" in _updated(stale)

    fresh = _page(client, world.municipal)  # the job ran after the previous response
    assert ">4<" in _actual_in_school(fresh)
    assert "正在后台更新" not in fresh


def test_write_in_one_school_leaves_another_schools_figures_current(client, world):
    before = _page(client, world.user_a)
    assert ">1<" in _actual_in_school(before)
    _page(client, world.municipal)

    registration_change_status(  # 万州丙技工学校: a student withdraws today
        actor=world.user_b, registration=world.reg_b, status="withdrawn", changed_on=today()
    )

    again = _page(client, world.user_a)  # school_a's scope saw no write
    assert ">1<" in _actual_in_school(again) and "正在后台更新" not in again
    city = _page(client, world.municipal)  # the city's did: stale now, refreshed after
    assert ">3<" in _actual_in_school(city) and "正在后台更新" in city
    assert ">2<" in _actual_in_school(_page(client, world.municipal))


def test_own_write_shows_after_one_refresh(client, world):
    assert ">1<" in _actual_in_school(_page(client, world.user_a))
    f.registration(world.school_a, name="孙丽", id_number=f.id_number(sex="F"))
    assert ">1<" in _actual_in_school(_page(client, world.user_a))
    assert ">2<" in _actual_in_school(_page(client, world.user_a))


def test_api_and_selectors_are_never_stale(client, world):
    from jigong.indicators import selectors as S

    assert S.compute("students_in_school", user=world.municipal, year=2025)[0].value == 3
    _page(client, world.municipal)
    f.registration(world.school_b, name="钱多", id_number=f.id_number(sex="M"))
    assert S.compute("students_in_school", user=world.municipal, year=2025)[0].value == 4
    client.force_login(world.municipal)
    body = client.get("/api/v1/indicators/targets?year=2025").json()
    assert body[0]["indicator"]["code"] == "students_in_school" and body[0]["actual"] == 4


def test_figures_older_than_the_interval_are_refreshed(client, world, monkeypatch):
    _page(client, world.user_a)
    monkeypatch.setattr(cache, "MAX_AGE", 0)
    page = _page(client, world.user_a)
    assert "正在后台更新" in page and "每 1 分钟刷新" in page


def test_an_export_leaves_the_city_figures_current(client, world):
    """A school's export is audited (it holds whole ID numbers) but changes no figure:
    the city's dashboard is not recomputed because of it."""
    import io

    from jigong.core.imports.exports import export
    from jigong.core.models import AuditLog

    first = _page(client, world.municipal)
    assert "正在后台更新" not in first
    export("students", io.BytesIO(), user=world.user_a, fmt="csv")
    assert AuditLog.objects.filter(action=AuditLog.Action.EXPORT, actor=world.user_a).exists()
    with CaptureQueriesContext(connection) as queries:
        again = _page(client, world.municipal)
    assert "正在后台更新" not in _updated(again)
    assert _updated(again) == _updated(first)
    assert len(queries) < 30
