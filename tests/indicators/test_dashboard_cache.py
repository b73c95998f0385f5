"""/dashboard/ never makes a person wait (issue 19, point 4): the last computed figures at
once with their time, the recomputation a worker job (one queued per scope), the new
figures once the job has run; every scope's default view warmed after an import and by
`jigong warm`."""

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jigong.indicators import cache, tasks
from jigong.indicators.catalogue import today
from jigong.students.services import registration_change_status
from tests import factories as f
from tests.imports.conftest import as_rows, student_row  # noqa: F401  (fixture)

PLUMBING = ("django_session", "core_user", "otp_", "SAVEPOINT", "django_tasks_", "axes_")


@pytest.fixture
def queue(settings):
    """The worker's queue (django-tasks-db): a job stays queued until it is run."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _queued():
    from django_tasks_db.models import DBTaskResult

    return list(
        DBTaskResult.objects.filter(
            task_path=tasks.refresh_dashboard.module_path, status="READY"
        ).order_by("enqueued_at")
    )


def _run(job) -> None:
    """Run a queued refresh as the worker would."""
    tasks.refresh_dashboard.call(*job.args_kwargs["args"], **job.args_kwargs["kwargs"])


def _page(client, user, query: str = "") -> str:
    client.force_login(user)
    r = client.get("/dashboard/" + query)
    assert r.status_code == 200
    return r.content.decode()


def _figure_queries(client, user, query: str = "") -> tuple[str, list]:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        r = client.get("/dashboard/" + query)
    assert r.status_code == 200
    sql = [
        q["sql"]
        for q in queries.captured_queries
        if not any(p in q["sql"] for p in PLUMBING) and not q["sql"].endswith("LIMIT 21")
    ]  # figures, not the session, the user or their own school's or district's name
    return r.content.decode(), sql


def _computed_nothing(sql: list) -> bool:
    """No figure was computed: a few look-ups (latest year, the scope's version), no
    grouped count of the registers."""
    return len(sql) < 6 and not any("GROUP BY" in q for q in sql)


def _updated(page: str) -> str:
    return re.search(r'data-testid="updated-at">(.*?)</div>', page, re.S).group(1)


def _actual(page: str, code: str = "students_in_school") -> str:
    return re.search(rf'data-testid="actual-{code}">(.*?)<', page).group(1)


def test_stale_figures_at_once_one_job_queued_and_fresh_after_it(client, world, queue):
    first = _page(client, world.municipal)
    assert _actual(first) == "3" and "正在后台更新" not in first
    assert _queued() == []
    shown = re.search(r"数据更新于 (\d\d:\d\d)", _updated(first)).group(1)

    f.registration(world.school_b, name="钱多", id_number=f.id_number(sex="M"))

    for _ in range(3):  # three visits while the job waits: the figures of before, one job
        page, sql = _figure_queries(client, world.municipal)
        assert _actual(page) == "3" and "正在后台更新" in _updated(page)
        assert f"数据更新于 {shown}" in _updated(page)
        assert _computed_nothing(sql), sql
    jobs = _queued()
    assert len(jobs) == 1, [j.args_kwargs for j in jobs]
    assert jobs[0].args_kwargs["kwargs"]["scope"] == "city"

    _run(jobs[0])
    fresh = _page(client, world.municipal)
    assert _actual(fresh) == "4" and "正在后台更新" not in fresh


def test_each_scope_queues_its_own_job(client, world, queue):
    _page(client, world.municipal)
    _page(client, world.district_b)
    _page(client, world.user_a)
    registration_change_status(  # 万州丙技工学校: a student withdraws today
        actor=world.user_b, registration=world.reg_b, status="withdrawn", changed_on=today()
    )

    assert _actual(_page(client, world.district_b)) == "1"  # served, then queued
    assert _actual(_page(client, world.municipal)) == "3"
    assert "正在后台更新" not in _page(client, world.user_a)  # its school saw no write
    scopes = sorted(j.args_kwargs["kwargs"]["scope"] for j in _queued())
    assert scopes == sorted(["city", cache.scope_key(world.district_b)])
    for job in _queued():
        _run(job)
    assert _actual(_page(client, world.district_b)) == "无数据"  # no student left
    assert _actual(_page(client, world.municipal)) == "2"


def test_another_view_is_refreshed_by_its_job(client, world, queue):
    query = "?year=2025&indicator=students_in_school&by=school"
    _page(client, world.municipal, query)
    f.registration(world.school_b, name="钱多", id_number=f.id_number(sex="M"))
    page = _page(client, world.municipal, query)
    assert "正在后台更新" in page
    (job,) = _queued()
    _run(job)
    page, sql = _figure_queries(client, world.municipal, query)
    assert "正在后台更新" not in page and _computed_nothing(sql), sql
    assert _actual(page) == "4"


def test_warm_computes_every_scopes_default_view(client, world):
    out = io.StringIO()
    call_command("warm", stdout=out)
    assert "区县" in out.getvalue() and "学校" in out.getvalue()
    for user in (world.municipal, world.district_a, world.district_b, world.user_a, world.user_b):
        page, sql = _figure_queries(client, user)
        assert _computed_nothing(sql), (user.username, sql)
        assert "正在后台更新" not in page


def test_an_import_warms_the_scopes_it_changed(
    client,
    world,
    tmp_path,
    settings,
    student_row,  # noqa: F811
    warming_after_imports,
):
    """After an import (run by the worker; here at once), the first visit of the
    importing school's, its district's and the city's dashboard computes nothing."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jigong.jobs import services
    from tests.imports.helpers import xlsx

    settings.MEDIA_ROOT = tmp_path / "media"
    for user in (world.municipal, world.district_a, world.user_a):
        _page(client, user)
    rows = [student_row(name="钱一"), student_row(name="孙二")]
    header, data = as_rows(rows)
    upload = SimpleUploadedFile("学籍.xlsx", xlsx(data, header=header))
    job = services.import_job_submit(actor=world.user_a, kind="students", upload=upload, mode="all")
    job.refresh_from_db()
    assert job.state == "done" and job.created == 2, job.summary
    for user, expected in ((world.user_a, "3"), (world.district_a, "4"), (world.municipal, "5")):
        page, sql = _figure_queries(client, user)
        assert _computed_nothing(sql), (user.username, sql)
        assert "正在后台更新" not in page and _actual(page) == expected, user.username


def _in_school(page: str) -> str:
    return re.search(r'data-testid="figure-in-school">(.*?)<', page).group(1)


def test_home_figures_are_served_at_once_and_refreshed_by_the_job(client, world, queue):
    client.force_login(world.municipal)
    first = client.get("/").content.decode()
    assert _in_school(first) == "3" and "数据更新于" in first
    f.registration(world.school_b, name="钱多", id_number=f.id_number(sex="M"))
    client.force_login(world.municipal)
    with CaptureQueriesContext(connection) as queries:
        stale = client.get("/").content.decode()
    assert _in_school(stale) == "3" and "正在后台更新" in stale
    # the figures' count of the registers is not made in the request
    assert not any('AS "in_school"' in q["sql"] for q in queries.captured_queries)
    (job,) = _queued()
    _run(job)
    fresh = client.get("/").content.decode()
    assert _in_school(fresh) == "4" and "正在后台更新" not in fresh
