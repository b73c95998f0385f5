"""Writes of the quality app: scores, reviewed scores, supervision findings, reports.
Every function is keyword-only with ``actor`` first, writes through jigong.core.services
and leaves an audit row with before/after values."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jigong.core import services as core
from jigong.core.errors import field_error
from jigong.core.models import Role
from jigong.core.permissions import ensure, role_may
from jigong.quality.models import (
    AnnualReport,
    Finding,
    FindingState,
    FindingStep,
    QualityReview,
    QualityScore,
    ReportStatus,
)


def _municipal(actor, what: str) -> None:
    if actor is None or not (actor.is_superuser or actor.role == Role.MUNICIPAL):
        raise PermissionDenied(_("只有市人社局可以%(w)s。") % {"w": what})


def check_year(year, *, field: str = "year") -> int:
    """A year that has begun (not in the future), or a Chinese error naming it."""
    try:
        y = int(str(year).strip())
    except (TypeError, ValueError):
        raise field_error(field, year, _("不是有效年份，应为四位数字，如2024"), _("年度")) from None
    this_year = timezone.localdate().year
    if y > this_year:
        raise field_error(
            field,
            y,
            _("是未来年份：只能评价或报告%(y)s年及以前的年度") % {"y": this_year},
            _("年度"),
        )
    if y < 2000:
        raise field_error(field, y, _("早于2000年：平台没有该年度的数据"), _("年度"))
    return y


# --- scores -------------------------------------------------------------------------


@transaction.atomic
def scores_compute(*, actor, year) -> list[QualityScore]:
    """(Re)compute and store every school's evaluation for ``year`` (municipal only).
    Rows are updated in place; each change is audited with before/after."""
    from jigong.quality.evaluation import evaluate

    _municipal(actor, _("计算质量评价得分"))
    year = check_year(year)
    results = evaluate(user=actor, year=year)
    if all(e.total is None for e in results):
        raise field_error("year", year, _("该年度没有可用于质量评价的数据"), _("年度"))
    existing = {s.school_id: s for s in QualityScore.objects.filter(year=year)}
    now = timezone.now()
    out = []
    for e in results:
        fields = {
            **e.dimensions,
            "total": e.total,
            "rank": e.rank,
            "ranked": e.ranked,
            "inputs": e.inputs,
        }
        row = existing.get(e.school_id)
        if row is None:
            row = core.create(actor, QualityScore, school_id=e.school_id, year=year, **fields)
        else:
            row = core.update(actor, row, **fields)
            if row.computed_at != now:
                QualityScore.objects.filter(pk=row.pk).update(computed_at=now)
        out.append(row)
    return out


@transaction.atomic
def review_set(*, actor, school, year, dimension: str, score, basis: str) -> QualityReview:
    """Enter (or change) the bureau's reviewed score of one dimension, then recompute the
    year's scores so totals and ranks follow."""
    _municipal(actor, _("录入审定得分"))
    year = check_year(year)
    basis = (basis or "").strip()
    if not basis:
        raise field_error("basis", "", _("评定依据不能为空：请写明评定所依据的材料"), _("评定依据"))
    row = QualityReview.objects.filter(school=school, year=year, dimension=dimension).first()
    if row is None:
        row = core.create(
            actor,
            QualityReview,
            school=school,
            year=year,
            dimension=dimension,
            score=score,
            basis=basis,
            reviewed_by=actor,
        )
    else:
        row = core.update(
            actor, row, score=score, basis=basis, reviewed_by=actor, reviewed_at=timezone.now()
        )
    if QualityScore.objects.filter(year=year).exists():
        scores_compute(actor=actor, year=year)
    return row


# --- supervision (督导) -------------------------------------------------------------

# action → (sources, target, roles, comment field on the finding, label)
TRANSITIONS = {
    "rectify": (
        (FindingState.OPEN,),
        FindingState.RECTIFYING,
        {Role.SCHOOL},  # the school states its own measures; the bureaus then judge them
        "rectification",
        "提交整改措施",
    ),
    "return": (
        (FindingState.RECTIFYING,),
        FindingState.OPEN,
        {Role.DISTRICT, Role.MUNICIPAL},
        None,
        "退回重新整改",
    ),
    "close": (
        (FindingState.RECTIFYING,),
        FindingState.CLOSED,
        {Role.DISTRICT, Role.MUNICIPAL},
        "evidence",
        "验收销号",
    ),
}
COMMENT_LABELS = {"rectify": "整改措施", "return": "退回理由", "close": "销号意见与证明材料"}


def available_actions(finding: Finding, user) -> list[tuple[str, str]]:
    from jigong.core.permissions import may

    if not may(user, "change", finding):
        return []
    role = Role.MUNICIPAL if user.is_superuser else user.role
    return [
        (name, label)
        for name, (sources, _t, roles, _f, label) in TRANSITIONS.items()
        if finding.state in sources and role in roles
    ]


@transaction.atomic
def finding_create(
    *, actor, school, found_on, area, finding, severity, required_action, deadline
) -> Finding:
    errors = {}
    if found_on and deadline and deadline < found_on:
        errors["deadline"] = [
            _("整改期限“%(d)s”早于督导日期“%(f)s”：整改期限不得早于督导日期")
            % {"d": deadline, "f": found_on}
        ]
    if found_on and found_on > timezone.localdate():
        errors["found_on"] = [_("督导日期“%(f)s”晚于今天：不能登记未来的督导") % {"f": found_on}]
    if errors:
        raise ValidationError(errors)
    return core.create(
        actor,
        Finding,
        school=school,
        found_on=found_on,
        area=area,
        finding=finding,
        severity=severity,
        required_action=required_action,
        deadline=deadline,
        created_by=actor,
    )


@transaction.atomic
def finding_transition(*, actor, finding: Finding, action: str, comment: str) -> Finding:
    """Move a finding along 待整改 → 整改中 → 已销号 (or back), recording a step."""
    if action not in TRANSITIONS:
        raise ValidationError({"action": [_("未知的操作“%(a)s”") % {"a": action}]})
    sources, target, roles, text_field, label = TRANSITIONS[action]
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    ensure(actor, "change", finding)
    role = Role.MUNICIPAL if actor.is_superuser else actor.role
    if role not in roles:
        raise PermissionDenied(_("您的角色不能执行“%(a)s”。") % {"a": _(label)})
    if finding.state not in sources:
        raise ValidationError(
            {
                "state": [
                    _("督导问题当前为“%(s)s”：不能执行“%(a)s”")
                    % {"s": finding.get_state_display(), "a": _(label)}
                ]
            }
        )
    comment = (comment or "").strip()
    if not comment:
        raise field_error(
            "comment",
            "",
            _("不能为空：请填写%(w)s") % {"w": _(COMMENT_LABELS[action])},
            _(COMMENT_LABELS[action]),
        )
    if "\x00" in comment:  # read from a raw POST; PostgreSQL cannot store it
        shown = comment.replace("\x00", "␀")[:20]
        raise field_error(
            "comment", shown, _("含有空字符（\\x00），请删除后重试"), _(COMMENT_LABELS[action])
        )
    before = finding.state
    fields = {"state": target}
    if text_field:
        fields[text_field] = comment
    if target == FindingState.CLOSED:
        fields["closed_on"] = timezone.localdate()
    elif finding.closed_on:
        fields["closed_on"] = None
    finding = core.update(actor, finding, **fields)
    core.create(
        actor,
        FindingStep,
        check=False,
        finding=finding,
        action=action,
        from_state=before,
        to_state=target,
        comment=comment,
        acted_by=actor,
        actor_name=str(actor),
    )
    return finding


# --- annual reports -------------------------------------------------------------------


def reports_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "reports"


def report_file(rel: str) -> Path:
    """The absolute path of a stored report file; refuses anything outside the folder."""
    root = reports_root().resolve()
    path = (root / rel).resolve()
    if root not in path.parents:
        raise ValueError("report path outside the reports folder")
    return path


def _store(year: int, data: bytes, ext: str) -> str:
    rel = f"{year}/{secrets.token_hex(16)}.{ext}"
    path = report_file(rel)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return rel


def report_generate(*, actor, year, school=None) -> AnnualReport:
    """Build the report (HTML and PDF), store both files and a draft row (municipal).
    Bad input (future year, no data, a school out of scope) is refused before any
    write; the files are removed again if the row cannot be saved."""
    from jigong.quality import report as R

    _municipal(actor, _("生成并保存年度质量报告"))
    built = R.build(user=actor, year=year, school=school)
    rels = [
        _store(built.year, built.html.encode("utf-8"), "html"),
        _store(built.year, built.pdf, "pdf"),
    ]
    try:
        with transaction.atomic():
            return core.create(
                actor,
                AnnualReport,
                year=built.year,
                school=school,
                title=built.title,
                html_path=rels[0],
                pdf_path=rels[1],
                pages=built.pages,
                pdf_sha256=hashlib.sha256(built.pdf).hexdigest(),
                generated_by=actor,
                generated_at=timezone.now(),
            )
    except Exception:
        for rel in rels:
            report_file(rel).unlink(missing_ok=True)
        raise


@transaction.atomic
def report_publish(*, actor, report: AnnualReport) -> AnnualReport:
    """Publish a draft to /reports/; a newer publication of the same year and school
    replaces the older one on the public list (both stay audited)."""
    _municipal(actor, _("发布年度质量报告"))
    report = AnnualReport.objects.select_for_update().get(pk=report.pk)
    if report.status == ReportStatus.PUBLISHED:
        raise ValidationError(
            {"status": [_("报告“%(t)s”已发布，不能重复发布") % {"t": report.title}]}
        )
    for old in AnnualReport.objects.select_for_update().filter(
        year=report.year, school=report.school, status=ReportStatus.PUBLISHED
    ):
        core.update(actor, old, status=ReportStatus.DRAFT, published_at=None, published_by=None)
    return core.update(
        actor,
        report,
        status=ReportStatus.PUBLISHED,
        published_at=timezone.now(),
        published_by=actor,
    )


@transaction.atomic
def report_withdraw(*, actor, report: AnnualReport) -> AnnualReport:
    _municipal(actor, _("撤回年度质量报告"))
    if report.status != ReportStatus.PUBLISHED:
        raise ValidationError({"status": [_("报告“%(t)s”未发布，无需撤回") % {"t": report.title}]})
    return core.update(
        actor, report, status=ReportStatus.DRAFT, published_at=None, published_by=None
    )


def may_manage_reports(user) -> bool:
    return role_may(user, AnnualReport, "add")
