"""The annual quality report built in the background by ``jigong worker``: the bureau's
submission and the task. The job machinery (queue, recovery, the ReportJob row) is
``jigong.jobs``, a lower layer: it does not import quality; the task is registered
in ``jobs.tasks.JOB_TASKS`` here (imported by ``QualityConfig.ready``)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jigong.core import acts
from jigong.core import services as core
from jigong.core.errors import messages_of
from jigong.core.pdf import PdfError
from jigong.jobs import services as job_services
from jigong.jobs.models import PENDING, ReportJob
from jigong.jobs.tasks import JOB_TASKS, USER_GONE, task
from jigong.quality.services import check_year, report_generate

INTERNAL_REPORT = (
    "生成报告时出现内部错误（%(e)s），未保存报告：请重新提交；若再次失败，请联系管理员"
)


def report_job_submit(*, actor, year: int, school=None) -> ReportJob:
    """Queue the build of an annual quality report: the act ``annual_report.generate``
    runs as the job's user, so its roles are checked here too, with its message (and a
    job needs a user). The year and the school are checked here; the figures (a year
    without data) when the job runs."""
    if actor is None:
        raise PermissionDenied(_("生成年度质量报告须由用户提交"))
    acts.ensure_role(actor, acts.get("annual_report.generate"))
    year = check_year(year)
    with transaction.atomic():  # the job row and its queue row commit together
        job = core.create(actor, ReportJob, user=actor, year=year, school=school)
        done = job_services._submit(actor, job, build_report_job)
    return job_services._submit_after(actor, job, build_report_job, done)


@task()
def build_report_job(job_id: int) -> dict:
    job = ReportJob.objects.select_related("user", "school").filter(pk=job_id).first()
    if job is None or job.state not in PENDING:
        return {"job": job_id, "skipped": True}
    job = job_services.report_job_start(job=job)
    if job.user is None or not job.user.is_active:
        job_services.job_fail(job=job, message=_(USER_GONE))
        return {"job": job_id, "state": job.state}
    try:
        report = report_generate(actor=job.user, year=job.year, school=job.school)
    except ValidationError as exc:
        job = job_services.job_fail(job=job, message="；".join(messages_of(exc)))
    except PermissionDenied as exc:
        job = job_services.job_fail(job=job, message=str(exc))
    except PdfError as exc:
        job = job_services.job_fail(job=job, message=exc.message)
    except BaseException as exc:
        job_services.job_fail(job=job, message=_(INTERNAL_REPORT) % {"e": type(exc).__name__})
        raise
    else:
        job = job_services.report_job_finish(job=job, report=report)
    return {"job": job_id, "state": job.state}


JOB_TASKS[build_report_job.module_path] = ReportJob
