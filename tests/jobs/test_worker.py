"""A real `jigong worker` process on the test database (django-tasks-db backend): it
runs a queued import end to end, exits 0 on SIGTERM, and after a crash (a task left
running under its id) picks the job up again."""

import signal
import subprocess
import sys
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from jigong.jobs import services
from jigong.jobs.models import ImportJob
from jigong.students.models import Registration
from tests.faults.conftest import database_url
from tests.imports.conftest import as_rows, student_row  # noqa: F401  (fixture)
from tests.imports.helpers import xlsx
from tests.ops.conftest import ROOT, clean_env, jigong

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queue(settings, tmp_path):
    """The database backend, and an environment for worker subprocesses that share this
    test's database and media folder."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    return clean_env(tmp_path, DATABASE_URL=database_url())


def _submit(world, rows, name="学籍.xlsx", mode="all"):
    header, data = as_rows(rows)
    up = SimpleUploadedFile(name, xlsx(data, header=header))
    return services.import_job_submit(actor=world.user_a, kind="students", upload=up, mode=mode)


def test_worker_runs_a_queued_import_end_to_end(world, queue, student_row):  # noqa: F811
    from django_tasks_db.models import DBTaskResult

    n = Registration.objects.count()
    job = _submit(world, [student_row(name="钱一"), student_row(name="孙二")])
    assert job.state == "queued" and Registration.objects.count() == n  # nothing yet
    task = DBTaskResult.objects.get(id=job.task_id)
    assert task.status == "READY" and task.args_kwargs["args"] == [job.pk]
    run = jigong("worker", "--batch", "--no-startup-delay", "--worker-id", "t-1", env=queue)
    job.refresh_from_db()
    assert job.state == "done", (job.error, run.stdout, run.stderr)
    assert (job.created, job.committed) == (2, True)
    assert Registration.objects.count() == n + 2
    assert set(
        Registration.objects.filter(person__name__in=["钱一", "孙二"]).values_list(
            "school", flat=True
        )
    ) == {world.school_a.pk}
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL" and task.worker_ids == ["t-1"]


def test_worker_restarted_after_a_crash_picks_the_job_up(world, queue, student_row):  # noqa: F811
    from django_tasks_db.models import DBTaskResult

    job = _submit(world, [student_row(name="周三")])
    # a worker claimed it and was killed (-9) in the middle: task and job left running
    DBTaskResult.objects.filter(id=job.task_id).update(status="RUNNING", worker_ids=["t-2"])
    services.import_job_start(job=job)
    other = _submit(world, [student_row(name="吴四")])
    run = jigong("worker", "--batch", "--no-startup-delay", "--worker-id", "t-2", env=queue)
    assert "重新排队 1 个" in run.stdout
    for j in (job, other):
        j.refresh_from_db()
        assert j.state == "done" and j.created == 1, (j.error, run.stdout, run.stderr)
    assert Registration.objects.filter(person__name__in=["周三", "吴四"]).count() == 2


def test_worker_stops_gracefully_on_sigterm(world, queue, student_row):  # noqa: F811
    proc = subprocess.Popen(
        [sys.executable, "-m", "jigong", "worker", "--no-startup-delay", "--interval", "0.2"],
        cwd=ROOT,
        env=queue,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        job = _submit(world, [student_row(name="郑五")])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.state == "done" or proc.poll() is not None:
                break
            time.sleep(0.2)
        assert job.state == "done", job.error
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err[-2000:]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def test_worker_refuses_bad_options(queue):
    run = jigong("worker", "--batch", "--max-tasks", "0", env=queue, check=False)
    assert run.returncode != 0 and "--max-tasks" in run.stderr and "正整数" in run.stderr
    assert ImportJob.objects.count() == 0


def test_progress_is_visible_to_another_process_during_the_write(world, queue, student_row):  # noqa: F811
    from django.db import connections, transaction

    job = _submit(world, [student_row(name="王六")])
    services.import_job_progress(job.pk, 0, 1000)  # before the write transaction
    reader = connections.create_connection("default")  # the page's process
    try:
        table = ImportJob._meta.db_table

        def seen():
            with reader.cursor() as c:
                c.execute(f"SELECT done, total FROM {table} WHERE id = %s", [job.pk])
                return tuple(c.fetchone())

        assert seen() == (0, 1000)
        with transaction.atomic():  # the import's write transaction
            services.import_job_progress(job.pk, 500, 1000)
            # PostgreSQL: through a second connection; SQLite holds one write lock, so
            # the page keeps showing “正在写入” until the job ends
            assert seen() == ((500, 1000) if connection.vendor != "sqlite" else (0, 1000))
        services.close_side_connection()
    finally:
        reader.close()
