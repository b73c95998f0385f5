"""The graduate's own certificate as a PDF: the same sheet the school prints (with the
signed QR address), built by ``jigong worker`` as a file job (``file.submit``) like the
school's printing, and downloaded by the graduate alone from the job's page. Reads go
through ``graduates.selectors``: a graduate reaches only the certificates of the person
their account is linked to."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jigong.certificates import printing
from jigong.certificates.models import GraduationCertificate
from jigong.graduates import selectors
from jigong.jobs import services as job_services
from jigong.jobs.models import FileJob
from jigong.jobs.tasks import JOB_TASKS, run_file_job, task

KIND = "graduates.certificate_pdf"


def certificate_pdf_submit(*, actor, certificate: GraduationCertificate) -> FileJob:
    """Queue the PDF of ``certificate``, one of ``actor``'s own (the caller read it
    through ``selectors.my_certificate_get``); a ValidationError when it is not
    printable (not valid, no signing key)."""
    printing.check_printable([certificate])
    return job_services.file_job_submit(
        actor=actor,
        kind=KIND,
        title=_("我的毕业证书 %(n)s") % {"n": certificate.number},
        task=print_own,
        params={"certificate": certificate.pk},
    )


@task()
def print_own(job_id: int) -> dict:
    return run_file_job(job_id, _build)


def _build(job: FileJob, progress):
    try:
        cert = selectors.my_certificate_get(user=job.user, pk=job.params["certificate"])
    except GraduationCertificate.DoesNotExist as exc:
        raise ValidationError({"certificate": [_("证书不存在或不是您本人的证书")]}) from exc
    progress(0, 1, _("正在生成证书 PDF"))
    data = printing.certificates_pdf([cert])
    progress(1, 1, "")
    return data, f"certificate-{cert.number}.pdf", "application/pdf", "pdf", 1


JOB_TASKS[print_own.module_path] = FileJob
