"""Pages: ranking and distribution, score details, reviewed scores, supervision
findings, annual reports (staff), and the public /reports/ pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jigong.core import acts, params
from jigong.core.errors import messages_of
from jigong.core.models import Role
from jigong.core.pdf import PdfError
from jigong.core.permissions import STAFF_ROLES, role_may
from jigong.core.viewsets import form_page, get_or_404
from jigong.jobs.selectors import report_job_list
from jigong.quality import forms, selectors, services
from jigong.quality.jobs import report_job_submit
from jigong.quality.models import AnnualReport, Dimension, Finding, FindingState, QualityScore
from jigong.security.headers import report_html


def _staff(user) -> None:
    if not (user.is_superuser or user.role in STAFF_ROLES):
        raise PermissionDenied(_("您的角色无权查看质量评价。"))


def _municipal(user) -> bool:
    return user.is_superuser or user.role == Role.MUNICIPAL


def _year(request, default: int) -> int:
    return params.year(request.GET, default=default)


# --- ranking and distribution -------------------------------------------------------


@login_required
def ranking(request):
    user = request.user
    _staff(user)
    years = selectors.score_years(user=user)
    this_year = timezone.localdate().year
    year = _year(request, years[0] if years else this_year - 1)
    rows = selectors.ranking(user=user, year=year)
    bins = selectors.distribution(user=user, year=year)
    top = max((b["count"] for b in bins), default=0) or 1
    for i, b in enumerate(bins):
        b["height"] = round(120 * b["count"] / top)
        b["x"], b["cx"] = i * 60 + 7, i * 60 + 30
        b["y"], b["ty"] = 140 - b["height"], 134 - b["height"]
    return render(
        request,
        "quality/ranking.html",
        {
            "title": _("质量评价"),
            "year": year,
            "years": sorted(set(years) | {year}, reverse=True),
            "rows": rows,
            "bins": bins,
            "school_view": user.role == Role.SCHOOL and not user.is_superuser,
            "dimensions": selectors.dimension_rows(year),
            "dimension_codes": Dimension.values,
            "may_compute": role_may(user, QualityScore, "add"),
            "reviews": selectors.reviews(user=user, year=year),
        },
    )


@login_required
@require_POST
def compute(request):
    try:
        rows = services.scores_compute(actor=request.user, year=request.POST.get("year"))
    except ValidationError as exc:
        for m in messages_of(exc):
            messages.error(request, m)
        return redirect(reverse("quality:ranking"))
    year = rows[0].year
    messages.success(
        request, _("已计算%(y)s年%(n)s所学校的质量评价得分。") % {"y": year, "n": len(rows)}
    )
    return redirect(reverse("quality:ranking") + f"?year={year}")


@login_required
def score_detail(request, pk: int):
    from jigong.quality.evaluation import MEASURE_LABELS

    _staff(request.user)
    score = get_or_404(selectors.score_get, user=request.user, pk=pk)
    measures = score.inputs.get("measures", {})
    rows = [{"label": label, **measures.get(code, {})} for code, label in MEASURE_LABELS.items()]
    return render(
        request,
        "quality/score.html",
        {
            "title": str(score),
            "score": score,
            "measures": rows,
            "dimensions": [
                (str(Dimension(d).label), score.dimension_scores()[d]) for d in Dimension.values
            ],
            "reviewed": score.inputs.get("reviewed", {}),
            "findings": [f for m in measures.values() for f in m.get("findings", [])],
        },
    )


@login_required
def review_new(request):
    user = request.user
    acts.ensure_role(user, services.review_set.act)
    form = forms.ReviewForm(request.POST or None, user=user)

    def save(data):
        r = services.review_set(actor=user, **data)
        messages.success(request, _("已保存“%(r)s”。") % {"r": r})
        return reverse("quality:ranking") + f"?year={r.year}"

    return form_page(
        request,
        form=form,
        title=_("录入审定得分"),
        cancel_url=reverse("quality:ranking"),
        save=save,
    )


# --- supervision ----------------------------------------------------------------------


@login_required
def finding_list(request):
    user = request.user
    _staff(user)
    query = request.GET
    filters = {
        "state": params.choice(query, "state", FindingState.values),
        "overdue": params.choice(query, "overdue", ["1"]),  # the check box's value
        "school": params.text(query, "school", max_length=16),
    }
    rows = selectors.finding_list(user=user, filters=filters)
    return render(
        request,
        "quality/findings.html",
        {
            "title": _("督导问题"),
            "rows": rows[:500],
            "may_add": role_may(user, Finding, "add"),
            "state": filters["state"] or "",
            "states": Finding._meta.get_field("state").choices,
        },
    )


@login_required
def finding_new(request):
    user = request.user
    acts.ensure_role(user, services.finding_create.act)
    form = forms.FindingForm(request.POST or None, user=user)

    def save(data):
        f = services.finding_create(actor=user, **data)
        return reverse("quality:finding_detail", args=[f.pk])

    return form_page(
        request,
        form=form,
        title=_("登记督导问题"),
        cancel_url=reverse("quality:finding_list"),
        save=save,
    )


def _finding(request, pk):
    return get_or_404(selectors.finding_get, user=request.user, pk=pk)


@login_required
def finding_detail(request, pk: int):
    _staff(request.user)
    finding = _finding(request, pk)
    return render(
        request,
        "quality/finding.html",
        {
            "title": str(finding),
            "finding": finding,
            "steps": finding.steps.all(),
            "actions": services.available_actions(finding, request.user),
            "form": forms.CommentForm(),
        },
    )


@login_required
@require_POST
def finding_act(request, pk: int, action: str):
    finding = _finding(request, pk)
    comment = request.POST.get("comment", "")
    try:
        services.finding_transition(
            actor=request.user, finding=finding, action=action, comment=comment
        )
    except ValidationError as exc:
        for m in messages_of(exc):
            messages.error(request, m)
    else:
        messages.success(request, _("已办理。"))
    return redirect(reverse("quality:finding_detail", args=[finding.pk]))


# --- annual reports (staff) -------------------------------------------------------------


@login_required
def report_list(request):
    user = request.user
    _staff(user)
    form = forms.ReportForm(request.POST or None, initial={"year": timezone.localdate().year - 1})
    errors = []
    if request.method == "POST" and form.is_valid():
        year, code = form.cleaned_data["year"], form.cleaned_data["school"]
        try:
            if _municipal(user):
                from jigong.quality.report import resolve_school

                school = resolve_school(user=user, code=code)
                report_job_submit(actor=user, year=year, school=school)
                messages.success(
                    request, _("已提交生成任务：报告在后台生成，完成后列在下方（草稿）。")
                )
                return redirect(reverse("quality:report_list"))
            code = _own_code(user) or code
            if not code:
                raise ValidationError(
                    {"school": [_("学校代码不能为空：请填写要下载报告的学校代码")]}
                )
            from jigong.quality.jobs import school_report_job_submit
            from jigong.quality.report import resolve_school

            job = school_report_job_submit(
                actor=user, school=resolve_school(user=user, code=code), year=year
            )
            return redirect(reverse("jobs:file_detail", args=[job.pk]))
        except ValidationError as exc:
            errors = messages_of(exc)
        except PdfError as exc:
            errors = [exc.message]
    return render(
        request,
        "quality/reports.html",
        {
            "title": _("年度质量报告"),
            "form": form,
            "errors": errors,
            "reports": selectors.report_list(user=user)[:200],
            "jobs": report_job_list(user=user)[:20],
            "municipal": _municipal(user),
            "own_code": _own_code(user),
        },
    )


def _own_code(user) -> str:
    return user.school.code if user.role == Role.SCHOOL and user.school_id else ""


@login_required
@require_POST
def report_publish(request, pk: int):
    report = get_or_404(selectors.report_get, user=request.user, pk=pk)
    try:
        services.report_publish(actor=request.user, report=report)
        messages.success(request, _("已发布“%(t)s”。") % {"t": report.title})
    except ValidationError as exc:
        for m in messages_of(exc):
            messages.error(request, m)
    return redirect(reverse("quality:report_list"))


@login_required
@require_POST
def report_withdraw(request, pk: int):
    """Take a published report off /reports/ (back to draft)."""
    report = get_or_404(selectors.report_get, user=request.user, pk=pk)
    try:
        services.report_withdraw(actor=request.user, report=report)
        messages.success(request, _("已撤回“%(t)s”，公众不再能看到该报告。") % {"t": report.title})
    except ValidationError as exc:
        for m in messages_of(exc):
            messages.error(request, m)
    return redirect(reverse("quality:report_list"))


def _file_response(report: AnnualReport, kind: str, *, inline: bool):
    rel = report.pdf_path if kind == "pdf" else report.html_path
    try:
        path = services.report_file(rel)
        handle = path.open("rb")
    except (OSError, ValueError) as exc:
        raise Http404(_("报告文件不存在。")) from exc
    name = f"{report.title}.{kind}"
    ctype = "application/pdf" if kind == "pdf" else "text/html; charset=utf-8"
    return FileResponse(handle, content_type=ctype, as_attachment=not inline, filename=name)


@report_html
@login_required
def report_file(request, pk: int, kind: str):
    if kind not in ("pdf", "html"):
        raise Http404(_("未找到该记录。"))
    report = get_or_404(selectors.report_get, user=request.user, pk=pk)
    return _file_response(report, kind, inline=kind == "html")


@login_required
def school_report(request, code: str, year: int, kind: str):
    """A school's report, built by ``jigong worker`` for the user who asks: GET (a link or
    a bookmark) shows what will be built with a button, POST queues it and goes to the
    job's page (progress, then the download). A school user gets its own school only
    (any other code answers 404, as an unknown one does)."""
    from jigong.quality import report as R
    from jigong.quality.jobs import school_report_job_submit

    user = request.user
    _staff(user)
    if kind not in ("pdf", "html"):
        raise Http404(_("未找到该记录。"))
    try:
        school = R.resolve_school(user=user, code=code)
        year = services.check_year(year)
        if request.method == "POST":
            job = school_report_job_submit(actor=user, school=school, year=year, kind=kind)
            return redirect(reverse("jobs:file_detail", args=[job.pk]))
    except ValidationError as exc:
        if "school" in getattr(exc, "error_dict", {}):
            raise Http404(messages_of(exc)[0]) from exc
        return render(
            request,
            "quality/report_error.html",
            {"title": _("无法生成报告"), "errors": messages_of(exc)},
            status=400,
        )
    return render(
        request,
        "quality/school_report_start.html",
        {
            "title": _("%(s)s%(y)s年度质量报告") % {"s": school.name, "y": year},
            "school": school,
            "year": year,
            "kind": kind.upper(),
        },
    )


# --- public /reports/ ----------------------------------------------------------------


def public_list(request):
    return render(
        request,
        "reports/public_list.html",
        {"title": _("技工教育年度质量报告"), "reports": selectors.public_report_list()},
    )


def _public(pk):
    return get_or_404(selectors.public_report_get, pk=pk, message=_("未找到已发布的报告。"))


def public_view(request, pk: int):
    report = _public(pk)
    return render(request, "reports/public_view.html", {"title": report.title, "report": report})


@report_html
def public_content(request, pk: int):
    return _file_response(_public(pk), "html", inline=True)


def public_pdf(request, pk: int):
    return _file_response(_public(pk), "pdf", inline=False)
