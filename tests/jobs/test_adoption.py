"""No job lost when a worker comes back under another id: a task left running by a
worker that is gone (its process gone on this machine, or its heartbeat older than
JIGONG_WORKER_STALE_SECONDS) is re-queued by any live worker and finished; a live
worker's task is left alone; two workers looking at once re-queue it once. Real
`jigong worker` processes on the test database (SQLite file or PostgreSQL)."""

import datetime
import subprocess
import sys
import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from jigong.core.models import AuditLog
from jigong.jobs import services
from jigong.jobs.models import WorkerHeartbeat
from jigong.students.models import Registration
from tests.faults.conftest import database_url, kill9, procs, start  # noqa: F401  (fixture)
from tests.imports.conftest import as_rows, student_row  # noqa: F401  (fixture)
from tests.imports.helpers import xlsx
from tests.ops.conftest import ROOT, clean_env, jigong

pytestmark = pytest.mark.django_db(transaction=True)

ELSEWHERE = "another-host|boot|pid:[1]"  # a machine whose processes we cannot see


@pytest.fixture
def queue(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    return clean_env(tmp_path, DATABASE_URL=database_url())


def _submit(world, row):
    header, data = as_rows([row])
    up = SimpleUploadedFile("学籍.xlsx", xlsx(data, header=header))
    return services.import_job_submit(actor=world.user_a, kind="students", upload=up, mode="all")


def _left_running(job, worker_id):
    """As if ``worker_id`` had claimed the job's task and then vanished mid-run."""
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(id=job.task_id).update(
        status="RUNNING", worker_ids=[worker_id], started_at=timezone.now()
    )
    return services.import_job_start(job=job)


def _beat(worker_id, *, ago: float, machine=ELSEWHERE, process="4242:1"):
    at = timezone.now() - datetime.timedelta(seconds=ago)
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"seen_at": at, "started_at": at, "machine": machine, "process": process},
    )


def _task(job):
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.get(id=job.task_id)


def _adoptions(job):
    """The audit rows of the job's queue row being re-queued."""
    from django_tasks_db.models import DBTaskResult

    return AuditLog.objects.filter(
        object_type=DBTaskResult._meta.label_lower, object_id=job.task_id
    )


def test_a_task_of_a_dead_worker_is_requeued_and_finished_by_another_id(
    client,
    world,
    queue,
    student_row,  # noqa: F811
):
    stale = _submit(world, student_row(name="冯一"))
    _left_running(stale, "a")
    _beat("a", ago=600)  # silent for 10 minutes, on a machine we cannot look into
    legacy = _submit(world, student_row(name="陈二"))
    _left_running(legacy, "old-worker")  # no heartbeat at all (before this version)
    run = jigong("worker", "--batch", "--no-startup-delay", "--worker-id", "b", env=queue)
    assert "重新排队 2 个" in run.stdout and "其中 2 个来自" in run.stdout, run.stdout
    for job, dead in ((stale, "a"), (legacy, "old-worker")):
        job.refresh_from_db()
        assert (job.state, job.created) == ("done", 1), (job.error, run.stderr[-2000:])
        assert (job.requeued_by, job.requeued_from) == ("b", dead)
        task = _task(job)
        assert task.status == "SUCCESSFUL" and task.worker_ids == [dead, "b"]
        # audited: who re-queued which task of whom, and the job's change
        (row,) = _adoptions(job)
        assert f"工作进程 b 将工作进程 {dead} 中断的" in row.message and row.actor_name == "系统"
        assert AuditLog.objects.filter(
            object_type="jobs.importjob", object_id=str(job.pk), after__requeued_by="b"
        ).exists()
    assert Registration.objects.filter(person__name__in=["冯一", "陈二"]).count() == 2
    # the submitter sees why the job took longer
    client.force_login(world.user_a)
    page = client.get(f"/jobs/imports/{stale.pk}/").content.decode()
    assert "任务因处理进程中断，已由 b 重新排队（原进程 a，" in page
    assert "已完成" in page


def test_a_live_workers_task_is_left_alone_until_its_process_is_gone(
    world,
    queue,
    procs,  # noqa: F811
    student_row,  # noqa: F811
):
    elsewhere = _submit(world, student_row(name="褚三"))
    _left_running(elsewhere, "c")
    _beat("c", ago=1)  # another machine, fresh heartbeat
    # a real worker "a" on this machine (on a queue of its own, so that it is "busy"
    # with the task the test hands it), beating only at start: as when SQLite's write
    # lock is held by a long import and no heartbeat can be written
    env = {
        **queue,
        "JIGONG_WORKER_HEARTBEAT_SECONDS": "3600",
        "JIGONG_WORKER_STALE_SECONDS": "7200",
    }
    a = start(
        ["worker", "--no-startup-delay", "--interval", "0.2", "--queue", "x", "--worker-id", "a"],
        env,
    )
    procs.append(a)
    deadline = time.monotonic() + 60
    while not WorkerHeartbeat.objects.filter(pk="a", process__startswith=f"{a.pid}:").exists():
        assert time.monotonic() < deadline and a.poll() is None, "worker a never started"
        time.sleep(0.1)
    here = _submit(world, student_row(name="卫四"))
    _left_running(here, "a")
    WorkerHeartbeat.objects.filter(pk="a").update(
        seen_at=timezone.now() - datetime.timedelta(hours=1)
    )
    run = jigong("worker", "--batch", "--no-startup-delay", "--worker-id", "b", env=queue)
    assert "重新排队" not in run.stdout, run.stdout
    for job in (elsewhere, here):
        job.refresh_from_db()
        assert (job.state, job.requeued_by) == ("running", ""), job.error
        assert _task(job).status == "RUNNING" and not _adoptions(job).exists()

    # a second process cannot take the id of the live one
    twin = jigong("worker", "--batch", "--worker-id", "a", env=queue, check=False)
    assert twin.returncode != 0 and f"正由本机的进程 {a.pid} 使用" in twin.stderr, twin.stderr
    assert (here.state, _task(here).status) == ("running", "RUNNING")

    kill9(a)  # now its process is gone: no need to wait for the heartbeat to go stale
    WorkerHeartbeat.objects.filter(pk="a").update(seen_at=timezone.now())
    run = jigong("worker", "--batch", "--no-startup-delay", "--worker-id", "b", env=queue)
    assert "重新排队 1 个" in run.stdout, run.stdout
    here.refresh_from_db()
    assert (here.state, here.created, here.requeued_from) == ("done", 1, "a"), here.error
    elsewhere.refresh_from_db()
    assert elsewhere.state == "running" and _task(elsewhere).status == "RUNNING"


def test_a_running_worker_beats_and_adopts_once_the_heartbeat_goes_stale(
    world,
    queue,
    procs,  # noqa: F811
    student_row,  # noqa: F811
):
    env = {**queue, "JIGONG_WORKER_HEARTBEAT_SECONDS": "0.3", "JIGONG_WORKER_STALE_SECONDS": "2"}
    b = start(["worker", "--no-startup-delay", "--interval", "0.2", "--worker-id", "b"], env)
    procs.append(b)
    deadline = time.monotonic() + 60
    while not WorkerHeartbeat.objects.filter(pk="b").exists():
        assert time.monotonic() < deadline and b.poll() is None, "worker b never started"
        time.sleep(0.1)
    first = WorkerHeartbeat.objects.get(pk="b").seen_at
    job = _submit(world, student_row(name="蒋五"))
    _left_running(job, "a")
    _beat("a", ago=0)  # a just beat, then its machine lost power
    time.sleep(1)
    job.refresh_from_db()
    assert job.state == "running" and not job.requeued_by  # not stale yet
    while True:
        job.refresh_from_db()
        if job.state == "done" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert (job.state, job.created, job.requeued_by, job.requeued_from) == ("done", 1, "b", "a")
    adopted_at = _adoptions(job).get().at
    assert adopted_at - WorkerHeartbeat.objects.get(pk="a").seen_at >= datetime.timedelta(seconds=2)
    assert WorkerHeartbeat.objects.get(pk="b").seen_at > first  # b kept beating


def test_two_workers_adopting_at_once_requeue_each_task_once(world, queue, student_row):  # noqa: F811
    jobs = [_submit(world, student_row(name=f"沈{k}")) for k in range(8)]
    for job in jobs:
        _left_running(job, "a")
    _beat("a", ago=600)
    barrier = threading.Barrier(2)
    counts = {}

    def adopt(worker_id):
        try:
            barrier.wait()
            counts[worker_id] = services.adopt_orphans(worker_id=worker_id)
        finally:
            connection.close()

    threads = [threading.Thread(target=adopt, args=(w,)) for w in ("b", "c")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(counts.values()) == len(jobs), counts
    for job in jobs:
        job.refresh_from_db()
        (row,) = _adoptions(job)  # one re-queue per task, audited once
        assert job.state == "queued" and job.requeued_by in ("b", "c")
        assert f"工作进程 {job.requeued_by} 将" in row.message
        assert _task(job).status == "READY"


def test_two_worker_processes_starting_at_once_run_the_task_once(world, queue, student_row):  # noqa: F811
    job = _submit(world, student_row(name="韩六"))
    _left_running(job, "a")
    _beat("a", ago=600)
    runs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jigong",
                "worker",
                "--batch",
                "--no-startup-delay",
                *("--worker-id", w),
            ],
            cwd=ROOT,
            env=queue,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in ("b", "c")
    ]
    outs = [p.communicate(timeout=300) for p in runs]
    assert [p.returncode for p in runs] == [0, 0], [e[-2000:] for _o, e in outs]
    assert sum("其中 1 个来自" in o for o, _e in outs) == 1, outs
    job.refresh_from_db()
    assert (job.state, job.created, job.unchanged) == ("done", 1, 0), job.error
    assert _adoptions(job).count() == 1
    task = _task(job)
    assert task.status == "SUCCESSFUL" and task.worker_ids in (["a", "b"], ["a", "c"])
    assert Registration.objects.filter(person__name="韩六").count() == 1


def test_worker_refuses_a_heartbeat_slower_than_the_stale_limit(queue):
    env = {**queue, "JIGONG_WORKER_HEARTBEAT_SECONDS": "40", "JIGONG_WORKER_STALE_SECONDS": "60"}
    run = jigong("worker", "--batch", "--worker-id", "b", env=env, check=False)
    assert run.returncode != 0 and "JIGONG_WORKER_STALE_SECONDS=60" in run.stderr
    assert "至少为心跳间隔的 2 倍" in run.stderr
    assert not WorkerHeartbeat.objects.exists()
