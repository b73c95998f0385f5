"""The tasks ``jigong worker`` runs (django-tasks; ``django.tasks`` in Django 6).

Each takes a job id, is idempotent (a job that is no longer queued or running is left
alone) and records its outcome on the job: a failure the user can fix (bad rows, a
year without data) is a finished job with its messages; an unexpected exception marks
the job failed with a Chinese message and is re-raised, so the queue keeps the
traceback (``django_tasks_db.DBTaskResult``).
"""

from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from jigong.core.errors import messages_of
from jigong.core.pdf import PdfError
from jigong.jobs import refused, services
from jigong.jobs.models import PENDING, FileJob, ImportJob

try:  # Django 6: the built-in framework; the backport before that
    from django.tasks import task
except ImportError:
    from django_tasks import task

INTERNAL_IMPORT = (
    "导入过程中出现内部错误（%(e)s），本次导入未写入任何数据：请重新提交；若再次失败，请联系管理员"
)
INTERNAL_FILE = "生成文件时出现内部错误（%(e)s），未生成文件：请重新提交；若再次失败，请联系管理员"
INTERNAL_AFTER = (
    "导入已结束，但记录结果时出现内部错误（%(e)s）：请在数据列表中核对后再决定是否重新导入"
)
USER_GONE = "提交人账号已停用或删除，任务未执行"


@task()
def run_import_job(job_id: int) -> dict:
    from jigong.core.imports.runner import run_import

    job = ImportJob.objects.select_related("user").filter(pk=job_id).first()
    if job is None or job.state not in PENDING:
        return {"job": job_id, "skipped": True}
    job = services.import_job_start(job=job)
    if job.user is None or not job.user.is_active:
        services.job_fail(job=job, message=_(USER_GONE))
        return {"job": job_id, "state": job.state}
    try:
        with refused.upload_opened(services.media_path(job.file)) as path:
            result = run_import(
                job.kind,
                path,
                user=job.user,
                mode=job.mode,
                filename=job.filename,
                progress=partial(services.import_job_progress, job.pk),
            )
    except BaseException as exc:
        services.job_fail(job=job, message=_(INTERNAL_IMPORT) % {"e": type(exc).__name__})
        raise
    finally:
        services.close_side_connection()
    try:
        job = services.import_job_finish(job=job, result=result)
    except BaseException as exc:
        job.refresh_from_db()
        services.job_fail(job=job, message=_(INTERNAL_AFTER) % {"e": type(exc).__name__})
        raise
    return {"job": job_id, "state": job.state, "summary": job.summary}


def run_file_job(job_id: int, build) -> dict:
    """The body of a file job's task (a domain app's @task calls it with its builder).
    ``build(job, progress)`` runs as the submitting user and returns (data, filename,
    content type, extension, pages), or only the outcome's line (a str) when the job is
    an act that builds no file; ``progress(done, total, stage)`` is shown on the
    job's page. A refusal the user can act on (bad input, scope, no browser) ends the
    job failed with its message; anything else too, and is re-raised for the queue."""
    job = FileJob.objects.select_related("user", "school").filter(pk=job_id).first()
    if job is None or job.state not in PENDING:
        return {"job": job_id, "skipped": True}
    job = services.file_job_start(job=job)
    if job.user is None or not job.user.is_active:
        services.job_fail(job=job, message=_(USER_GONE))
        return {"job": job_id, "state": job.state}
    try:
        built = build(job, partial(services.file_job_progress, job.pk))
    except ValidationError as exc:
        job = services.job_fail(job=job, message="；".join(messages_of(exc)))
    except PermissionDenied as exc:
        job = services.job_fail(job=job, message=str(exc))
    except PdfError as exc:
        job = services.job_fail(job=job, message=exc.message)
    except BaseException as exc:
        services.job_fail(job=job, message=_(INTERNAL_FILE) % {"e": type(exc).__name__})
        raise
    else:
        if isinstance(built, str):  # an act run for the user: its outcome, no file
            job = services.file_job_done(job=job, summary=built)
        else:
            data, filename, ctype, ext, pages = built
            job = services.file_job_finish(
                job=job, data=data, filename=filename, content_type=ctype, ext=ext, pages=pages
            )
    return {"job": job_id, "state": job.state}


# Queue task path → the job model it drives (used by services.recover). An app that
# defines a job task adds it here (jigong.quality.jobs: the annual report).
JOB_TASKS = {
    run_import_job.module_path: ImportJob,
}
