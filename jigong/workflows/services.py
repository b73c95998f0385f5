"""Writes on workflow items. An item changes state only through ``transition``; the
school edits its item only while it is a draft or returned.

Every write goes through ``jigong.core.services`` (scope-checked, validated, audited);
a transition also records a ``Step`` (actor, from/to state, comment) with its documents.
Bad input raises ``ValidationError`` (Chinese, keyed by field) before anything is
written; a transition outside the actor's role or scope raises ``PermissionDenied``.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jigong.core import acts
from jigong.core import services as core
from jigong.core.models import AuditLog, Role
from jigong.core.permissions import ensure, may
from jigong.workflows import documents as docs
from jigong.workflows.flows import EDITABLE
from jigong.workflows.machine import Context, Transition
from jigong.workflows.models import (
    BrochureFiling,
    CrossProvinceQuota,
    Document,
    EnrolmentPlan,
    EnrolmentPlanLine,
    InternshipFiling,
    QualificationEntry,
    QualificationList,
    Step,
    WorkflowItem,
)


def _today() -> datetime.date:
    return timezone.localdate()


def _check_documents(files) -> list[docs.Checked]:
    """Check every file before anything is written; all errors at once."""
    checked, errors = [], []
    for f in files or ():
        try:
            checked.append(docs.check(f))
        except ValidationError as exc:
            errors.extend(exc.message_dict["documents"])
    if errors:
        raise ValidationError({"documents": errors})
    return checked


def _record(
    *,
    actor,
    item: WorkflowItem,
    action: str,
    label: str,
    from_state: str,
    to_state: str,
    comment: str,
    checked: list[docs.Checked],
    stored: list,
) -> Step:
    school_id, district_id = item.scope_ids()
    step = core.create(
        actor,
        Step,
        check=False,  # the item's own scope check covers its steps
        kind=item.workflow.kind,
        item_id=item.pk,
        action=action,
        action_label=str(label),
        from_state=from_state,
        to_state=to_state,
        acted_by=actor if actor and actor.pk else None,
        actor_name=str(actor) if actor else core.SYSTEM_NAME,
        actor_role=getattr(actor, "role", "") or "",
        comment=comment,
        school_id=school_id,
        district_id=district_id,
    )
    for c in checked:
        rel, digest = docs.store(c)
        stored.append(rel)
        core.create(
            actor,
            Document,
            check=False,
            step=step,
            kind=step.kind,
            item_id=item.pk,
            name=c.name,
            ext=c.ext,
            path=rel,
            size=c.size,
            sha256=digest,
            uploaded_by=actor if actor and actor.pk else None,
            school_id=school_id,
            district_id=district_id,
        )
    return step


def _with_files(fn, checked):
    """Run ``fn(stored)`` in one transaction; on failure remove the files it wrote."""
    stored: list[str] = []
    try:
        with transaction.atomic():
            return fn(stored)
    except BaseException:
        for rel in stored:
            docs.remove(rel)
        raise


def _enter(item: WorkflowItem, state: str, on: datetime.date) -> dict:
    s = item.workflow.state(state)
    fields = {"state": state, "state_changed_at": timezone.now(), "due_on": None}
    if s.deadline is not None:
        fields["due_on"] = s.deadline.due(item, on)
    return fields


def item_create(*, actor, model: type[WorkflowItem], documents=(), comment: str = "", **fields):
    """Create an item in its workflow's initial state, with a "创建" step and documents."""
    checked = _check_documents(documents)
    on = _today()

    def run(stored):
        probe = model(**fields)
        initial = _enter(probe, model.workflow.initial, on)
        item = core.create(actor, model, **fields, **initial)
        _record(
            actor=actor,
            item=item,
            action="create",
            label=_("创建"),
            from_state="",
            to_state=item.state,
            comment=comment,
            checked=checked,
            stored=stored,
        )
        return item

    return _with_files(run, checked)


def _ensure_editable(actor, item: WorkflowItem) -> None:
    ensure(actor, "change", item)
    if not (actor.is_superuser or actor.role == Role.SCHOOL):
        raise PermissionDenied(_("只有学校可以修改“%(i)s”。") % {"i": item})
    if item.state not in EDITABLE:
        raise ValidationError(
            {
                "state": [
                    _("“%(i)s”当前状态为“%(s)s”，只有草稿或已退回时可以修改")
                    % {"i": item, "s": item.get_state_display()}
                ]
            }
        )


def item_update(*, actor, item: WorkflowItem, **fields) -> WorkflowItem:
    """Edit the structured fields of a draft or returned item (the school only)."""
    forbidden = {"state", "state_changed_at", "due_on", "school", "school_id", "published_on"}
    if forbidden & set(fields):
        raise ValueError(f"fields {forbidden & set(fields)} change only through transitions")
    with transaction.atomic():
        item = type(item).objects.select_for_update().get(pk=item.pk)
        _ensure_editable(actor, item)
        item = core.update(actor, item, **fields)
        state = item.workflow.state(item.state)
        if state.deadline is not None:  # e.g. a new internship start date
            core.update(actor, item, due_on=state.deadline.due(item, _today()))
        return item


def transition(
    *,
    actor,
    item: WorkflowItem,
    action: str,
    comment: str = "",
    documents=(),
    on: datetime.date | None = None,
) -> Step:
    """Take the transition ``action`` on ``item`` as ``actor``: check role, scope, state,
    comment, documents and guards; then change state, record the step, run the effect."""
    wf = item.workflow
    t: Transition = wf.transition(action)
    on = on or _today()
    comment = (comment or "").strip()
    if "\x00" in comment:  # read from a raw POST; PostgreSQL cannot store it
        raise ValidationError({"comment": [_("意见含有空字符（\\x00），请删除后重试")]})
    checked = _check_documents(documents)
    if not may(actor, "change", item):
        raise PermissionDenied(
            _("无权对“%(i)s”执行“%(a)s”：超出您的数据范围。") % {"i": item, "a": t.label}
        )
    if not wf.role_may(actor, t):
        raise PermissionDenied(
            _("您的角色（%(r)s）不能对“%(i)s”执行“%(a)s”。")
            % {"r": actor.get_role_display(), "i": item, "a": t.label}
        )

    def run(stored):
        with acts.performing(wf.act_code(t), actor):
            return take(stored)

    def take(stored):
        locked = type(item).objects.select_for_update().get(pk=item.pk)
        if t.applies is not None and not t.applies(locked):
            raise PermissionDenied(
                _("“%(i)s”不能执行“%(a)s”：该事项不由此途径办理。") % {"i": locked, "a": t.label}
            )
        if locked.state not in t.sources:
            allowed = "、".join(wf.label_of(s) for s in t.sources)
            raise ValidationError(
                {
                    "state": [
                        _("“%(i)s”当前状态为“%(s)s”，不能执行“%(a)s”（仅在“%(ok)s”状态下可以）")
                        % {
                            "i": locked,
                            "s": locked.get_state_display(),
                            "a": t.label,
                            "ok": allowed,
                        }
                    ]
                }
            )
        if t.comment_required and not comment:
            raise ValidationError(
                {"comment": [_("执行“%(a)s”须填写意见或原因（不能为空）") % {"a": t.label}]}
            )
        if t.document_required and not checked:
            raise ValidationError(
                {"documents": [_("执行“%(a)s”须上传至少一个附件") % {"a": t.label}]}
            )
        ctx = Context(locked, actor, on, comment, tuple(checked))
        errors: dict[str, list[str]] = {}
        for guard in t.guards:
            try:
                guard(ctx)
            except ValidationError as exc:
                for k, v in exc.message_dict.items():
                    errors.setdefault(k, []).extend(v)
        if errors:
            raise ValidationError(errors)
        from_state = locked.state
        if t.target is not None and t.target != from_state:
            core.update(actor, locked, **_enter(locked, t.target, on))
        step = _record(
            actor=actor,
            item=locked,
            action=t.name,
            label=t.label,
            from_state=from_state,
            to_state=locked.state,
            comment=comment,
            checked=checked,
            stored=stored,
        )
        core.audit(
            actor,
            AuditLog.Action.OTHER,
            locked,
            before={"state": from_state},
            after={"state": locked.state},
            message=f"{t.label}：{wf.label_of(from_state)} → {wf.label_of(locked.state)}"[:255],
        )
        if t.effect is not None:
            t.effect(ctx)
        item.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
        return step

    return _with_files(run, checked)


# --- enrolment plans -----------------------------------------------------------------


def plan_create(*, actor, school, year: int, note: str = "") -> EnrolmentPlan:
    if EnrolmentPlan.objects.filter(school=school, year=year).exists():
        raise ValidationError(
            {"year": [_("计划年度“%(y)s”：%(s)s已有该年度的招生计划") % {"y": year, "s": school}]}
        )
    return item_create(actor=actor, model=EnrolmentPlan, school=school, year=year, note=note)


def plan_line_set(
    *, actor, plan: EnrolmentPlan, school_major, quota: int
) -> EnrolmentPlanLine | None:
    """Set the quota of one major (0 removes the line) while the plan is editable."""
    if quota is None or quota < 0:
        raise ValidationError(
            {
                "quota": [
                    _("专业“%(m)s”的计划数“%(q)s”应为不小于0的整数")
                    % {"m": school_major, "q": quota}
                ]
            }
        )
    with transaction.atomic():
        _ensure_editable(actor, plan)
        if school_major.school_id != plan.school_id:
            raise ValidationError(
                {"school_major": [_("专业“%(m)s”不是本校开设的专业") % {"m": school_major}]}
            )
        line = EnrolmentPlanLine.objects.filter(plan=plan, school_major=school_major).first()
        if quota and school_major.status != "open" and (line is None or line.quota != quota):
            raise ValidationError(
                {
                    "quota": [
                        _("专业“%(m)s”状态为“%(s)s”，不能安排招生计划")
                        % {"m": school_major, "s": school_major.get_status_display()}
                    ]
                }
            )
        if line is None:
            if not quota:
                return None
            return core.create(
                actor, EnrolmentPlanLine, plan=plan, school_major=school_major, quota=quota
            )
        if not quota:
            core.delete(actor, line, check=False)
            return None
        return core.update(actor, line, quota=quota)


def plan_cross_province_set(*, actor, plan: EnrolmentPlan, province: str, quota: int):
    """Set the quota reserved for a cross-province partner (（九）; 0 removes it)."""
    from jigong.policy import rules
    from jigong.standards.regions import PROVINCES

    partners = rules.cross_province_partners(_today())
    if province not in partners:
        names = "、".join(PROVINCES.get(p, p) for p in partners)
        raise ValidationError(
            {
                "province": [
                    _("省份“%(p)s”不是跨省招生合作省份（%(n)s，依据（九））")
                    % {"p": PROVINCES.get(province, province), "n": names}
                ]
            }
        )
    if quota is None or quota < 0:
        raise ValidationError({"quota": [_("跨省计划数“%(q)s”应为不小于0的整数") % {"q": quota}]})
    with transaction.atomic():
        _ensure_editable(actor, plan)
        row = CrossProvinceQuota.objects.filter(plan=plan, province=province).first()
        if row is None:
            if not quota:
                return None
            return core.create(actor, CrossProvinceQuota, plan=plan, province=province, quota=quota)
        if not quota:
            core.delete(actor, row, check=False)
            return None
        return core.update(actor, row, quota=quota)


# --- filings ---------------------------------------------------------------------------


def brochure_create(*, actor, school, documents=(), **fields) -> BrochureFiling:
    return item_create(
        actor=actor, model=BrochureFiling, school=school, documents=documents, **fields
    )


def internship_create(*, actor, school, documents=(), **fields) -> InternshipFiling:
    return item_create(
        actor=actor, model=InternshipFiling, school=school, documents=documents, **fields
    )


# --- the enrolment qualification list ----------------------------------------------------


def qualification_list_create(*, actor, year: int) -> QualificationList:
    """Compute the year's list (municipal bureau); it starts in review (待审核)."""
    if QualificationList.objects.filter(year=year).exists():
        raise ValidationError({"year": [_("年度“%(y)s”的招生资质名单已存在") % {"y": year}]})
    with transaction.atomic():
        ql = item_create(actor=actor, model=QualificationList, year=year)
        qualification_entries_compute(actor=actor, qualification_list=ql)
        return ql


def qualification_entries_compute(*, actor, qualification_list: QualificationList) -> int:
    """(Re)compute every school's entry from its status and the year's brochures."""
    from jigong.policy import rules
    from jigong.schools.models import School

    ql = qualification_list
    ensure(actor, "change", ql)
    if ql.state != "draft":
        raise ValidationError({"state": [_("只有待审核的名单可以重新计算")]})
    on = _today()
    approved = set(
        BrochureFiling.objects.filter(
            year=ql.year, state__in=("approved", "published")
        ).values_list("school_id", flat=True)
    )
    rows = []
    for school in School.objects.select_related("district").order_by("code"):
        q = rules.enrolment_qualification(school.status, school.pk in approved, on)
        rows.append(
            QualificationEntry(
                qualification_list=ql,
                school=school,
                school_code=school.code,
                school_name=school.name,
                tier=school.tier,
                district_name=school.district.name,
                school_status=school.status,
                brochure_approved=school.pk in approved,
                qualified=q.qualified,
                reasons="；".join(q.reasons)[:255],
            )
        )
    with transaction.atomic():
        before = ql.entries.count()
        ql.entries.all().delete()
        QualificationEntry.objects.bulk_create(rows)
        core.update(actor, ql, computed_at=timezone.now())
        core.audit(
            actor,
            AuditLog.Action.BULK_CREATE,
            ql,
            before={"entries": before},
            after={"entries": len(rows), "qualified": sum(r.qualified for r in rows)},
            message=_("计算招生资质名单条目"),
        )
    return len(rows)
