"""Registration day as a background job (（九）（二十一）, issue 16): a 技师学院's cohort is
a thousand rows and more, so /admissions/register/ queues ``admission.enrol_cohort`` for
``jigong worker`` and goes to the job's page (``jobs.FileJob`` without a file: its
progress, then the outcome's line, or the refusal naming the applicant it stopped at).

The act is still all or nothing and runs as the clerk who asked (its audit row names
them); its role, duty (学籍) and scope are asked here at submit and again when the job
runs. A school has at most one such job waiting or running: a second submit gets that
job (the school's row is locked while it looks), and a job run twice finds nothing left
to enrol (the act locks the confirmed choices it turns)."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from jigong.admissions import selectors, services
from jigong.admissions.models import ChoiceState, Season
from jigong.core import acts, pii
from jigong.core.errors import messages_of
from jigong.core.models import Role
from jigong.core.permissions import ensure
from jigong.jobs import services as job_services
from jigong.jobs.models import PENDING, FileJob
from jigong.jobs.tasks import JOB_TASKS, run_file_job, task

KIND = "admissions.enrol_cohort"
ACT = "admission.enrol_cohort"
NOTHING = "没有待注册学籍的已确认录取"


def check(actor, school) -> None:
    """The act's role and duty (学籍), a school account of this school, its scope."""
    from jigong.students.models import Registration

    acts.ensure_role(actor, ACT)
    if actor.role != Role.SCHOOL or actor.school_id != school.pk:
        raise PermissionDenied(_("只有本校的学校账号办理新生注册。"))
    ensure(actor, "add", Registration(school=school))


def pending_job(school) -> FileJob | None:
    """The school's registration-day job still queued or running, if any."""
    return (
        FileJob.objects.filter(kind=KIND, school=school, state__in=PENDING).order_by("pk").first()
    )


def _confirmed(actor, season, enrolled_on: datetime.date) -> int:
    year = season.year if season is not None else enrolled_on.year
    return (
        selectors.school_choices(user=actor, state=ChoiceState.CONFIRMED)
        .filter(application__season__year=year)
        .count()
    )


def register_job_submit(
    *, actor, school, enrolled_on: datetime.date, season=None
) -> tuple[FileJob, bool]:
    """Queue the cohort's enrolment as ``actor``; (the job, whether it is new). Refused
    before anything is written: role, duty, scope, nothing confirmed to enrol."""
    from jigong.schools.models import School

    check(actor, school)
    with transaction.atomic():
        # one submit at a time per school (SQLite: the write lock of BEGIN IMMEDIATE)
        list(School.objects.select_for_update().filter(pk=school.pk).values_list("pk"))
        running = pending_job(school)
        if running is not None:
            return running, False
        n = _confirmed(actor, season, enrolled_on)
        if not n:
            raise ValidationError({"choices": [_(NOTHING)]})
        job = job_services.file_job_submit(
            actor=actor,
            kind=KIND,
            title=_("%(s)s新生注册学籍（%(n)s人，注册日期%(d)s）")
            % {"s": school.name, "n": n, "d": enrolled_on.isoformat()},
            task=enrol_cohort_job,
            params={
                "enrolled_on": enrolled_on.isoformat(),
                "season": season.year if season is not None else None,
                "count": n,
                "next": reverse("students:registration_list"),
                "next_label": _("查看学籍名册"),
            },
            school=school,
        )
    return job, True


@task()
def enrol_cohort_job(job_id: int) -> dict:
    return run_file_job(job_id, _run)


def _run(job: FileJob, progress) -> str:
    user, school, p = job.user, job.school, job.params
    check(user, school)  # again: the clerk may have lost the duty since
    enrolled_on = datetime.date.fromisoformat(p["enrolled_on"])
    season = Season.objects.filter(year=p["season"]).first() if p.get("season") else None
    progress(0, p.get("count") or 0, _("正在为已确认录取的新生注册学籍"))
    try:
        n = services.cohort_enrol(actor=user, school=school, enrolled_on=enrolled_on, season=season)
    except ValidationError as exc:  # the act names the applicant it stopped at
        why = pii.mask_text("；".join(messages_of(exc)))
        raise ValidationError(_("未注册任何学籍：%(why)s") % {"why": why}) from exc
    progress(n, n, "")
    return _("已为%(n)s名新生注册学籍，均已记入学籍名册。") % {"n": n}


JOB_TASKS[enrol_cohort_job.module_path] = FileJob
