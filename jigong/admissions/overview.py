"""The district's and the city's enrolment figures at /admissions/overview/ (（九）):
one row per school with its totals beside the plan, a school's plan lines on a click,
the city's district filter, and the lines as an Excel file. Every figure comes from
``staff_selectors.overview`` (the scope first); the filters only narrow it."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from jigong.admissions import staff_selectors as S
from jigong.core import acts, params
from jigong.core.models import Role
from jigong.policy.formatting import percent

BUREAUS = (Role.DISTRICT, Role.MUNICIPAL)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIGURES = ("quota", "applications", "admitted", "confirmed", "enrolled")


@dataclass
class SchoolTotals:
    """A school's lines added up (a line without an approved plan counts no quota)."""

    school: object
    lines: list = field(default_factory=list)

    def _sum(self, name: str) -> int:
        return sum(getattr(r, name) or 0 for r in self.lines)

    def __getattr__(self, name):
        if name in FIGURES:
            return self._sum(name)
        raise AttributeError(name)

    @property
    def fulfilment(self) -> str:
        quota = self._sum("quota")
        return percent(self._sum("enrolled") / quota) if quota else "—"


def _season(request):
    seasons = list(S.seasons())
    year = params.choice(request.GET, "year", [str(s.year) for s in seasons], default="")
    if year:
        return seasons, next(s for s in seasons if str(s.year) == year)
    return seasons, S.current_season(timezone.localdate())


@login_required
def page(request):
    user = request.user
    if not (user.is_superuser or user.role in BUREAUS):
        raise PermissionDenied(_("招生录取情况供区县和市人社局查阅。"))
    seasons, season = _season(request)
    lines = S.overview(user=user, season=season) if season else []
    # the filters' choices are the schools and districts of the viewer's own figures
    schools = {r.school.pk: r.school for r in lines}
    districts = {s.district.code: s.district for s in schools.values()}
    district = None
    if user.is_superuser or user.role == Role.MUNICIPAL:
        district = params.choice(request.GET, "district", sorted(districts), default=None)
    if district:
        lines = [r for r in lines if r.school.district.code == district]
    school = params.choice(request.GET, "school", sorted(schools), default=None)
    if school is not None:
        lines = [r for r in lines if r.school.pk == school]
    if request.GET.get("format") == "xlsx":
        return _xlsx(lines, season)
    totals = SchoolTotals(None, lines)
    by_school: dict = {}
    for r in lines:
        by_school.setdefault(r.school.pk, SchoolTotals(r.school)).lines.append(r)
    return render(
        request,
        "admissions/staff_overview.html",
        {
            "title": _("招生录取情况"),
            "subtitle": season or _("尚未设立招生季"),
            "season": season,
            "seasons": seasons,
            "districts": sorted(districts.values(), key=lambda d: d.code)
            if user.is_superuser or user.role == Role.MUNICIPAL
            else [],
            "district": district,
            "school": schools.get(school),
            "rows": lines,
            "schools": list(by_school.values()),
            "totals": totals,
            "may_set": acts.role_may(user, "admission.season_set"),
        },
    )


def _xlsx(lines, season) -> HttpResponse:
    import xlsxwriter

    from jigong.core.cells import neutralise, xlsx_options

    heads = [
        _("学校代码"),
        _("学校"),
        _("所在区县"),
        _("专业代码"),
        _("专业"),
        _("班级层次"),
        _("计划数"),
        _("报名志愿"),
        _("已录取"),
        _("已确认"),
        _("已注册学籍"),
        _("计划完成率"),
    ]
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, xlsx_options(in_memory=True))
    sheet = book.add_worksheet(_("招生录取情况"))
    sheet.write_row(0, 0, heads, book.add_format({"bold": True}))
    for i, r in enumerate(lines, 1):
        texts = [
            r.school.code,
            r.school.name,
            r.school.district.name,
            r.school_major.major.code,
            r.school_major.major.name,
            r.school_major.get_level_display(),
        ]
        for j, text in enumerate(texts):
            sheet.write_string(i, j, neutralise(str(text)))
        for j, name in enumerate(FIGURES, len(texts)):
            value = getattr(r, name)
            if value is None:  # a line without an approved plan
                sheet.write_string(i, j, "—")
            else:
                sheet.write_number(i, j, value)
        sheet.write_string(i, len(heads) - 1, r.fulfilment)
    sheet.set_column(0, len(heads) - 1, 14)
    sheet.set_column(1, 1, 28)
    sheet.freeze_panes(1, 0)
    book.close()
    name = _("%(season)s招生录取情况") % {"season": season or ""}
    response = HttpResponse(buf.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}.xlsx"
    return response
