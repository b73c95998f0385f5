"""Reads of background jobs, from restrict(): a job is seen by the user who submitted
it and by the municipal bureau (city-wide), no one else."""

from jigong.core.models import Role
from jigong.jobs.models import FileJob, ImportJob, ReportJob


def _own(qs, user):
    if user.is_superuser or user.role == Role.MUNICIPAL:
        return qs
    return qs.filter(user=user)


def import_job_list(*, user):
    return _own(ImportJob.objects.restrict(user, "view"), user).select_related("user")


def import_job_get(*, user, pk: int) -> ImportJob:
    return import_job_list(user=user).get(pk=pk)


def report_job_list(*, user):
    qs = ReportJob.objects.restrict(user, "view")
    return _own(qs, user).select_related("user", "school", "report")


def report_job_get(*, user, pk: int) -> ReportJob:
    return report_job_list(user=user).get(pk=pk)


def file_job_list(*, user):
    """A built file is its submitter's alone (a batch of certificates carries whole ID
    numbers): no one else sees the job, the city included; a graduate sees the jobs
    they submitted."""
    if user.role == Role.GRADUATE:
        # no school or district scope: a graduate's jobs are those they submitted (their
        # own certificate, graduates.printing)
        qs = FileJob.objects.filter(user=user, user__role=Role.GRADUATE)
    else:
        qs = FileJob.objects.restrict(user, "view").filter(user=user)
    return qs.select_related("user", "school")


def file_job_get(*, user, pk: int) -> FileJob:
    return file_job_list(user=user).get(pk=pk)
