# ruff: noqa: F811  (fixtures imported from other test folders are parameters here)
"""Issue 13, case 9 (first half): heavy work off the request. School report PDFs and
batch certificate PDFs are rendered by `jigong worker`, not in the request; the job
shows its progress and offers the file to who asked for it only; `/healthz` of a real
`jigong serve` stays fast while a worker renders four reports."""

import datetime
import http.client
import threading
import time
import urllib.parse

import pytest

from jigong.core import pdf as core_pdf
from tests import factories as f
from tests.faults.conftest import Browser, database_url, kill9, start, wait_port, web_login
from tests.ops.conftest import clean_env, free_port
from tests.printing import pdftools
from tests.printing.conftest import issue, keystore, signing_key  # noqa: F401  (fixtures)
from tests.quality.conftest import _fresh_indicator_cache, qworld  # noqa: F401  (fixtures)

REPORT = "/quality/reports/school/{code}/2024.pdf"
BATCH = "/graduation-certificates/print/"


@pytest.fixture
def queue(settings, tmp_path):
    """The database backend: a submission only writes the job and its queue row."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def no_chromium_here(monkeypatch):
    """Fails the test if anything starts Chromium in this process (the request)."""
    started = []

    def refuse(self):
        started.append(self)
        raise AssertionError("Chromium started inside the request")

    monkeypatch.setattr(core_pdf.PdfRenderer, "open", refuse)
    return started


def _run_queued():
    """Run what the request queued, as `jigong worker` does (in this process)."""
    from django_tasks_db.models import DBTaskResult

    from jigong.jobs.management.commands.worker import Command  # noqa: F401  (tasks loaded)

    for row in DBTaskResult.objects.filter(status="READY").order_by("enqueued_at"):
        row.task.func(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])


def _job_url(response) -> str:
    assert response.status_code == 302, response.content[:500]
    assert response["Location"].startswith("/jobs/files/"), response["Location"]
    return response["Location"]


def test_school_report_is_a_job_not_a_request(client, qworld, queue, no_chromium_here, monkeypatch):
    w = qworld
    client.force_login(w.user_a)
    url = REPORT.format(code=w.school_a.code)
    # the old URL (a bookmark) leads into the flow: a page with the button, no PDF
    r = client.get(url)
    assert r.status_code == 200 and r["Content-Type"].startswith("text/html")
    assert 'method="post"' in r.content.decode()
    t = time.perf_counter()
    r = client.post(url)
    took = time.perf_counter() - t
    job = _job_url(r)
    assert not no_chromium_here and took < 2, took
    page = client.get(job).content.decode()
    assert "排队中" in page and "data-job-status-url" in page
    # the reports page's button queues the same job
    r = client.post("/quality/reports/", {"year": 2024})
    assert _job_url(r) != job
    monkeypatch.undo()

    _run_queued()
    status = client.get(job + "status.json").json()
    assert status["state"] == "done", status
    page = client.get(job).content.decode()
    assert "已完成" in page and job + "download/" in page
    r = client.get(job + "download/")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    data = b"".join(r.streaming_content)
    assert data.startswith(b"%PDF-") and pdftools.pages(data) >= 3
    assert r["Cache-Control"] == "no-store" or "no-store" in r["Cache-Control"]


@pytest.fixture
def cohort(world, issue, signing_key):
    certs = [
        issue(name=f"学生{i}", id_number=f.id_number(birth=datetime.date(2006, 1, 1 + i)))
        for i in range(5)
    ]
    issue(school=world.school_b, name="乙校生")
    return certs


def test_batch_print_has_a_form_and_runs_as_a_job_with_progress(
    client, world, cohort, queue, no_chromium_here, monkeypatch
):
    client.force_login(world.user_a)
    # the way in from the pages: the certificate list links to the form
    listing = client.get("/graduation-certificates/").content.decode()
    assert BATCH in listing
    form = client.get(BATCH)
    body = form.content.decode()
    assert form.status_code == 200 and 'name="year"' in body and 'name="level"' in body
    # a bookmarked URL with its parameters shows the same form, filled in, and a count
    r = client.get(BATCH, {"year": 2025})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/html")
    assert "5" in r.content.decode() and 'value="2025"' in r.content.decode()
    t = time.perf_counter()
    r = client.post(BATCH, {"year": 2025})
    assert time.perf_counter() - t < 2
    job = _job_url(r)
    assert not no_chromium_here

    # progress is visible while the worker renders (two certificates per render here)
    from jigong.certificates import batch

    seen = []
    real_render = core_pdf.PdfRenderer.render

    def render(self, *a, **kw):
        seen.append(client.get(job + "status.json").json())
        return real_render(self, *a, **kw)

    monkeypatch.undo()
    monkeypatch.setattr(batch, "CHUNK", 2)
    monkeypatch.setattr(core_pdf.PdfRenderer, "render", render)
    _run_queued()
    assert seen and all(s["state"] == "running" for s in seen), seen
    assert seen[-1]["total"] == 5 and seen[-1]["done"] >= 1, seen
    status = client.get(job + "status.json").json()
    assert status["state"] == "done" and status["done"] == status["total"] == 5, status
    r = client.get(job + "download/")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    data = b"".join(r.streaming_content)
    assert pdftools.pages(data) == 5
    assert "乙校生" not in pdftools.text(data)


def test_one_certificate_is_a_job_too(client, world, cohort, queue, no_chromium_here, monkeypatch):
    """One certificate took 2.4–3.8 s in the request (a browser started for one page)."""
    url = f"/graduation-certificates/{cohort[0].pk}/print/"
    client.force_login(world.user_a)
    r = client.get(url)
    assert r.status_code == 200 and r["Content-Type"].startswith("text/html")
    assert 'method="post"' in r.content.decode()
    job = _job_url(client.post(url))
    assert not no_chromium_here
    client.force_login(world.user_b)
    assert client.get(url).status_code == 404 and client.post(url).status_code == 404
    client.force_login(world.user_a)
    monkeypatch.undo()  # the worker's turn
    _run_queued()
    r = client.get(job + "download/")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    data = b"".join(r.streaming_content)
    assert pdftools.pages(data) == 1 and cohort[0].number in pdftools.text(data)


def test_another_school_cannot_reach_the_job_or_its_file(client, world, cohort, queue):
    client.force_login(world.user_a)
    job = _job_url(client.post(BATCH, {"year": 2025}))
    _run_queued()
    assert client.get(job + "download/").status_code == 200
    for other in (world.user_b, world.district_b, world.municipal, world.department):
        client.force_login(other)
        for path in (job, job + "status.json", job + "download/"):
            r = client.get(path)
            assert r.status_code in (403, 404), (other, path, r.status_code)
    client.logout()
    r = client.get(job + "download/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


# --- a real server and a real worker ----------------------------------------------------


def _healthz(port: int) -> float:
    t = time.perf_counter()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        c.request("GET", "/healthz")
        r = c.getresponse()
        r.read()
    finally:
        c.close()
    assert r.status == 200
    return time.perf_counter() - t


def _stats(samples: list[float]) -> str:
    if not samples:
        return "n=0"
    s = sorted(samples)
    ms = [x * 1000 for x in (s[len(s) // 2], s[int(len(s) * 0.95)], s[-1])]
    return f"n={len(s)} p50={ms[0]:.1f} ms p95={ms[1]:.1f} ms max={ms[2]:.1f} ms"


def _pending_files() -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM jobs_filejob WHERE state IN ('queued', 'running')")
        return cur.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_healthz_stays_fast_while_four_reports_render(qworld, tmp_path):
    """Four school report PDFs asked for at once: `/healthz` answers in under 100 ms
    (95th percentile; none over 1 s) while they are asked for and rendered (issue 13:
    18 s when they rendered in the request; 2.1 s on this machine before the change)."""
    w = qworld
    env = clean_env(tmp_path, DATABASE_URL=database_url())
    port = free_port()
    procs = [start(["serve", "--port", port, "--no-warm"], env)]
    try:
        procs.append(
            start(["worker", "--no-startup-delay", "--interval", "0.2", "--worker-id", "h"], env)
        )
        wait_port(port, procs[0])
        for _ in range(5):
            _healthz(port)  # warm both server workers
        browsers = []
        names = {u.pk: web_login(u) for u in (w.user_a, w.district_a, w.municipal)}
        for user in (w.user_a, w.user_a, w.district_a, w.municipal):
            b = Browser(port)
            status, _r, _body = b.login(names[user.pk])
            assert status == 302, status
            b.token = b.csrf("/quality/reports/")
            browsers.append(b)
        # the same server with nothing rendering, for comparison (the machine is shared)
        idle, until = [], time.monotonic() + 15
        while time.monotonic() < until:
            idle.append(_healthz(port))
            time.sleep(0.05)
        print(f"\nhealthz idle: {_stats(idle)}")
        answers = {}

        def ask(b):
            path = REPORT.format(code=w.school_a.code)
            body = urllib.parse.urlencode({"csrfmiddlewaretoken": b.token}).encode()
            hdrs = {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": b.base,
                "Referer": b.base + "/quality/reports/",
            }
            t = time.perf_counter()
            status, r, _data = b.request("POST", path, body, hdrs, timeout=300)
            answers[id(b)] = (status, r.getheader("Location") or "", time.perf_counter() - t)

        threads = [threading.Thread(target=ask, args=(b,)) for b in browsers]
        for t in threads:
            t.start()
        asking = []
        while any(t.is_alive() for t in threads):
            asking.append(_healthz(port))
            time.sleep(0.05)
        for t in threads:
            t.join()
        print(f"healthz while the four are asked for: {_stats(asking)}")
        got = [answers[id(b)] for b in browsers]
        assert [a[0] for a in got] == [302] * 4, got
        assert all(a[1].startswith("/jobs/files/") and a[2] < 2 for a in got), got
        # the worker renders them, one after the other: keep asking
        deadline = time.monotonic() + 600
        rendering = []
        while _pending_files() and time.monotonic() < deadline:
            rendering.append(_healthz(port))
            time.sleep(0.05)
        assert not _pending_files(), "the four reports did not finish within 10 minutes"
        print(f"healthz while the worker renders: {_stats(rendering)}")
        assert len(rendering) >= 20, _stats(rendering)
        # 95 % under 100 ms and none near a health check's timeout; the machine is shared
        # (2 cores), so a rare sample of 100–300 ms is other processes' doing as well
        samples = sorted(asking + rendering)
        assert samples[int(len(samples) * 0.95)] < 0.1, (_stats(asking), _stats(rendering))
        assert samples[-1] < 1, (_stats(asking), _stats(rendering))
        for b, (_s, job, _t) in zip(browsers, got, strict=True):
            assert b.json(job + "status.json")["state"] == "done"
    finally:
        for p in procs:
            kill9(p)
