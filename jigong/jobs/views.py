"""Job pages: the upload that queues an import (/imports/<kind>/), the user's imports
(/jobs/imports/), one import's state, progress, errors and refused-rows report, and JSON
status for the page's polling script. Reads go through the selectors (restrict() + own
jobs): anyone else's job answers 404."""

import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jigong.core.errors import messages_of
from jigong.core.import_views import allowed_kind
from jigong.core.imports.base import kinds
from jigong.core.imports.runner import MODE_LABELS
from jigong.core.permissions import STAFF_ROLES
from jigong.core.viewsets import get_or_404
from jigong.jobs import refused, selectors, services
from jigong.jobs.models import JobState


def _staff(user):
    if not (user.is_superuser or user.role in STAFF_ROLES):
        raise PermissionDenied(_("您的角色无权查看后台任务。"))


def _import_job(request, pk):
    _staff(request.user)
    return get_or_404(selectors.import_job_get, user=request.user, pk=pk)


def _queued(job) -> str:
    text = _("排队中，等待后台任务进程处理……")
    return job.requeued_note + "；" + text if job.requeued_by else text


def _status(job, text: str) -> dict:
    """A job's progress as its page polls it (JSON)."""
    return {
        "state": job.state,
        "state_label": job.get_state_display(),
        "done": job.done,
        "total": job.total,
        "text": text,
        "requeued": job.requeued_note,
    }


def import_status(job) -> dict:
    """What the page shows about a job, also served as JSON while it runs."""
    if job.state == JobState.QUEUED:
        text = _queued(job)
    elif job.state == JobState.RUNNING:
        if job.total:
            text = _("正在写入：已处理 %(d)s / %(t)s 行") % {"d": job.done, "t": job.total}
        else:
            text = _("正在读取和校验文件……")
    elif job.state == JobState.DONE:
        text = job.summary
    else:
        text = job.error
    return _status(job, text)


@login_required
def import_list(request):
    _staff(request.user)
    labels = {k.key: k.label for k in kinds().values()}
    page = Paginator(selectors.import_job_list(user=request.user), 50).get_page(
        request.GET.get("page")
    )
    for job in page:
        job.kind_label = labels.get(job.kind, job.kind)
    return render(request, "jobs/import_list.html", {"title": _("导入任务"), "page": page})


@login_required
def import_detail(request, pk: int):
    job = _import_job(request, pk)
    kind = kinds().get(job.kind)
    return render(
        request,
        "jobs/import_detail.html",
        {
            "title": _("导入任务：%(f)s") % {"f": job.filename},
            "job": job,
            "kind": kind,
            "mode_label": MODE_LABELS.get(job.mode, job.mode),
            "status": import_status(job),
            "more_errors": max(0, job.error_count - len(job.errors)),
            # the rows are the submitter's; the municipal bureau overseeing the job sees
            # the errors with ID numbers masked and not the file of refused rows
            "own": job.user_id == request.user.pk,
        },
    )


@login_required
def import_status_json(request, pk: int):
    return JsonResponse(import_status(_import_job(request, pk)))


@login_required
def import_report(request, pk: int):
    job = _import_job(request, pk)
    if job.user_id != request.user.pk:
        raise PermissionDenied(_("错误报告含上传文件的原始行，仅提交人可以下载。"))
    if not job.report_path:
        raise Http404(_("该导入没有错误报告。"))
    if refused.expired(job):
        raise Http404(
            _("错误报告已超过保存期（%(days)s 天）并已删除，请重新导入原文件以获得新的报告。")
            % {"days": refused.retention_days()}
        )
    try:
        data = refused.read(services.media_path(job.report_path))
    except (OSError, ValueError) as exc:
        raise Http404(_("错误报告文件不存在。")) from exc
    # nothing written: the whole file with its bad rows marked; else the refused rows
    name = "被拒绝的行.xlsx" if job.committed else "导入文件（已标出错误行）.xlsx"
    return FileResponse(io.BytesIO(data), as_attachment=True, filename=name)


@login_required
def report_status_json(request, pk: int):
    _staff(request.user)
    job = get_or_404(selectors.report_job_get, user=request.user, pk=pk)
    return JsonResponse(
        {
            "state": job.state,
            "state_label": job.get_state_display(),
            "text": job.error if job.state == JobState.FAILED else job.get_state_display(),
            "requeued": job.requeued_note,
        }
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request, kind):
    """GET: the form. POST: store the file and queue its import (jigong.jobs), then show
    the job's page, which follows its progress; nothing is imported inside the request.
    (/imports/<kind>/, ``imports:upload``: jigong/jobs/import_urls.py)"""
    kind = allowed_kind(request.user, kind, write=True)
    context = {
        "title": _("导入%(kind)s") % {"kind": kind.label},
        "kind": kind,
        "modes": MODE_LABELS.items(),
        "mode": request.POST.get("mode", "all"),
        "columns": kind.columns,
    }
    if request.method == "POST":
        upload = request.FILES.get("file")
        mode = request.POST.get("mode", "all")
        if upload is None or mode not in MODE_LABELS:
            context["form_error"] = _("请选择要导入的文件和导入方式")
        else:
            try:
                job = services.import_job_submit(
                    actor=request.user, kind=kind.key, upload=upload, mode=mode
                )
            except ValidationError as exc:
                context["form_error"] = "；".join(messages_of(exc))
            else:
                return redirect(reverse("jobs:import_detail", args=[job.pk]))
    return render(request, "imports/upload.html", context)


# --- files built for the user (report PDFs, certificate batches) -----------------------


def _file_job(request, pk):
    return get_or_404(selectors.file_job_get, user=request.user, pk=pk)


def file_status(job) -> dict:
    if job.state == JobState.QUEUED:
        text = _queued(job)
    elif job.state == JobState.RUNNING:
        text = job.stage or _("正在生成……")
        if job.total:
            text = _("%(s)s（%(d)s / %(t)s）") % {"s": text, "d": job.done, "t": job.total}
    elif job.state == JobState.DONE:
        if job.file:
            text = _("已生成：%(n)s 页，%(k)s KB") % {"n": job.pages, "k": max(1, job.size // 1024)}
        elif not job.filename:  # a job that builds no file: its outcome's line
            text = job.stage
        else:
            text = _("文件已过保留期被删除：请重新生成")
    else:
        text = job.error
    return _status(job, text)


@login_required
def file_detail(request, pk: int):
    job = _file_job(request, pk)
    return render(
        request,
        "jobs/file_detail.html",
        {"title": job.title, "job": job, "status": file_status(job)},
    )


@login_required
def file_status_json(request, pk: int):
    response = JsonResponse(file_status(_file_job(request, pk)))
    response["Cache-Control"] = "no-store"
    return response


@login_required
def file_download(request, pk: int):
    job = _file_job(request, pk)
    if job.state != JobState.DONE:
        raise Http404(_("文件尚未生成。"))
    if not job.file:
        raise Http404(_("文件已过保留期被删除：请重新生成。"))
    try:
        handle = services.file_path(job.file).open("rb")
    except (OSError, ValueError) as exc:
        raise Http404(_("文件不存在：请重新生成。")) from exc
    response = FileResponse(
        handle,
        content_type=job.content_type or "application/octet-stream",
        as_attachment=True,
        filename=job.filename or "file",
    )
    response["Cache-Control"] = "no-store"
    return response
