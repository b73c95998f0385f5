"""Reports built in the background by ``jigong worker``: the bureau's annual report
(submission and task; ``jobs.ReportJob``) and a school's report (PDF or HTML), asked for
by any staff user within scope and built as a file job (``jobs.FileJob``) for them
alone. The job machinery (queue, recovery, the job rows) is ``jigong.jobs``, a lower
layer: it does not import quality; the tasks are registered in ``jobs.tasks.JOB_TASKS``
here (imported by ``QualityConfig.ready``)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jigong.core import acts
from jigong.core import services as core
from jigong.core.errors import messages_of
from jigong.core.pdf import PdfError
from jigong.core.permissions import STAFF_ROLES
from jigong.jobs import services as job_services
from jigong.jobs.models import PENDING, FileJob, ReportJob
from jigong.jobs.tasks import JOB_TASKS, USER_GONE, run_file_job, task
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


# --- a school's report, for the user who asked ------------------------------------------

SCHOOL_REPORT = "quality.school_report"
REPORT_TYPES = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}


def school_report_job_submit(*, actor, school, year: int, kind: str = "pdf") -> FileJob:
    """Queue the build of ``school``'s report of ``year`` for ``actor`` (a staff user
    whose scope holds the school: ``report.resolve_school``). The year is checked here;
    whether the year has data, when the job runs (its message on the job's page)."""
    if actor is None or not (actor.is_superuser or actor.role in STAFF_ROLES):
        raise PermissionDenied(_("您的角色无权查看质量评价。"))
    if kind not in REPORT_TYPES:
        raise ValidationError({"kind": [_("报告格式“%(k)s”无效：应为 pdf 或 html") % {"k": kind}]})
    year = check_year(year)
    return job_services.file_job_submit(
        actor=actor,
        kind=SCHOOL_REPORT,
        title=_("%(s)s%(y)s年度质量报告（%(k)s）")
        % {"s": school.name, "y": year, "k": kind.upper()},
        task=build_school_report,
        params={"year": year, "format": kind},
        school=school,
    )


@task()
def build_school_report(job_id: int) -> dict:
    return run_file_job(job_id, _build_school_report)


def _build_school_report(job: FileJob, progress):
    from jigong.core.pdf import PdfRenderer
    from jigong.quality import report as R

    year, kind = job.params["year"], job.params.get("format", "pdf")
    progress(0, len(R.STEPS), str(R.STEPS[0]))
    # the scope and the figures as the submitter sees them today
    school = R.resolve_school(user=job.user, code=job.school.code)
    year = R.check_inputs(user=job.user, year=year, school=school)
    ctx = R.context(user=job.user, year=year, school=school)
    with PdfRenderer() as renderer:
        html, pdf, pages = R.render(ctx, renderer, progress=progress)
    progress(len(R.STEPS), len(R.STEPS), "")
    data = pdf if kind == "pdf" else html.encode("utf-8")
    return data, f"{ctx['title']}.{kind}", REPORT_TYPES[kind], kind, pages


JOB_TASKS[build_school_report.module_path] = FileJob
