"""kill -9 of the server and the worker in the middle of an import and of a batch
graduation (certificate issuing), both driven through the web pages like a user.

The kill point is deterministic without any hook in the code: the test waits until the
job has finished validating (its row count is committed) and the import's single write
transaction is open — on SQLite the database's write lock is held, on PostgreSQL a
backend holds a transaction id — and kills both processes while it is still open.
Then: nothing of the import is in the database (all-or-nothing, docs/architecture.md),
the job still shows 执行中, and a worker restarted under the same id — or under another
id — re-queues it and writes every row exactly once — one certificate per graduate,
numbers unique."""

import datetime
import os
import signal
import sqlite3
import subprocess
import time

import pytest
from django.db import connection
from django.db.models import Count

from jigong.certificates.models import GraduationCertificate
from jigong.jobs.models import ImportJob
from jigong.students.models import Registration
from tests import factories as f
from tests.faults.conftest import (
    Browser,
    clean_env,
    database_url,
    kill9,
    serve,
    start,
    web_login,
)
from tests.imports.conftest import as_rows, student_row  # noqa: F401  (fixture)
from tests.imports.helpers import xlsx
from tests.ops.conftest import jigong

pytestmark = pytest.mark.django_db(transaction=True)

WORKER_ID = "faults-1"
ENROLLED = datetime.date(2021, 9, 1)
ISSUED = datetime.date(2024, 7, 1)


@pytest.fixture
def env(tmp_path):
    return clean_env(tmp_path, DATABASE_URL=database_url())


IMPORT_TABLES = ("students_person", "students_registration", "certificates_graduationcertificate")


def _writing() -> bool:
    """Another connection has an import's write transaction open (uncommitted)."""
    if connection.vendor == "sqlite":
        probe = sqlite3.connect(connection.settings_dict["NAME"], timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:  # "database is locked": the writer holds it
            return True
        else:
            probe.execute("ROLLBACK")
            return False
        finally:
            probe.close()
    # A write lock on the registers an import writes: any open transaction would also
    # count the server's own short writes (sessions, the audit log), and the worker was
    # then stopped before its import had begun.
    with connection.cursor() as c:
        c.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_class t ON t.oid = l.relation "
            "WHERE l.mode = 'RowExclusiveLock' AND l.granted AND l.pid <> pg_backend_pid() "
            "AND t.relname = ANY(%s)",
            [list(IMPORT_TABLES)],
        )
        return c.fetchone()[0] > 0


def _kill_mid_write(job_pk: int, worker, *others, seconds: float = 120) -> None:
    """Freeze the worker (SIGSTOP) as soon as the job's write transaction is seen open,
    check that it is still open — a stopped process cannot commit — and SIGKILL it and
    ``others``. The row count is committed just before the write transaction starts."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = ImportJob.objects.get(pk=job_pk)
        assert job.state in ("queued", "running"), (job.state, job.summary, job.error)
        if job.state == "running" and job.total:
            while time.monotonic() < deadline and not _writing():
                time.sleep(0.002)
            os.killpg(worker.pid, signal.SIGSTOP)
            time.sleep(0.2)
            job = ImportJob.objects.get(pk=job_pk)
            assert _writing() and job.state == "running", "the import ended before the kill"
            for p in (worker, *others):
                kill9(p)
            return
        time.sleep(0.02)
    raise AssertionError("the import's write transaction was never seen open")


def _upload(browser: Browser, kind: str, content: bytes) -> int:
    status, r, body = browser.post(
        f"/imports/{kind}/",
        {"mode": "all"},
        files={"file": (f"{kind}.xlsx", content)},
    )
    assert status == 302, (status, body[:2000].decode(errors="replace"))
    return int(r.getheader("Location").rstrip("/").rsplit("/", 1)[1])


def _students(student_row, n: int):  # noqa: F811
    ids = [
        f.id_number(birth=datetime.date(2004, 1, 1) + datetime.timedelta(days=k)) for k in range(n)
    ]
    rows = [
        student_row(id_number=i, name=f"学员{k}", **{"入学日期": ENROLLED.isoformat()})
        for k, i in enumerate(ids)
    ]
    header, data = as_rows(rows)
    return ids, xlsx(data, header=header)


def _graduations(ids, school) -> bytes:
    header = ["身份证号", "姓名", "学校代码", "类别", "发证日期"]
    data = [[i, f"学员{k}", school.code, "毕业", ISSUED] for k, i in enumerate(ids)]
    return xlsx(data, header=header)


def _finish_with_restarted_worker(env, job_pk: int) -> ImportJob:
    run = jigong("worker", "--batch", "--no-startup-delay", "--worker-id", WORKER_ID, env=env)
    assert "重新排队 1 个" in run.stdout, (run.stdout, run.stderr[-2000:])
    job = ImportJob.objects.get(pk=job_pk)
    assert job.state == "done" and job.committed, (job.summary, job.error, run.stderr[-2000:])
    return job


def _school_on_server(world, env, procs):
    """A `jigong serve`, and the school's user logged in to it."""
    server, port = serve(env)
    procs.append(server)
    browser = Browser(port)
    assert browser.login(web_login(world.user_a))[0] == 302
    return server, browser


def _worker(env, procs, worker_id: str):
    worker = start(
        ["worker", "--no-startup-delay", "--interval", "0.2", "--worker-id", worker_id], env
    )
    procs.append(worker)
    return worker


def _people_registered_twice() -> int:
    return (
        Registration.objects.filter(person__name__startswith="学员")
        .values("person")
        .annotate(k=Count("id"))
        .filter(k__gt=1)
        .count()
    )


def test_kill_9_during_an_import_writes_nothing_and_the_retry_writes_each_row_once(
    world,
    env,
    procs,
    student_row,  # noqa: F811
):
    n = 2000
    before = Registration.objects.count()
    _ids, content = _students(student_row, n)
    server, browser = _school_on_server(world, env, procs)
    job_pk = _upload(browser, "students", content)
    worker = _worker(env, procs, WORKER_ID)

    _kill_mid_write(job_pk, worker, server)

    # nothing half-written; the job is left 执行中 (nobody is running it now)
    assert Registration.objects.count() == before
    job = ImportJob.objects.get(pk=job_pk)
    assert (job.state, job.committed, job.created) == ("running", False, 0)

    # The machine comes back: the server first; the page still says 执行中.
    server, browser = _school_on_server(world, env, procs)
    assert browser.json(f"/jobs/imports/{job_pk}/status.json")["state"] == "running"

    job = _finish_with_restarted_worker(env, job_pk)
    assert job.created == n
    assert Registration.objects.count() == before + n
    assert _people_registered_twice() == 0
    status = browser.json(f"/jobs/imports/{job_pk}/status.json")
    assert status["state"] == "done" and status["done"] == status["total"] == n


def test_kill_9_during_batch_graduation_issues_exactly_one_certificate_each(
    world,
    env,
    procs,
    student_row,  # noqa: F811
):
    n = 500
    ids, content = _students(student_row, n)
    server, browser = _school_on_server(world, env, procs)
    first = _upload(browser, "students", content)
    jigong("worker", "--batch", "--no-startup-delay", "--worker-id", WORKER_ID, env=env)
    assert ImportJob.objects.get(pk=first).created == n
    certs_before = GraduationCertificate.objects.count()

    job_pk = _upload(browser, "graduations", _graduations(ids, world.school_a))
    worker = _worker(env, procs, WORKER_ID)

    _kill_mid_write(job_pk, worker, server)

    assert GraduationCertificate.objects.count() == certs_before
    assert Registration.objects.filter(school=world.school_a, status="graduated").count() == 0, (
        "no registration may be left graduated without its certificate"
    )

    job = _finish_with_restarted_worker(env, job_pk)
    assert job.created == n
    mine = GraduationCertificate.objects.filter(registration__school=world.school_a)
    assert mine.count() == n == GraduationCertificate.objects.count() - certs_before
    per_registration = mine.values("registration").annotate(k=Count("id"))
    assert {row["k"] for row in per_registration} == {1}
    numbers = list(mine.values_list("number", flat=True))
    assert len(set(numbers)) == n
    assert Registration.objects.filter(school=world.school_a, status="graduated").count() == n

    # the user, unsure, submits the same file again: nothing new is issued
    server, browser = _school_on_server(world, env, procs)
    again = _upload(browser, "graduations", _graduations(ids, world.school_a))
    jigong("worker", "--batch", "--no-startup-delay", "--worker-id", WORKER_ID, env=env)
    job = ImportJob.objects.get(pk=again)
    assert (job.state, job.created, job.unchanged) == ("done", 0, n), job.summary
    assert mine.count() == n


def test_a_killed_server_leaves_no_job_behind(world, env, procs):
    """The server killed while it receives an upload: no job, no stored file; the
    resubmitted upload queues exactly one job."""
    server, browser = _school_on_server(world, env, procs)
    port = browser.port
    token = browser.csrf("/imports/students/")
    cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
    body_head = (
        b'--B\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
        + token.encode()
        + b'\r\n--B\r\nContent-Disposition: form-data; name="file"; filename="a.xlsx"\r\n\r\n'
    )
    import socket

    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(
            b"POST /imports/students/ HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nCookie: %s\r\n"
            b"Origin: http://127.0.0.1:%d\r\n"
            b"Content-Type: multipart/form-data; boundary=B\r\nContent-Length: 10000000\r\n\r\n"
            % (port, cookie.encode(), port)
            + body_head
            + b"x" * 100_000
        )
        time.sleep(0.5)
        kill9(server)
    assert ImportJob.objects.count() == 0
    media = env["JIGONG_DATA_DIR"] + "/media/imports"
    stored = subprocess.run(["find", media, "-type", "f"], capture_output=True, text=True).stdout
    assert stored.strip() == ""


def test_kill_9_then_a_worker_under_another_id_adopts_the_import(
    world,
    env,
    procs,
    student_row,  # noqa: F811
):
    """The machine comes back with other worker ids: the task of the killed worker is
    re-queued by the new one (its process is gone), every row is written once, and the
    job's page says who re-queued it."""
    n = 2000
    before = Registration.objects.count()
    _ids, content = _students(student_row, n)
    server, browser = _school_on_server(world, env, procs)
    job_pk = _upload(browser, "students", content)
    worker = _worker(env, procs, "a")

    _kill_mid_write(job_pk, worker, server)
    assert Registration.objects.count() == before
    assert ImportJob.objects.get(pk=job_pk).state == "running"

    run = jigong("worker", "--batch", "--no-startup-delay", "--worker-id", "b", env=env)
    assert "其中 1 个来自" in run.stdout, (run.stdout, run.stderr[-2000:])
    job = ImportJob.objects.get(pk=job_pk)
    assert (job.state, job.created, job.requeued_by, job.requeued_from) == ("done", n, "b", "a")
    assert Registration.objects.count() == before + n
    assert _people_registered_twice() == 0
    server, browser = _school_on_server(world, env, procs)
    status, _r, page = browser.get(f"/jobs/imports/{job_pk}/")
    assert status == 200 and "任务因处理进程中断，已由 b 重新排队（原进程 a，" in page.decode()
