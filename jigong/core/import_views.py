"""The import page (/imports/): the kinds, template download and scoped exports. The
upload itself is ``jigong.jobs.views.import_upload`` (the import runs in the background);
the URLs are ``jigong/jobs/import_urls.py``."""

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.encoding import escape_uri_path
from django.utils.translation import gettext as _

from jigong.core.errors import messages_of
from jigong.core.imports.base import kinds
from jigong.core.imports.exports import export
from jigong.core.imports.templates import template

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _allowed(user):
    """The kinds the user may import, or at least export (each with ``may_import``)."""
    out = []
    for k in sorted(kinds().values(), key=lambda k: (k.order, k.key)):
        if k.refusal(user, write=False) is None:
            k_for_user = _KindForUser(k, k.refusal(user, write=True) is None)
            out.append(k_for_user)
    return out


class _KindForUser:
    """An import kind as the index lists it for one user."""

    def __init__(self, kind, may_import: bool):
        self._kind, self.may_import = kind, may_import

    def __getattr__(self, name):
        return getattr(self._kind, name)


def allowed_kind(user, key, *, write: bool = False):
    """The import kind ``key`` if the user may import (``write``) or export it: 404 for
    no such kind, 403 naming the role or the duty (issue 15) otherwise."""
    found = kinds().get(key)
    if found is None:
        raise Http404
    refusal = found.refusal(user, write=write)
    if refusal:
        raise PermissionDenied(refusal)
    return found


def _attachment(data, filename, content_type):
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
    return response


@login_required
def index(request):
    allowed = _allowed(request.user)
    if not allowed:
        raise PermissionDenied(_("您的角色无权导入或导出数据"))
    return render(request, "imports/index.html", {"title": _("数据导入导出"), "kinds": allowed})


@login_required
def template_download(request, kind):
    kind = allowed_kind(request.user, kind)
    school = request.user.school if request.user.school_id else None
    data = template(kind, school_code=school.code if school else None)
    return _attachment(data, _("%(kind)s导入模板.xlsx") % {"kind": kind.label}, XLSX)


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
    if kind is None or kind.refusal(user, write=False):
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

    kind = allowed_kind(request.user, kind)
    if fmt not in ("xlsx", "csv"):
        raise Http404
    queryset = None
    register = register_for(kind.model)
    filters = _page_filters(request)
    if register is not None and filters:
        listed = register.list_selector(user=request.user, filters=filters)
        queryset = kind.queryset(request.user).filter(pk__in=listed.values("pk"))
    tmp = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)  # noqa: SIM115 (streamed)
    try:
        export(kind, tmp, user=request.user, queryset=queryset, fmt=fmt)
    except ValidationError as exc:  # e.g. more rows than an Excel sheet holds
        tmp.close()
        messages.error(request, "；".join(messages_of(exc)))
        back = register.list_url() if register is not None else reverse("home")
        return redirect(f"{back}?{filters.urlencode()}" if filters else back)
    tmp.seek(0)
    ctype = XLSX if fmt == "xlsx" else "text/csv; charset=utf-8"
    response = FileResponse(
        tmp, content_type=ctype, as_attachment=True, filename=f"{kind.label}.{fmt}"
    )
    return response
