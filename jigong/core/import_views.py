"""The import page (/imports/): upload, mode, progress, on-screen errors, the refused-rows
report, template download, and scoped exports. The lead includes ``import_urls``."""

import secrets
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.encoding import escape_uri_path
from django.views.decorators.http import require_http_methods

from jigong.core.imports.base import kinds
from jigong.core.imports.exports import export
from jigong.core.imports.report import error_report
from jigong.core.imports.runner import MODE_LABELS, run_import
from jigong.core.imports.templates import template

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_SHOWN = 500
REPORT_DIR = "import-reports"


def _allowed(user):
    return [
        k
        for k in sorted(kinds().values(), key=lambda k: (k.order, k.key))
        if user.is_superuser or user.role in k.roles
    ]


def _kind(user, key):
    found = kinds().get(key)
    if found is None:
        raise Http404
    if not (user.is_superuser or user.role in found.roles):
        raise PermissionDenied("您的角色无权导入或导出该数据")
    return found


def _attachment(data, filename, content_type):
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
    return response


@login_required
def index(request):
    return render(
        request,
        "imports/index.html",
        {"title": "数据导入导出", "kinds": _allowed(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def upload(request, kind):
    kind = _kind(request.user, kind)
    context = {
        "title": f"导入{kind.label}",
        "kind": kind,
        "modes": MODE_LABELS.items(),
        "mode": request.POST.get("mode", "all"),
        "token": secrets.token_urlsafe(12),
        "columns": kind.columns,
    }
    if request.method == "POST":
        upload = request.FILES.get("file")
        mode = request.POST.get("mode", "all")
        token = request.POST.get("token") or secrets.token_urlsafe(12)
        if upload is None or mode not in MODE_LABELS:
            context["form_error"] = "请选择要导入的文件和导入方式"
        else:

            def progress(done, total):
                cache.set(f"import-progress:{token}", {"done": done, "total": total}, 3600)

            result = run_import(
                kind, upload, user=request.user, mode=mode, filename=upload.name, progress=progress
            )
            context["result"] = result
            context["errors"] = result.errors[:MAX_SHOWN]
            context["more_errors"] = max(0, len(result.errors) - MAX_SHOWN)
            if result.errors or result.file_errors:
                report = secrets.token_urlsafe(16)
                folder = Path(settings.DATA_DIR) / REPORT_DIR
                folder.mkdir(parents=True, exist_ok=True)
                error_report(result, str(folder / f"{report}.xlsx"))
                cache.set(f"import-report:{report}", request.user.pk, 24 * 3600)
                context["report"] = report
    return render(request, "imports/upload.html", context)


@login_required
def progress(request, token):
    return JsonResponse(cache.get(f"import-progress:{token}") or {"done": 0, "total": 0})


@login_required
def report(request, token):
    if cache.get(f"import-report:{token}") != request.user.pk:
        raise Http404
    path = Path(settings.DATA_DIR) / REPORT_DIR / f"{token}.xlsx"
    if not path.exists():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename="导入错误报告.xlsx")


@login_required
def template_download(request, kind):
    kind = _kind(request.user, kind)
    return _attachment(template(kind), f"{kind.label}导入模板.xlsx", XLSX)


def _page_filters(request):
    filters = request.GET.copy()
    filters.pop("page", None)
    return filters


def list_export_url(register, request) -> str | None:
    """The 导出 Excel link of a register's list page: the import kind of the register's
    model, carrying the page's current filters; None when there is no such kind or the
    user's role may not export it."""
    user = request.user
    kind = next((k for k in kinds().values() if k.model is register.model), None)
    if kind is None or not (user.is_superuser or user.role in kind.roles):
        return None
    url = reverse("imports:export", args=[kind.key, "xlsx"])
    filters = _page_filters(request)
    return f"{url}?{filters.urlencode()}" if filters else url


@login_required
def export_download(request, kind, fmt):
    """The kind's rows in the user's scope; with query parameters, narrowed by the list
    page's filters through the register's own list selector (the same restrict() and
    FilterSet as the page), so the file holds what the page lists."""
    from jigong.core.viewsets import register_for

    kind = _kind(request.user, kind)
    if fmt not in ("xlsx", "csv"):
        raise Http404
    queryset = None
    register = register_for(kind.model)
    filters = _page_filters(request)
    if register is not None and filters:
        listed = register.list_selector(user=request.user, filters=filters)
        queryset = kind.queryset(request.user).filter(pk__in=listed.values("pk"))
    tmp = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)  # noqa: SIM115 (streamed)
    export(kind, tmp, user=request.user, queryset=queryset, fmt=fmt)
    tmp.seek(0)
    ctype = XLSX if fmt == "xlsx" else "text/csv; charset=utf-8"
    response = FileResponse(
        tmp, content_type=ctype, as_attachment=True, filename=f"{kind.label}.{fmt}"
    )
    return response
