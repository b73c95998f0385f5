"""Writes of the quality app: scores, reviewed scores, supervision findings, reports.
Each is one act (jigong.core.acts): keyword-only, its roles checked first, then scope
and rules, the writes through jigong.core.services with audit rows naming the act."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jigong.core import acts, params
from jigong.core import services as core
from jigong.core.acts import BUREAUS, MUNICIPAL, SCHOOL, act
from jigong.core.errors import field_error
from jigong.core.models import Duty
from jigong.core.permissions import ensure
from jigong.quality.models import (
    AnnualReport,
    Finding,
    FindingState,
    FindingStep,
    QualityReview,
    QualityScore,
    ReportStatus,
)


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
    first = params.year_range()[0]
    if y < first:
        raise field_error(
            field, y, _("早于%(y)s年：平台没有该年度的数据") % {"y": first}, _("年度")
        )
    return y


# --- scores -------------------------------------------------------------------------


@act(
    "quality.scores_compute",
    label=_lazy("计算质量评价得分"),
    roles=MUNICIPAL,
    model="quality.qualityscore",
    clause="（二十四）",
    channels=("page",),
    duty=Duty.STATISTICS,
)
def scores_compute(*, actor, year: int | str) -> list[QualityScore]:
    """(Re)compute and store every school's evaluation for ``year`` (municipal only).
    Rows are updated in place; each change is audited with before/after."""
    from jigong.quality.evaluation import evaluate

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


@act(
    "quality.review_set",
    label=_lazy("录入审定得分"),
    roles=MUNICIPAL,
    model="quality.qualityreview",
    clause="（二十四）",
    channels=("page",),
    duty=Duty.STATISTICS,
)
def review_set(
    *, actor, school, year: int | str, dimension: str, score: Decimal, basis: str
) -> QualityReview:
    """Enter (or change) the bureau's reviewed score of one dimension, then recompute the
    year's scores so totals and ranks follow."""
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

# action → (sources, target, roles, comment field on the finding, label); each action is
# the act ``quality.finding_<action>`` (registered below, so the registry says who).
TRANSITIONS = {
    "rectify": (
        (FindingState.OPEN,),
        FindingState.RECTIFYING,
        SCHOOL,  # the school states its own measures; the bureaus then judge them
        "rectification",
        _lazy("提交整改措施"),
    ),
    "return": (
        (FindingState.RECTIFYING,),
        FindingState.OPEN,
        BUREAUS,
        None,
        _lazy("退回重新整改"),
    ),
    "close": (
        (FindingState.RECTIFYING,),
        FindingState.CLOSED,
        BUREAUS,
        "evidence",
        _lazy("验收销号"),
    ),
}
COMMENT_LABELS = {
    "rectify": _lazy("整改措施"),
    "return": _lazy("退回理由"),
    "close": _lazy("销号意见与证明材料"),
}


def transition_act(action: str) -> str:
    """The code of the act that performs a finding's ``action``."""
    return f"quality.finding_{action}"


def available_actions(finding: Finding, user) -> list[tuple[str, str]]:
    """The actions the user may take on the finding now (its roles: the registry)."""
    from jigong.core.permissions import may

    if not may(user, "change", finding):
        return []
    return [
        (name, str(label))
        for name, (sources, _t, _r, _f, label) in TRANSITIONS.items()
        if finding.state in sources
        and (user.is_superuser or user.role in acts.get(transition_act(name)).roles)
    ]


@act(
    "quality.finding_create",
    label=_lazy("登记督导问题"),
    roles=BUREAUS,
    model="quality.finding",
    clause="（二十四）",
    channels=("page",),
    event="create",
)
def finding_create(
    *,
    actor,
    school,
    found_on: datetime.date,
    area: str,
    finding: str,
    severity: str,
    required_action: str,
    deadline: datetime.date,
) -> Finding:
    """Record a supervision finding (督导发现问题) against a school in the actor's scope."""
    if actor is not None:
        ensure(actor, "add", Finding(school=school))
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


def finding_transition(*, actor, finding: Finding, action: str, comment: str) -> Finding:
    """Move a finding along 待整改 → 整改中 → 已销号 (or back), recording a step: the act
    ``quality.finding_<action>`` (its roles first, then the finding's scope)."""
    if action not in TRANSITIONS:
        raise ValidationError({"action": [_("未知的操作“%(a)s”") % {"a": action}]})
    with acts.performing(transition_act(action), actor):
        return _transition(actor=actor, finding=finding, action=action, comment=comment)


def _transition(*, actor, finding: Finding, action: str, comment: str) -> Finding:
    sources, target, _roles, text_field, label = TRANSITIONS[action]
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    if actor is not None:
        ensure(actor, "change", finding)
    if finding.state not in sources:
        raise ValidationError(
            {
                "state": [
                    _("督导问题当前为“%(s)s”：不能执行“%(a)s”")
                    % {"s": finding.get_state_display(), "a": label}
                ]
            }
        )
    comment = (comment or "").strip()
    if not comment:
        raise field_error(
            "comment",
            "",
            _("不能为空：请填写%(w)s") % {"w": COMMENT_LABELS[action]},
            COMMENT_LABELS[action],
        )
    if "\x00" in comment:  # read from a raw POST; PostgreSQL cannot store it
        shown = comment.replace("\x00", "␀")[:20]
        raise field_error(
            "comment", shown, _("含有空字符（\\x00），请删除后重试"), COMMENT_LABELS[action]
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


def _register_transitions() -> None:
    for action, (_s, _t, roles, _f, label) in TRANSITIONS.items():
        acts.register(
            acts.Act(
                code=transition_act(action),
                label=format_lazy("{}：{}", _lazy("督导问题"), label),
                roles=frozenset(roles),
                model="quality.finding",
                func=finding_transition,
                clause="（二十四）",
                channels=frozenset({"page"}),
            )
        )


_register_transitions()


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


def report_generate(*, actor, year: int | str, school=None) -> AnnualReport:
    """Build the report (HTML and PDF), store both files and a draft row: the act
    ``annual_report.generate`` (registered below). Its roles are checked before the
    build, which takes seconds and so runs outside the act's transaction (it would hold
    SQLite's write lock); bad input (future year, no data, a school out of scope) is
    refused before any write; the files are removed again if the row cannot be saved."""
    from jigong.quality import report as R

    spec = acts.get("annual_report.generate")
    acts.ensure_role(actor, spec)
    built = R.build(user=actor, year=year, school=school)
    rels = [
        _store(built.year, built.html.encode("utf-8"), "html"),
        _store(built.year, built.pdf, "pdf"),
    ]
    try:
        with acts.performing(spec, actor):
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


acts.register(
    acts.Act(
        code="annual_report.generate",
        label=_lazy("生成年度质量报告"),
        roles=MUNICIPAL,
        model="quality.annualreport",
        func=report_generate,
        clause="（二十四）",
        channels=frozenset({"page"}),  # submitted on the page, built by ``jigong worker``
        event="create",
        duty=Duty.STATISTICS,
    )
)


@act(
    "annual_report.publish",
    label=_lazy("发布年度质量报告"),
    roles=MUNICIPAL,
    model="quality.annualreport",
    clause="（二十四）",
    channels=("page",),
    duty=Duty.STATISTICS,
)
def report_publish(*, actor, report: AnnualReport) -> AnnualReport:
    """Publish a draft to /reports/; a newer publication of the same year and school
    replaces the older one on the public list (both stay audited)."""
    if actor is not None:
        ensure(actor, "change", report)
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


@act(
    "annual_report.withdraw",
    label=_lazy("撤回年度质量报告"),
    roles=MUNICIPAL,
    model="quality.annualreport",
    clause="（二十四）",
    channels=("page",),
    duty=Duty.STATISTICS,
)
def report_withdraw(*, actor, report: AnnualReport) -> AnnualReport:
    """Take a published report off /reports/ (back to draft)."""
    report = AnnualReport.objects.select_for_update().get(pk=report.pk)
    if actor is not None:
        ensure(actor, "change", report)
    if report.status != ReportStatus.PUBLISHED:
        raise ValidationError({"status": [_("报告“%(t)s”未发布，无需撤回") % {"t": report.title}]})
    return core.update(
        actor, report, status=ReportStatus.DRAFT, published_at=None, published_by=None
    )
