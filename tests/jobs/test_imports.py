"""Imports as background jobs: the page stores the file and queues the import; the job's
page shows state, progress, result and report; only the submitter and the municipal
bureau see a job; a failing import leaves a failed job with a Chinese message and
nothing written."""

import io

import pytest
from django.core.exceptions import ValidationError

from jigong.core.models import AuditLog
from jigong.jobs import services
from jigong.jobs.models import ImportJob
from jigong.students.models import Registration
from tests import factories as f
from tests.imports.conftest import as_rows, student_row  # noqa: F401  (fixture)
from tests.imports.helpers import xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def _upload(client, rows, name="学籍.xlsx", mode="all"):
    header, data = as_rows(rows)
    fh = io.BytesIO(xlsx(data, header=header))
    fh.name = name
    return client.post("/imports/students/", {"file": fh, "mode": mode})


def test_upload_queues_a_job_and_its_page_shows_the_outcome(client, world, student_row):  # noqa: F811
    client.force_login(world.user_a)
    n = Registration.objects.count()
    r = _upload(client, [student_row(name="钱一"), student_row(name="孙二")])
    job = ImportJob.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/jobs/imports/{job.pk}/"
    assert job.state == "done" and job.user == world.user_a and job.school == world.school_a
    assert (job.created, job.total, job.committed) == (2, 2, True)
    assert Registration.objects.count() == n + 2
    assert job.started_at <= job.finished_at and job.task_id
    page = client.get(r["Location"]).content.decode()
    assert "已完成" in page and "新增2" in page and "下载被拒绝的行" not in page
    assert "job_status.js" in page and "<script>" not in page  # CSP: no inline script
    # the uploaded copy is removed once imported; the rows were written as the user
    assert not services.media_path(job.file).exists()
    written = AuditLog.objects.filter(
        object_type="students.registration", object_repr__contains="钱一"
    )
    assert written.exists() and {a.actor for a in written} == {world.user_a}
    # the job's own changes are audited: submitted by the user, run by the system
    actors = list(
        AuditLog.objects.filter(object_type="jobs.importjob", object_id=str(job.pk))
        .order_by("id")
        .values_list("actor_name", flat=True)
    )
    assert actors[0] == str(world.user_a) and "系统" in actors
    lst = client.get("/jobs/imports/").content.decode()
    assert "学籍.xlsx" in lst and "学生学籍" in lst


def test_refused_rows_are_listed_with_a_report(client, world, student_row):  # noqa: F811
    client.force_login(world.user_a)
    n = Registration.objects.count()
    r = _upload(client, [student_row(), student_row(id_number="123")])
    page = client.get(r["Location"]).content.decode()
    assert "未写入任何数据" in page and "错误明细" in page and "第3行" not in page
    assert "“123”" in page or ">123<" in page
    job = ImportJob.objects.get()
    assert (job.state, job.refused, job.error_count, job.committed) == ("done", 1, 1, False)
    rep = client.get(f"/jobs/imports/{job.pk}/report.xlsx")
    assert rep.status_code == 200 and b"".join(rep.streaming_content)[:2] == b"PK"
    assert Registration.objects.count() == n


def test_only_the_submitter_and_the_municipal_bureau_see_a_job(client, world, student_row):  # noqa: F811
    client.force_login(world.user_a)
    _upload(client, [student_row(id_number="123")])
    job = ImportJob.objects.get()
    urls = [
        f"/jobs/imports/{job.pk}/",
        f"/jobs/imports/{job.pk}/status.json",
        f"/jobs/imports/{job.pk}/report.xlsx",
    ]
    colleague = f.user("school", school=world.school_a, username="school_a_2")
    for other in (world.user_b, world.district_a, world.district_b, colleague):
        client.force_login(other)
        for url in urls:
            assert client.get(url).status_code == 404, (other, url)
        assert "a.xlsx" not in client.get("/jobs/imports/").content.decode()
        assert job.filename not in client.get("/jobs/imports/").content.decode()
    for other in (world.department, world.graduate):
        client.force_login(other)
        assert client.get(urls[0]).status_code in (403, 404)
        assert client.get("/jobs/imports/").status_code == 403
    client.force_login(world.municipal)
    for url in urls[:2]:
        assert client.get(url).status_code == 200
    # the refused rows' file holds the upload's rows whole: the submitter's only (issue 7)
    assert client.get(urls[2]).status_code == 403
    assert job.filename in client.get("/jobs/imports/").content.decode()
    client.logout()
    assert client.get(urls[0]).status_code == 302  # to the log-in page


def test_rows_of_another_school_are_refused_in_the_background(client, world, student_row):  # noqa: F811
    client.force_login(world.user_a)
    n = Registration.objects.count()
    r = _upload(client, [student_row(school=world.school_b)], mode="valid_only")
    page = client.get(r["Location"]).content.decode()
    assert "拒绝1" in page and Registration.objects.count() == n


def test_failing_import_fails_the_job_writing_nothing(client, world, student_row, monkeypatch):  # noqa: F811
    from jigong.core.imports import runner

    real = runner._apply
    calls = []

    def broken(*args, **kwargs):  # the second row's write hits a bug
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk on fire")
        return real(*args, **kwargs)

    monkeypatch.setattr(runner, "_apply", broken)
    client.force_login(world.user_a)
    n = Registration.objects.count()
    r = _upload(client, [student_row(name="钱一"), student_row(name="孙二")], mode="valid_only")
    job = ImportJob.objects.get()
    assert job.state == "failed" and "内部错误（RuntimeError）" in job.error
    assert "未写入任何数据" in job.error and job.finished_at
    page = client.get(r["Location"]).content.decode()
    assert "失败" in page and "内部错误" in page and "disk on fire" not in page
    assert Registration.objects.count() == n
    status = client.get(f"/jobs/imports/{job.pk}/status.json").json()
    assert status["state"] == "failed" and "内部错误" in status["text"]


def test_bad_submissions_are_refused_before_anything_is_stored(client, world, settings):
    client.force_login(world.user_a)
    before = ImportJob.objects.count()
    r = client.post("/imports/students/", {"mode": "all"})
    assert r.status_code == 200 and "请选择要导入的文件" in r.content.decode()
    fh = io.BytesIO(b"x")
    fh.name = "a.csv"
    r = client.post("/imports/students/", {"file": fh, "mode": "everything"})
    assert r.status_code == 200 and "请选择要导入的文件和导入方式" in r.content.decode()
    with pytest.raises(ValidationError, match="导入方式“everything”无效"):
        services.import_job_submit(
            actor=world.user_a, kind="students", upload=fh, mode="everything"
        )
    assert ImportJob.objects.count() == before
    media = settings.MEDIA_ROOT
    assert not any(p.is_file() for p in media.rglob("*")) if media.exists() else True


def test_stored_name_is_generated_not_the_users(world, student_row):  # noqa: F811
    from django.core.files.uploadedfile import SimpleUploadedFile

    header, data = as_rows([student_row()])
    up = SimpleUploadedFile("../../etc/passwd.xlsx", xlsx(data, header=header))
    job = services.import_job_submit(
        actor=world.user_a, kind="students", upload=up, mode="validate"
    )
    assert job.filename == "passwd.xlsx"
    assert job.file.startswith("imports/") and ".." not in job.file and "passwd" not in job.file
    assert job.state == "done" and "未写入任何数据" in job.summary
