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
from django.utils.translation import gettext_lazy as _lazy

from jigong.core import acts
from jigong.core import services as core
from jigong.core.acts import MUNICIPAL, SCHOOL, UNSET, Unset, act, given
from jigong.core.models import AuditLog, Duty
from jigong.core.permissions import ensure, may
from jigong.policy import rules
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


RETURNED = "returned"  # the state a school corrects a returned item in


def _enter(item: WorkflowItem, state: str, on: datetime.date) -> dict:
    s = item.workflow.state(state)
    fields = {"state": state, "state_changed_at": timezone.now(), "due_on": None}
    if s.deadline is not None:
        fields["due_on"] = s.deadline.due(item, on)
    if state == RETURNED and fields["due_on"] is not None:
        # a returned item gets time to be corrected: never a deadline already past
        again = rules.days_after(on, "workflows.resubmit_days", on)
        if again is not None:
            fields["due_on"] = max(fields["due_on"], again)
    return fields


def _item_create(*, actor, model: type[WorkflowItem], documents=(), comment: str = "", **fields):
    """Create an item in its workflow's initial state, with a "创建" step and documents
    (the helper of the typed acts that create each kind of item)."""
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
    """The item is in the actor's scope and still a draft (or returned); the acts that
    call this are the school's (their ``roles``)."""
    ensure(actor, "change", item)
    if item.state not in EDITABLE:
        raise ValidationError(
            {
                "state": [
                    _("“%(i)s”当前状态为“%(s)s”，只有草稿或已退回时可以修改")
                    % {"i": item, "s": item.get_state_display()}
                ]
            }
        )


def _item_update(*, actor, item: WorkflowItem, **fields) -> WorkflowItem:
    """Edit the structured fields of a draft or returned item (the helper of the typed
    acts that edit each kind of item)."""
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
    values: dict | None = None,
) -> Step:
    """Take the transition ``action`` on ``item`` as ``actor``: check role, scope, state,
    comment, documents, the transition's ``inputs`` (``values``, validated with the item)
    and guards; then change state, record the step, run the effect."""
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
        if t.inputs:
            given_values = values or {}
            missing = [n for n in t.inputs if given_values.get(n) in (None, "")]
            if missing:
                raise ValidationError(
                    {
                        n: [
                            _("执行“%(a)s”须填写%(f)s")
                            % {"a": t.label, "f": type(locked)._meta.get_field(n).verbose_name}
                        ]
                        for n in missing
                    }
                )
            core.update(actor, locked, **{n: given_values[n] for n in t.inputs})
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


@act(
    "enrolment_plan.create",
    duty=Duty.ENROLMENT,
    label=_lazy("新建招生计划"),
    roles=SCHOOL,
    model="workflows.enrolmentplan",
    clause="（九）",
    channels=("page",),
    event="create",
)
def plan_create(*, actor, school, year: int, note: str = "") -> EnrolmentPlan:
    """A school's enrolment plan for a year, as a draft (one per school and year)."""
    if actor is not None:
        ensure(actor, "add", EnrolmentPlan(school=school))
    if EnrolmentPlan.objects.filter(school=school, year=year).exists():
        raise ValidationError(
            {"year": [_("计划年度“%(y)s”：%(s)s已有该年度的招生计划") % {"y": year, "s": school}]}
        )
    return _item_create(actor=actor, model=EnrolmentPlan, school=school, year=year, note=note)


@act(
    "enrolment_plan.set_line",
    duty=Duty.ENROLMENT,
    label=_lazy("填写分专业招生计划"),
    roles=SCHOOL,
    model="workflows.enrolmentplanline",
    clause="（九）",
    channels=("page",),
)
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


@act(
    "enrolment_plan.set_cross_province",
    duty=Duty.ENROLMENT,
    label=_lazy("填写跨省招生计划"),
    roles=SCHOOL,
    model="workflows.crossprovincequota",
    clause="（九）",
    channels=("page",),
)
def plan_cross_province_set(*, actor, plan: EnrolmentPlan, province: str, quota: int):
    """Set the quota reserved for a cross-province partner (（九）; 0 removes it)."""
    from jigong.policy import rules
    from jigong.standards.regions import PROVINCES

    if quota is None or quota < 0:
        raise ValidationError({"quota": [_("跨省计划数“%(q)s”应为不小于0的整数") % {"q": quota}]})
    with transaction.atomic():
        _ensure_editable(actor, plan)
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


@act(
    "brochure.file",
    duty=Duty.ENROLMENT,
    label=_lazy("新建招生简章备案"),
    roles=SCHOOL,
    model="workflows.brochurefiling",
    clause="（九）（二十一）",
    channels=("page",),
    event="create",
)
def brochure_create(
    *,
    actor,
    school,
    year: int,
    title: str,
    total_quota: int,
    target_groups: str,
    contact: str,
    cross_province: bool = False,
    tracks: str = "full_time",
    documents=(),
) -> BrochureFiling:
    """A draft 招生简章备案 with its documents; submitted to the district later.
    ``tracks``: 全日制, 非全日制 or both (``OfferedTracks``), what /enrol/ filters by and
    an application to the school is held to."""
    return _item_create(
        actor=actor,
        model=BrochureFiling,
        school=school,
        documents=documents,
        year=year,
        title=title,
        total_quota=total_quota,
        target_groups=target_groups,
        tracks=tracks,
        cross_province=cross_province,
        contact=contact,
    )


@act(
    "brochure.update",
    duty=Duty.ENROLMENT,
    label=_lazy("修改招生简章备案"),
    roles=SCHOOL,
    model="workflows.brochurefiling",
    clause="（九）（二十一）",
    channels=("page",),
)
def brochure_update(
    *,
    actor,
    brochure: BrochureFiling,
    year: int | Unset = UNSET,
    title: str | Unset = UNSET,
    total_quota: int | Unset = UNSET,
    target_groups: str | Unset = UNSET,
    cross_province: bool | Unset = UNSET,
    contact: str | Unset = UNSET,
    tracks: str | Unset = UNSET,
) -> BrochureFiling:
    """The school edits its filing while it is a draft or returned."""
    return _item_update(
        actor=actor,
        item=brochure,
        **given(
            year=year,
            title=title,
            total_quota=total_quota,
            target_groups=target_groups,
            cross_province=cross_province,
            contact=contact,
            tracks=tracks,
        ),
    )


@act(
    "internship.file",
    label=_lazy("新建实习计划备案"),
    roles=SCHOOL,
    model="workflows.internshipfiling",
    clause="（二十一）",
    channels=("page",),
    event="create",
)
def internship_create(
    *,
    actor,
    school,
    title: str,
    enterprise: str,
    location: str,
    start_on: datetime.date,
    end_on: datetime.date,
    students: int,
    majors: str,
    province: str | Unset = UNSET,
    documents=(),
) -> InternshipFiling:
    """A draft 实习计划备案; a cross-province one is filed in advance (its deadline)."""
    return _item_create(
        actor=actor,
        model=InternshipFiling,
        school=school,
        documents=documents,
        title=title,
        enterprise=enterprise,
        location=location,
        start_on=start_on,
        end_on=end_on,
        students=students,
        majors=majors,
        **given(province=province),
    )


@act(
    "internship.update",
    label=_lazy("修改实习计划备案"),
    roles=SCHOOL,
    model="workflows.internshipfiling",
    clause="（二十一）",
    channels=("page",),
)
def internship_update(
    *,
    actor,
    internship: InternshipFiling,
    title: str | Unset = UNSET,
    enterprise: str | Unset = UNSET,
    province: str | Unset = UNSET,
    location: str | Unset = UNSET,
    start_on: datetime.date | Unset = UNSET,
    end_on: datetime.date | Unset = UNSET,
    students: int | Unset = UNSET,
    majors: str | Unset = UNSET,
) -> InternshipFiling:
    """The school edits its filing while it is a draft or returned (a new start date
    moves the deadline)."""
    return _item_update(
        actor=actor,
        item=internship,
        **given(
            title=title,
            enterprise=enterprise,
            province=province,
            location=location,
            start_on=start_on,
            end_on=end_on,
            students=students,
            majors=majors,
        ),
    )


# --- the enrolment qualification list ----------------------------------------------------


@act(
    "qualification_list.create",
    label=_lazy("生成招生资质名单"),
    roles=MUNICIPAL,
    model="workflows.qualificationlist",
    clause="（九）",
    channels=("page",),
    event="create",
)
def qualification_list_create(*, actor, year: int) -> QualificationList:
    """Compute the year's list (municipal bureau); it starts in review (待审核)."""
    if QualificationList.objects.filter(year=year).exists():
        raise ValidationError({"year": [_("年度“%(y)s”的招生资质名单已存在") % {"y": year}]})
    ql = _item_create(actor=actor, model=QualificationList, year=year)
    qualification_entries_compute(actor=actor, qualification_list=ql)
    return ql


@act(
    "qualification_list.compute",
    label=_lazy("计算招生资质名单"),
    roles=MUNICIPAL,
    model="workflows.qualificationlist",
    clause="（九）",
    channels=("page",),
    event="bulk_create",
)
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
