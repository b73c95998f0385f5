"""Writes of background jobs: submit (store the file, create the job, enqueue the task),
start, progress, finish, fail, the workers' heartbeats, and recovery after a crash:
a task left running by a worker that is gone is re-queued by any live worker.

Submissions are audited with the submitting user; the state changes made by the worker
are audited as 系统 (actor None). Progress counters are telemetry: written without an
audit row, and on PostgreSQL through a second connection so that they are visible
while the import's own transaction is still open; so are heartbeats. A re-queue is
audited (as 系统, the message naming both workers) on the queue row and on the job.
"""

import contextlib
import os
import secrets
import socket
import threading
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Exists
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jigong.core import acts, pii
from jigong.core import services as core
from jigong.core.imports.base import kinds
from jigong.core.imports.readers import MAX_BYTES
from jigong.core.imports.runner import MODE_LABELS, ImportResult
from jigong.core.models import AuditLog, Role
from jigong.jobs.models import (
    PENDING,
    FileJob,
    ImportJob,
    JobState,
    ReportJob,
    WorkerHeartbeat,
)

UPLOAD_DIR = "imports"
REPORT_DIR = "imports/reports"
SAFE_EXTENSIONS = frozenset({"xlsx", "xlsm", "xls", "ods", "csv", "txt"})
MAX_SHOWN_ERRORS = 500


# --- files ------------------------------------------------------------------------------


def media_path(rel: str) -> Path:
    """The absolute path of a stored job file; refuses anything outside MEDIA_ROOT/imports."""
    root = (Path(settings.MEDIA_ROOT) / UPLOAD_DIR).resolve()
    path = (Path(settings.MEDIA_ROOT) / rel).resolve()
    if root not in path.parents:
        raise ValueError("job file outside the imports folder")
    return path


def _new_file(folder: str, ext: str) -> tuple[str, Path]:
    today = timezone.localdate()
    rel = f"{folder}/{today:%Y}/{today:%m}/{secrets.token_hex(16)}.{ext}"
    path = media_path(rel)
    path.parent.mkdir(parents=True, exist_ok=True)
    return rel, path


def _store_upload(upload) -> str:
    name = os.path.basename(upload.name or "")
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    from jigong.jobs import refused

    # whole ID numbers: sealed on disk until imported (refused.py)
    ext = ext if ext in SAFE_EXTENSIONS else "dat"
    rel, path = _new_file(UPLOAD_DIR, ext + refused.SEALED)
    refused.store_upload(upload, path)
    return rel


# --- queue ------------------------------------------------------------------------------


def _stored_in_database(task) -> bool:
    from django_tasks_db import DatabaseBackend

    return isinstance(task.get_backend(), DatabaseBackend)


def _submit(actor, job, task):
    """Enqueue ``task(job.pk)``. With the database backend the queue row is written in
    the caller's transaction, so a job and its task commit (or vanish) together; other
    backends (the immediate one in tests) run after the job row exists."""
    if _stored_in_database(task):
        result = task.enqueue(job.pk)
        return core.update(actor, job, check=False, task_id=str(result.id))
    return None


def _submit_after(actor, job, task, done):
    if done is not None:
        return done
    result = task.enqueue(job.pk)
    job.refresh_from_db()
    return core.update(actor, job, check=False, task_id=str(result.id))


# --- imports ----------------------------------------------------------------------------


IMPORT_SUBMIT = "import.submit"
FILE_SUBMIT = "file.submit"


def import_job_submit(*, actor, kind: str, upload, mode: str) -> ImportJob:
    """Store the uploaded file under MEDIA_ROOT/imports/<yyyy>/<mm>/<random>.<ext> and
    queue its import as ``actor``. Refused before anything is written: unknown kind or a
    role that may not import it, unknown mode, no file, a file over the reader's limit."""
    from jigong.jobs.tasks import run_import_job

    found = kinds().get(kind)
    if found is None:
        raise PermissionDenied(_("您的角色无权导入该数据"))
    refusal = found.refusal(actor, write=True)  # role, then duty (issue 15)
    if refusal:
        raise PermissionDenied(refusal)
    if mode not in MODE_LABELS:
        raise ValidationError(
            {"mode": [_("导入方式“%(m)s”无效：请选择页面列出的一种导入方式") % {"m": mode}]}
        )
    if upload is None:
        raise ValidationError({"file": [_("文件：请选择要导入的文件")]})
    if upload.size > MAX_BYTES:
        raise ValidationError(
            {
                "file": [
                    _("文件“%(n)s”大小 %(s)s 字节，超过上限 %(m)s 字节：请拆分后分批导入")
                    % {"n": upload.name, "s": upload.size, "m": MAX_BYTES}
                ]
            }
        )
    rel = _store_upload(upload)
    school = actor.school if actor.role == Role.SCHOOL else None
    district = school.district if school is not None else actor.district
    try:
        with acts.performing(IMPORT_SUBMIT, actor):
            job = core.create(
                actor,
                ImportJob,
                check=False,  # the job's scope is the actor's own
                user=actor,
                kind=found.key,
                mode=mode,
                filename=os.path.basename(upload.name or "")[:255] or "upload",
                file=rel,
                school=school,
                district=district,
            )
            done = _submit(actor, job, run_import_job)
    except BaseException:
        media_path(rel).unlink(missing_ok=True)
        raise
    return _submit_after(actor, job, run_import_job, done)


# Submitting an import is an act of its own (the rows are written later by each kind's
# acts, as the submitter); declared as data because the file is stored, and the job
# handed to the worker, outside the act's transaction.
acts.register(
    acts.Act(
        code=IMPORT_SUBMIT,
        label=gettext_lazy("提交数据导入"),
        roles=acts.ALL_STAFF,
        model="jobs.importjob",
        func=import_job_submit,
        channels=frozenset({"page"}),
        event="create",
    )
)


def _change(job, **fields):
    return core.update(None, job, check=False, **fields)


def import_job_start(*, job: ImportJob) -> ImportJob:
    return _change(
        job, state=JobState.RUNNING, started_at=timezone.now(), done=0, total=0, error=""
    )


_side = threading.local()


def _side_connection():
    conn = getattr(_side, "conn", None)
    if conn is None:
        conn = _side.conn = connections.create_connection(DEFAULT_DB_ALIAS)
    return conn


def close_side_connection() -> None:
    conn = getattr(_side, "conn", None)
    if conn is not None:
        conn.close()
        _side.conn = None


def import_job_progress(job_id: int, done: int, total: int) -> None:
    """Rows processed so far (telemetry, not audited). Outside a transaction: a plain
    update. Inside the import's transaction: on PostgreSQL through a second,
    autocommitting connection; on SQLite not at all (the import holds the database's
    only write lock; the page shows “正在写入” until the job finishes)."""
    if not connection.in_atomic_block:
        ImportJob.objects.filter(pk=job_id).update(done=done, total=total)
        return
    if connection.vendor == "sqlite":
        return
    side = _side_connection()
    qn = side.ops.quote_name
    table = qn(ImportJob._meta.db_table)
    with side.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {qn('done')} = %s, {qn('total')} = %s WHERE {qn('id')} = %s",
            [done, total, job_id],
        )


def import_job_finish(*, job: ImportJob, result: ImportResult) -> ImportJob:
    """Record the outcome; write the refused rows' report next to the upload."""
    from jigong.core.imports.report import error_report
    from jigong.jobs import refused

    report = ""
    if result.errors or result.file_errors:
        # the rows whole (the school re-imports them), so sealed on disk: refused.py
        report, path = _new_file(REPORT_DIR, "xlsx" + refused.SEALED)
        refused.write(path, error_report(result))
    refused.purge()
    # stored in the database: ID numbers masked (the report file holds the full rows)
    errors = [
        {k: pii.mask_text(v) if isinstance(v, str) else v for k, v in e.__dict__.items()}
        for e in result.errors[:MAX_SHOWN_ERRORS]
    ]
    job = _change(
        job,
        state=JobState.DONE,
        finished_at=timezone.now(),
        total=result.total,
        done=result.total,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        refused=result.refused,
        committed=result.committed,
        summary=result.summary(),
        errors=errors,
        error_count=len(result.errors),
        report_path=report,
    )
    # The data is in the database now (or refused): the uploaded copy is not kept.
    media_path(job.file).unlink(missing_ok=True)
    return job


def job_fail(*, job, message: str):
    return _change(job, state=JobState.FAILED, finished_at=timezone.now(), error=message)


# --- reports (submitted by jigong.quality.jobs.report_job_submit) -----------------------


def report_job_start(*, job: ReportJob) -> ReportJob:
    return _change(job, state=JobState.RUNNING, started_at=timezone.now(), error="")


def report_job_finish(*, job: ReportJob, report) -> ReportJob:
    return _change(job, state=JobState.DONE, finished_at=timezone.now(), report=report)


# --- files built for a user (report PDFs, certificate batches) ----------------------------

FILE_DIR = "files"


def file_path(rel: str) -> Path:
    """The absolute path of a built file; refuses anything outside MEDIA_ROOT/files."""
    root = (Path(settings.MEDIA_ROOT) / FILE_DIR).resolve()
    path = (Path(settings.MEDIA_ROOT) / rel).resolve()
    if root not in path.parents:
        raise ValueError("job file outside the files folder")
    return path


def file_job_submit(
    *, actor, kind: str, title: str, task, params: dict, school=None, district=None
) -> FileJob:
    """Queue the build of a file for ``actor`` (its caller has checked the role, the
    scope and the input): the job row and its queue row commit together. Files of jobs
    finished more than ``JIGONG_FILE_JOB_HOURS`` ago are removed first."""
    if actor is None:
        raise PermissionDenied(_("生成文件须由用户提交"))
    file_job_expire()
    if district is None and school is not None:
        district = school.district
    with acts.performing(FILE_SUBMIT, actor):
        job = core.create(
            actor,
            FileJob,
            check=False,  # the caller checked the scope of the subject
            user=actor,
            kind=kind,
            title=title[:200],
            params=params,
            school=school,
            district=district,
        )
        done = _submit(actor, job, task)
    return _submit_after(actor, job, task, done)


# Asking for a file (a report, a batch of certificates) is an act: the job row and its
# queue row commit together; the file is built later by the worker.
acts.register(
    acts.Act(
        code=FILE_SUBMIT,
        label=gettext_lazy("提交文件生成任务"),
        # graduates: the PDF of their own certificate (graduates.printing)
        roles=acts.ALL_STAFF | {Role.GRADUATE},
        model="jobs.filejob",
        func=file_job_submit,
        channels=frozenset({"page"}),
        event="create",
    )
)


def file_job_start(*, job: FileJob, total: int = 0) -> FileJob:
    return _change(
        job, state=JobState.RUNNING, started_at=timezone.now(), done=0, total=total, error=""
    )


def file_job_progress(job_id: int, done: int, total: int, stage: str = "") -> None:
    """Steps done so far (telemetry, not audited): read by the job's page while it runs."""
    FileJob.objects.filter(pk=job_id).update(done=done, total=total, stage=stage[:200])


def file_job_finish(
    *, job: FileJob, data: bytes, filename: str, content_type: str, ext: str, pages: int = 0
) -> FileJob:
    """Store the file (0600, a random name under MEDIA_ROOT/files/<yyyy>/<mm>/) and
    record it; the user's name for it is only the download name."""
    today = timezone.localdate()
    rel = f"{FILE_DIR}/{today:%Y}/{today:%m}/{secrets.token_hex(16)}.{ext}"
    path = file_path(rel)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
    except BaseException:  # e.g. a full disk: no partial file is left behind
        path.unlink(missing_ok=True)
        raise
    job.refresh_from_db(fields=["done", "total"])
    return _change(
        job,
        state=JobState.DONE,
        finished_at=timezone.now(),
        done=job.total,
        file=rel,
        filename=filename[:255],
        content_type=content_type,
        size=len(data),
        pages=pages,
        stage="",
    )


def file_job_done(*, job: FileJob, summary: str) -> FileJob:
    """Record the outcome of a job that builds no file (an act run in the background
    for its user: registration day's cohort): its line, shown on the job's page."""
    job.refresh_from_db(fields=["done", "total"])
    return _change(
        job,
        state=JobState.DONE,
        finished_at=timezone.now(),
        done=job.total,
        stage=summary[:200],
    )


def file_job_expire(*, now=None) -> int:
    """Remove the files of jobs finished more than ``JIGONG_FILE_JOB_HOURS`` ago (they
    may carry whole ID numbers); the job rows stay as the users' history."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.JIGONG_FILE_JOB_HOURS)
    old = list(FileJob.objects.filter(finished_at__lt=cutoff).exclude(file=""))
    for job in old:
        with contextlib.suppress(ValueError):
            file_path(job.file).unlink(missing_ok=True)
        _change(job, file="")
    return len(old)


# --- workers: heartbeat, recovery, adoption ----------------------------------------------

INTERRUPTED = "后台任务在执行中被中断（工作进程退出），已重新排队"
LOST = "后台任务异常结束（%(status)s），未完成：请重新提交；若再次失败，请联系管理员"
ADOPTED = "工作进程 %(by)s 将工作进程 %(dead)s 中断的队列任务 %(task)s（%(path)s）重新排队"
LOST_TOO_OFTEN = (
    "任务在执行中已 %(n)s 次失去工作进程（最近一次为 %(dead)s），可能是文件过大或损坏使进程退出；"
    "为保护其他任务，不再重新排队，已标记为失败：请检查文件后重新提交；若再次失败，请联系管理员"
)
GAVE_UP = "工作进程 %(by)s 将队列任务 %(task)s（%(path)s）标记为失败：已 %(n)s 次失去工作进程"


class WorkerLost(RuntimeError):
    """The failure recorded on a queue row whose worker was lost too many times."""


def _losses(task) -> int:
    """How many times the task has already been put back after losing its worker: the
    audited re-queues of its queue row (``_requeue``), whatever worker did them."""
    return AuditLog.objects.filter(
        object_type=task._meta.label_lower,
        object_id=str(task.pk),
        action=AuditLog.Action.UPDATE,
    ).count()


def machine_id() -> str:
    """What two processes must share to see each other in /proc: host name, boot and
    PID namespace ("" parts where unknown, e.g. not Linux)."""
    parts = [socket.gethostname()]
    try:
        parts.append(Path("/proc/sys/kernel/random/boot_id").read_text().strip())
        parts.append(os.readlink("/proc/self/ns/pid"))
    except OSError:
        return ""
    return "|".join(parts)[:255]


def process_token(pid: int) -> str:
    """``pid:start`` (start in clock ticks since boot): names one process, not a reused
    pid; "" when /proc cannot tell."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return f"{pid}:{stat.rsplit(')', 1)[1].split()[19]}"


def process_alive(beat: WorkerHeartbeat) -> bool | None:
    """Whether the worker's process still exists, when this process can see it (same
    machine and PID namespace); None otherwise — then only the heartbeat tells."""
    if not beat.machine or not beat.process or beat.machine != machine_id():
        return None
    pid = int(beat.process.split(":", 1)[0])
    return process_token(pid) == beat.process


def worker_heartbeat(*, worker_id: str, start: bool = False) -> None:
    """Record that ``worker_id`` is alive (telemetry, not audited). At start also the
    process that now carries the id."""
    now = timezone.now()
    if not start and WorkerHeartbeat.objects.filter(pk=worker_id).update(seen_at=now):
        return
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "seen_at": now,
            "started_at": now,
            "machine": machine_id(),
            "process": process_token(os.getpid()),
        },
    )


def _requeue(task, *, by: str, dead: str, fresh_since=None) -> bool:
    """Put one running task back in the queue with its job, exactly once: a conditional
    UPDATE (still RUNNING, same claim; with ``fresh_since``, the dead worker's heartbeat
    still older than that) decides, so of two workers looking at once one wins — the
    other's UPDATE matches no row (PostgreSQL re-checks it after the winner commits;
    SQLite runs one writer at a time and BEGIN IMMEDIATE reads after the lock). The
    ``JIGONG_JOB_MAX_LOSSES``-th loss of a task fails it and its job instead, with the
    reason (LOST_TOO_OFTEN): never queued again to kill the next worker. Returns whether
    the task went back to the queue."""
    from django_tasks_db.models import DBTaskResult

    from jigong.jobs.tasks import JOB_TASKS

    with transaction.atomic():
        claim = DBTaskResult.objects.filter(
            pk=task.pk, status="RUNNING", started_at=task.started_at
        )
        if fresh_since is not None:
            alive = WorkerHeartbeat.objects.filter(worker_id=dead, seen_at__gte=fresh_since)
            claim = claim.filter(~Exists(alive))
        # A task that keeps killing its worker (a file that exhausts memory, say) would
        # be re-queued and kill the next one for ever: at the limit it fails instead.
        losses = _losses(task) + 1
        give_up = losses >= settings.JIGONG_JOB_MAX_LOSSES
        now = timezone.now()
        names = {"by": by, "dead": dead, "task": task.pk, "path": task.task_path, "n": losses}
        reason = _(LOST_TOO_OFTEN) % names
        if give_up:
            updated = claim.update(
                status="FAILED",
                finished_at=now,
                exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                traceback=reason,
            )
        else:
            updated = claim.update(status="READY", started_at=None)
        if not updated:
            return False
        core.audit(
            None,
            AuditLog.Action.UPDATE,
            task,
            before={"status": "RUNNING", "worker": dead},
            after={"status": "FAILED" if give_up else "READY", "requeued_by": by, "losses": losses},
            message=_(GAVE_UP if give_up else ADOPTED) % names,
        )
        model = JOB_TASKS.get(task.task_path)
        jobs = model.objects.filter(task_id=str(task.pk), state__in=PENDING) if model else ()
        for job in jobs:
            if give_up:
                _change(
                    job, state=JobState.FAILED, finished_at=now, error=reason, requeued_from=dead
                )
                continue
            _change(
                job,
                state=JobState.QUEUED,
                error=_(INTERRUPTED),
                requeued_by=by,
                requeued_from=dead,
                requeued_at=now,
            )
    return not give_up


def adopt_orphans(*, worker_id: str) -> int:
    """Re-queue, as ``worker_id``, the tasks marked running by another worker that is
    gone: its process is seen gone on this machine, or (elsewhere) its heartbeat is older
    than ``JIGONG_WORKER_STALE_SECONDS`` or missing. A live process on this machine keeps
    its task however old its heartbeat (on SQLite a long import holds the only write
    lock, so no heartbeat can be written until it commits)."""
    from django_tasks_db.models import DBTaskResult

    running = [
        t
        for t in DBTaskResult.objects.filter(status="RUNNING").only(
            "id", "status", "started_at", "worker_ids", "task_path"
        )
        if t.worker_ids and t.worker_ids[-1] != worker_id
    ]
    if not running:
        return 0
    beats = WorkerHeartbeat.objects.in_bulk({t.worker_ids[-1] for t in running})
    cutoff = timezone.now() - timedelta(seconds=settings.JIGONG_WORKER_STALE_SECONDS)
    adopted = 0
    for t in running:
        dead = t.worker_ids[-1]
        beat = beats.get(dead)
        alive = process_alive(beat) if beat is not None else None
        if alive:
            continue
        if alive is None and beat is not None and beat.seen_at >= cutoff:
            continue
        adopted += _requeue(
            t, by=worker_id, dead=dead, fresh_since=None if alive is False else cutoff
        )
    return adopted


def recover(*, worker_id: str) -> dict:
    """Run when ``jigong worker --worker-id ID`` starts: tasks still marked running by a
    previous process with the same id were interrupted (kill -9, power loss) and go
    back to the queue, with their jobs; so do those of other workers that are gone
    (``adopt_orphans``); pending jobs whose task has finished without them (the worker
    could not record the outcome) are marked failed. An import is written in one
    transaction, so an interrupted one wrote nothing and runs again."""
    from django_tasks_db.models import DBTaskResult

    own = [
        t
        for t in DBTaskResult.objects.filter(status="RUNNING")
        if t.worker_ids and t.worker_ids[-1] == worker_id
    ]
    requeued = sum(_requeue(t, by=worker_id, dead=worker_id) for t in own)
    adopted = adopt_orphans(worker_id=worker_id)
    failed = 0
    for model in (ImportJob, ReportJob, FileJob):
        pending = model.objects.filter(state__in=PENDING).exclude(task_id="")
        finished = dict(
            DBTaskResult.objects.filter(
                id__in=[j.task_id for j in pending], status__in=["FAILED", "SUCCESSFUL"]
            ).values_list("id", "status")
        )
        finished = {str(k): v for k, v in finished.items()}
        for job in pending:
            if job.task_id in finished:
                job_fail(job=job, message=_(LOST) % {"status": finished[job.task_id]})
                failed += 1
    return {"requeued": requeued + adopted, "adopted": adopted, "failed": failed}
