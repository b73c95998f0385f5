"""Batch printing of a school's graduation certificates as a background job.

``/graduation-certificates/print/``: GET shows the form (year, level, school code; a
bookmarked URL with its parameters shows it filled in, with the number of certificates),
POST queues the PDF for ``jigong worker`` and goes to the job's page, which shows the
progress (certificates rendered so far) and then offers the file to the user who asked
(``jobs.FileJob``; it carries whole ID numbers). The worker renders ``CHUNK``
certificates at a time in one Chromium and joins the parts with poppler's ``pdfunite``.
One certificate (``printing.certificate_print``) is a job the same way: in the request
it took 2.4–3.8 s, most of it starting a browser for one page.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jigong.certificates import printing
from jigong.core.pdf import PdfError, PdfRenderer
from jigong.jobs import services as job_services
from jigong.jobs.models import FileJob
from jigong.jobs.tasks import JOB_TASKS, run_file_job, task

KIND = "certificates.print_batch"
KIND_ONE = "certificates.print_one"
CHUNK = 25  # certificates per Chromium render: the job's progress moves by this step


class Refused(Exception):
    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.message, self.status = message, status


def _cohort(user, data: dict):
    """(school, certificates) of the form's data within the user's scope, or Refused."""
    school = printing._school_for(user, data["school"])
    if school is None:
        code = data["school"]
        if code:
            raise Refused(_("学校代码“%(c)s”：不存在或不在您的数据范围内") % {"c": code}, 404)
        raise Refused(_("学校代码“”：请指定要打印证书的学校（school=学校代码）"), 400)
    qs = printing.cohort_for_print(
        user=user,
        school=school,
        year=data["year"],
        level=data["level"] or None,
        major=data.get("major") or None,
    )
    return school, qs


def _count(user, data: dict) -> tuple:
    school, qs = _cohort(user, data)
    n = qs.count()
    if not n:
        raise Refused(
            _("%(s)s在%(y)s年没有符合条件的有效证书") % {"s": school.name, "y": data["year"]},
            404,
        )
    if n > printing.BATCH_MAX:
        raise Refused(
            _("一次最多打印%(m)s份证书：请按班级层次（level）分批打印") % {"m": printing.BATCH_MAX},
            400,
        )
    return school, n


def batch_job_submit(*, actor, data: dict) -> FileJob:
    """Queue the PDF of the cohort ``data`` names (cleaned ``printing.BatchForm`` data)
    for ``actor``; refused (``Refused``) as the page would be: not a printer, a school
    outside the scope, nothing to print, too many."""
    printing._ensure_printer(actor)
    school, n = _count(actor, data)
    level = data["level"] or ""
    major = data.get("major") or None
    return job_services.file_job_submit(
        actor=actor,
        kind=KIND,
        title=_("%(s)s%(y)s年%(c)s毕业证书（%(n)s份）")
        % {"s": school.name, "y": data["year"], "c": _cohort_label(level, major), "n": n},
        task=print_batch,
        params={"year": data["year"], "level": level, "major": major},
        school=school,
    )


def _cohort_label(level: str, major: int | None) -> str:
    """“高级工班 焊接加工 ” for a job's title ("" for a whole year)."""
    from jigong.core.choices import Level
    from jigong.reference.models import Major

    parts = [str(Level(level).label)] if level else []
    if major:
        parts += list(Major.objects.filter(pk=major).values_list("name", flat=True))
    return "".join(f"{p} " for p in parts)


@task()
def print_batch(job_id: int) -> dict:
    return run_file_job(job_id, _build)


def _build(job: FileJob, progress):
    user, year, level = job.user, job.params["year"], job.params.get("level", "")
    printing._ensure_printer(user)
    major = job.params.get("major")
    data = {"year": year, "level": level, "major": major, "school": job.school.code}
    try:
        _school, qs = _cohort(user, data)
    except Refused as exc:
        raise ValidationError({"school": [exc.message]}) from exc
    certs = list(qs[: printing.BATCH_MAX + 1])
    if not certs:
        raise ValidationError({"year": [_("%(y)s年没有符合条件的有效证书") % {"y": year}]})
    if len(certs) > printing.BATCH_MAX:
        raise ValidationError({"year": [_("一次最多打印%(m)s份证书") % {"m": printing.BATCH_MAX}]})
    stage = _("正在生成证书 PDF")
    parts: list[bytes] = []
    progress(0, len(certs), stage)
    with PdfRenderer() as renderer:
        for i in range(0, len(certs), CHUNK):
            parts.append(printing.certificates_pdf(certs[i : i + CHUNK], renderer=renderer))
            progress(min(i + CHUNK, len(certs)), len(certs), stage)
    suffix = (f"-{level}" if level else "") + (f"-m{major}" if major else "")
    name = f"certificates-{job.school.code}-{year}{suffix}.pdf"
    return join_pdfs(parts), name, "application/pdf", "pdf", len(certs)


def join_pdfs(parts: list[bytes]) -> bytes:
    """One PDF of several, in order (poppler's ``pdfunite``)."""
    if len(parts) == 1:
        return parts[0]
    tool = shutil.which("pdfunite")
    if tool is None:
        raise PdfError(_("未找到 pdfunite：合并证书 PDF 需要安装 poppler-utils 软件包。"))
    with tempfile.TemporaryDirectory() as d:
        names = []
        for i, data in enumerate(parts):
            p = Path(d) / f"part-{i:05d}.pdf"
            p.write_bytes(data)
            names.append(str(p))
        out = Path(d) / "all.pdf"
        subprocess.run([tool, *names, str(out)], capture_output=True, check=True, timeout=300)
        return out.read_bytes()


def one_job_submit(*, actor, certificate) -> FileJob:
    """Queue the PDF of one certificate (in ``actor``'s scope: the caller read it through
    ``printing.certificate_for_print``)."""
    printing._ensure_printer(actor)
    return job_services.file_job_submit(
        actor=actor,
        kind=KIND_ONE,
        title=_("毕业证书 %(n)s") % {"n": certificate.number},
        task=print_one,
        params={"certificate": certificate.pk},
        school=certificate.school,
    )


@task()
def print_one(job_id: int) -> dict:
    return run_file_job(job_id, _build_one)


def _build_one(job: FileJob, progress):
    from jigong.certificates.models import GraduationCertificate

    printing._ensure_printer(job.user)
    try:
        cert = printing.certificate_for_print(user=job.user, pk=job.params["certificate"])
    except GraduationCertificate.DoesNotExist as exc:
        raise ValidationError({"certificate": [_("证书不存在或不在您的数据范围内")]}) from exc
    progress(0, 1, _("正在生成证书 PDF"))
    data = printing.certificates_pdf([cert])
    progress(1, 1, "")
    return data, f"certificate-{cert.number}.pdf", "application/pdf", "pdf", 1


JOB_TASKS[print_batch.module_path] = FileJob
JOB_TASKS[print_one.module_path] = FileJob


# --- the page ------------------------------------------------------------------------


def _page(request, form, *, count=None, school=None, message="", status=200):
    return render(
        request,
        "certificates/print/batch.html",
        {
            "title": _("批量打印毕业证书"),
            "form": form,
            "count": count,
            "school": school,
            "message": message,
        },
        status=status,
    )


def _form_message(form) -> str:
    return "；".join(m for ms in form.errors.values() for m in ms)


@login_required
@require_http_methods(["GET", "POST"])
def batch_print(request):
    """GET: the form (filled in from a bookmarked URL's parameters, with the count);
    POST: queue the PDF and go to the job's page. Nothing is rendered here."""
    printing._ensure_printer(request.user)
    user = request.user
    if request.method == "GET" and not request.GET:
        return _page(request, printing.BatchForm(user=user))
    form = printing.BatchForm(request.POST if request.method == "POST" else request.GET, user=user)
    if not form.is_valid():
        return _page(request, form, message=_form_message(form), status=400)
    try:
        if request.method == "POST":
            job = batch_job_submit(actor=request.user, data=form.cleaned_data)
            return redirect(reverse("jobs:file_detail", args=[job.pk]))
        school, n = _count(request.user, form.cleaned_data)
    except Refused as exc:
        return _page(request, form, message=exc.message, status=exc.status)
    return _page(request, form, count=n, school=school)
