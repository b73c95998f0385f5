"""The workflows of 渝人社发〔2022〕32号 declared with ``jigong.workflows.machine``.

（九） enrolment plans: school → district → municipal; （二十一） brochure and internship
filings: school → district; （九） the enrolment qualification list: municipal.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jigong.workflows.machine import (
    DISTRICT,
    MUNICIPAL,
    SCHOOL,
    Context,
    Deadline,
    State,
    Transition,
    Workflow,
    roles,
)

REVIEW = Deadline("workflows.review_days")
EDITABLE = ("draft", "returned")  # states in which the school edits its item


# --- guards and effects (of a machine.Context) ------------------------------------------


def has_document(ctx: Context):
    from jigong.workflows.models import Document

    item = ctx.item
    if ctx.documents:
        return
    if not Document.objects.filter(kind=item.workflow.kind, item_id=item.pk).exists():
        raise ValidationError(
            {
                "documents": [
                    _("“%(i)s”尚未上传附件：提交前须附上文件（PDF或Office文档）") % {"i": item}
                ]
            }
        )


def plan_has_quota(ctx: Context):
    item = ctx.item
    if not any(line.quota for line in item.lines.all()):
        raise ValidationError(
            {
                "lines": [
                    _("“%(i)s”没有任何专业的计划数：提交前须至少填写一个专业的计划数") % {"i": item}
                ]
            }
        )


def internship_in_time(ctx: Context):
    from jigong.core.errors import from_standard
    from jigong.policy import rules

    item, on = ctx.item, ctx.on
    try:
        rules.check_internship_filing(item.start_on, on, item.cross_province, on)
    except rules.PolicyViolation as exc:
        raise from_standard(exc) from exc


def mark_published(ctx: Context):
    from jigong.core import services as core

    core.update(ctx.actor, ctx.item, published_on=ctx.on)


def list_published(ctx: Context):
    from django.utils import timezone

    from jigong.core import services as core

    core.update(ctx.actor, ctx.item, published_at=timezone.now())


def list_recompute(ctx: Context):
    from jigong.workflows.services import qualification_entries_compute

    qualification_entries_compute(actor=ctx.actor, qualification_list=ctx.item)


def _plan_due(item, entered_on: datetime.date):
    from jigong.policy import rules

    return rules.enrolment_plan_due(item.year, entered_on)


def _internship_due(item, entered_on: datetime.date):
    from jigong.policy import rules

    if not item.cross_province:
        return None
    try:
        return rules.internship_filing_deadline(item.start_on, entered_on)
    except OverflowError as exc:  # a start date in year 1: its deadline is before year 1
        raise ValidationError(
            {"start_on": [_("实习开始日期“%(d)s”无效") % {"d": item.start_on.isoformat()}]}
        ) from exc


PLAN_DUE = Deadline("enrolment.plan_due", _plan_due)
INTERNSHIP_DUE = Deadline("management.internship_filing_lead_days", _internship_due)

# --- the workflows ------------------------------------------------------------------

ENROLMENT_PLAN = Workflow(
    kind="enrolment_plan",
    label=gettext_lazy("招生计划"),
    states=[
        State("draft", gettext_lazy("草稿"), {SCHOOL}, PLAN_DUE),
        State("submitted", gettext_lazy("待区县审核"), {DISTRICT}, REVIEW),
        State("district_approved", gettext_lazy("待市局审批"), {MUNICIPAL}, REVIEW),
        State("returned", gettext_lazy("已退回"), {SCHOOL}, PLAN_DUE),
        State("approved", gettext_lazy("已批准"), final=True),
    ],
    transitions=[
        Transition(
            "submit",
            gettext_lazy("提交"),
            EDITABLE,
            "submitted",
            roles(SCHOOL),
            guards=[plan_has_quota],
        ),
        Transition(
            "district_approve",
            gettext_lazy("区县审核通过"),
            ["submitted"],
            "district_approved",
            roles(DISTRICT),
        ),
        Transition(
            "district_return",
            gettext_lazy("退回"),
            ["submitted"],
            "returned",
            roles(DISTRICT),
            comment_required=True,
            style="danger",
        ),
        Transition(
            "approve", gettext_lazy("批准"), ["district_approved"], "approved", roles(MUNICIPAL)
        ),
        Transition(
            "municipal_return",
            gettext_lazy("退回"),
            ["district_approved"],
            "returned",
            roles(MUNICIPAL),
            comment_required=True,
            style="danger",
        ),
        Transition(
            "attach",
            gettext_lazy("补充材料"),
            EDITABLE,
            None,
            roles(SCHOOL),
            document_required=True,
            style="secondary",
        ),
    ],
)

BROCHURE = Workflow(
    kind="brochure",
    label=gettext_lazy("招生简章备案"),
    states=[
        State("draft", gettext_lazy("草稿"), {SCHOOL}),
        State("submitted", gettext_lazy("待审核"), {DISTRICT}, REVIEW),
        State("returned", gettext_lazy("已退回"), {SCHOOL}),
        State("approved", gettext_lazy("备案通过"), {SCHOOL}),
        State("published", gettext_lazy("已发布"), final=True),
    ],
    transitions=[
        Transition(
            "submit",
            gettext_lazy("提交备案"),
            EDITABLE,
            "submitted",
            roles(SCHOOL),
            guards=[has_document],
        ),
        Transition("approve", gettext_lazy("备案通过"), ["submitted"], "approved", roles(DISTRICT)),
        Transition(
            "return",
            gettext_lazy("退回"),
            ["submitted"],
            "returned",
            roles(DISTRICT),
            comment_required=True,
            style="danger",
        ),
        Transition(
            "publish",
            gettext_lazy("标记为已发布"),
            ["approved"],
            "published",
            roles(SCHOOL),
            effect=mark_published,
        ),
        Transition(
            "attach",
            gettext_lazy("补充材料"),
            EDITABLE,
            None,
            roles(SCHOOL),
            document_required=True,
            style="secondary",
        ),
    ],
)

INTERNSHIP = Workflow(
    kind="internship",
    label=gettext_lazy("实习计划备案"),
    states=[
        State("draft", gettext_lazy("草稿"), {SCHOOL}, INTERNSHIP_DUE),
        State("submitted", gettext_lazy("待审核"), {DISTRICT}, REVIEW),
        State("returned", gettext_lazy("已退回"), {SCHOOL}, INTERNSHIP_DUE),
        State("approved", gettext_lazy("备案通过"), final=True),
    ],
    transitions=[
        Transition(
            "submit",
            gettext_lazy("提交备案"),
            EDITABLE,
            "submitted",
            roles(SCHOOL),
            guards=[has_document, internship_in_time],
        ),
        Transition("approve", gettext_lazy("备案通过"), ["submitted"], "approved", roles(DISTRICT)),
        Transition(
            "return",
            gettext_lazy("退回"),
            ["submitted"],
            "returned",
            roles(DISTRICT),
            comment_required=True,
            style="danger",
        ),
        Transition(
            "attach",
            gettext_lazy("补充材料"),
            EDITABLE,
            None,
            roles(SCHOOL),
            document_required=True,
            style="secondary",
        ),
    ],
)

QUALIFICATION = Workflow(
    kind="qualification",
    label=gettext_lazy("招生资质名单"),
    states=[
        State("draft", gettext_lazy("待审核"), {MUNICIPAL}),
        State("reviewed", gettext_lazy("已审核待公布"), {MUNICIPAL}),
        State("published", gettext_lazy("已公布"), final=True),
    ],
    transitions=[
        Transition(
            "recompute",
            gettext_lazy("重新计算"),
            ["draft"],
            None,
            roles(MUNICIPAL),
            effect=list_recompute,
            style="secondary",
        ),
        Transition("review", gettext_lazy("审核通过"), ["draft"], "reviewed", roles(MUNICIPAL)),
        Transition(
            "reopen",
            gettext_lazy("退回重审"),
            ["reviewed"],
            "draft",
            roles(MUNICIPAL),
            comment_required=True,
            style="danger",
        ),
        Transition(
            "publish",
            gettext_lazy("公布"),
            ["reviewed"],
            "published",
            roles(MUNICIPAL),
            effect=list_published,
        ),
    ],
)


# --- licensing （二十一）, 双优 （十四）, catalogue adjustment （十六） ---------------------


def _authority(item) -> str:
    from django.utils import timezone

    from jigong.policy import rules

    return rules.licensing_authority(item.school.tier, timezone.localdate())


def _to_district(item) -> bool:
    return _authority(item) == "district"


def _to_municipal(item) -> bool:
    return _authority(item) == "municipal"


def _founding_due(item, entered_on: datetime.date):
    from jigong.policy import rules

    return rules.founding_deadline(item.founding_started_on, entered_on)


def founding_in_time(ctx: Context):
    from jigong.core.errors import from_standard
    from jigong.policy import rules

    try:
        rules.check_founding_period(ctx.item.founding_started_on, ctx.on, ctx.on)
    except rules.PolicyViolation as exc:
        raise from_standard(exc) from exc


def school_is_founding(ctx: Context):
    from jigong.schools.models import SchoolStatus

    school = ctx.item.school
    if school.status != SchoolStatus.FOUNDING:
        raise ValidationError(
            {
                "school": [
                    _("学校“%(s)s”办学状态为“%(st)s”：只有筹建期的学校可以申请正式设立")
                    % {"s": school, "st": school.get_status_display()}
                ]
            }
        )


def school_founded(ctx: Context):
    from jigong.schools import services as schools

    schools.school_status_change(
        actor=ctx.actor,
        school=ctx.item.school,
        status="operating",
        reason=_("设立申请批准（%(i)s）%(c)s") % {"i": ctx.item, "c": ctx.comment},
    )


def major_adjustment_valid(ctx: Context):
    ctx.item.full_clean(exclude=["state", "state_changed_at", "due_on"])


def major_adjustment_apply(ctx: Context):
    from jigong.workflows.catalogue import major_adjustment_apply as apply

    apply(actor=ctx.actor, adjustment=ctx.item, on=ctx.on)


def _founding_states():
    due = Deadline("licensing.founding_period_years", _founding_due)
    return [
        State("draft", gettext_lazy("草稿"), {SCHOOL}, due),
        State("district_review", gettext_lazy("待区县审核"), {DISTRICT}, REVIEW),
        State("municipal_review", gettext_lazy("待市局审核"), {MUNICIPAL}, REVIEW),
        State("returned", gettext_lazy("已退回"), {SCHOOL}, due),
        State("approved", gettext_lazy("准予设立"), final=True),
        State("rejected", gettext_lazy("不予设立"), final=True),
    ]


def _review(prefix: str, source: str, role: str, effect=None) -> list[Transition]:
    return [
        Transition(
            f"{prefix}approve",
            gettext_lazy("批准"),
            [source],
            "approved",
            roles(role),
            guards=[school_is_founding] if effect is school_founded else [],
            effect=effect,
        ),
        Transition(
            f"{prefix}return",
            gettext_lazy("退回修改"),
            [source],
            "returned",
            roles(role),
            comment_required=True,
            style="warning",
        ),
        Transition(
            f"{prefix}reject",
            gettext_lazy("不予批准"),
            [source],
            "rejected",
            roles(role),
            comment_required=True,
            style="danger",
        ),
    ]


FOUNDING = Workflow(
    kind="founding",
    label=gettext_lazy("设立申请"),
    states=_founding_states(),
    transitions=[
        Transition(
            "submit_district",
            gettext_lazy("提交区县审核"),
            EDITABLE,
            "district_review",
            roles(SCHOOL),
            guards=[has_document, school_is_founding, founding_in_time],
            applies=_to_district,
        ),
        Transition(
            "submit_municipal",
            gettext_lazy("提交市局审核"),
            EDITABLE,
            "municipal_review",
            roles(SCHOOL),
            guards=[has_document, school_is_founding, founding_in_time],
            applies=_to_municipal,
        ),
        *_review("district_", "district_review", DISTRICT, school_founded),
        *_review("municipal_", "municipal_review", MUNICIPAL, school_founded),
        Transition(
            "attach",
            gettext_lazy("补充材料"),
            EDITABLE,
            None,
            roles(SCHOOL),
            document_required=True,
            style="secondary",
        ),
    ],
)

DESIGNATION_ROUND = Workflow(
    kind="designation_round",
    label=gettext_lazy("双优计划认定"),
    initial="open",
    states=[
        State("open", gettext_lazy("遴选中"), {MUNICIPAL}),
        State("closed", gettext_lazy("已完成"), final=True),
    ],
    transitions=[
        Transition("close", gettext_lazy("完成认定"), ["open"], "closed", roles(MUNICIPAL)),
    ],
)

MAJOR_ADJUSTMENT = Workflow(
    kind="major_adjustment",
    label=gettext_lazy("专业设置调整"),
    states=[
        State("draft", gettext_lazy("草稿"), {SCHOOL}),
        State("submitted", gettext_lazy("待市局审批"), {MUNICIPAL}, REVIEW),
        State("returned", gettext_lazy("已退回"), {SCHOOL}),
        State("approved", gettext_lazy("已批准"), final=True),
        State("rejected", gettext_lazy("不予批准"), final=True),
    ],
    transitions=[
        Transition(
            "submit",
            gettext_lazy("提交"),
            EDITABLE,
            "submitted",
            roles(SCHOOL),
            guards=[major_adjustment_valid],
        ),
        Transition(
            "approve",
            gettext_lazy("批准"),
            ["submitted"],
            "approved",
            roles(MUNICIPAL),
            guards=[major_adjustment_valid],
            effect=major_adjustment_apply,
        ),
        Transition(
            "return",
            gettext_lazy("退回修改"),
            ["submitted"],
            "returned",
            roles(MUNICIPAL),
            comment_required=True,
            style="warning",
        ),
        Transition(
            "reject",
            gettext_lazy("不予批准"),
            ["submitted"],
            "rejected",
            roles(MUNICIPAL),
            comment_required=True,
            style="danger",
        ),
        Transition(
            "attach",
            gettext_lazy("补充材料"),
            EDITABLE,
            None,
            roles(SCHOOL),
            document_required=True,
            style="secondary",
        ),
    ],
)


# --- student aid （二十一） --------------------------------------------------------------


def aid_recipient_from_payment(ctx: Context):
    """The paid application makes the student a recipient of the programme, through the
    act that registers recipients (its scope and once-per-programme rules)."""
    from jigong.workflows.records import aid_recipient_add

    item = ctx.item
    aid_recipient_add(
        actor=ctx.actor,
        programme=item.programme,
        registration=item.registration,
        amount=item.amount_approved,
        granted_on=item.paid_on,
    )


AID_APPLICATION = Workflow(
    kind="aid_application",
    label=gettext_lazy("学生资助申请"),
    states=[
        State("draft", gettext_lazy("草稿"), {SCHOOL}),
        State("submitted", gettext_lazy("待区县审核"), {DISTRICT}, REVIEW),
        State("returned", gettext_lazy("已退回"), {SCHOOL}),
        State("approved", gettext_lazy("已核准待发放"), {SCHOOL}),
        State("refused", gettext_lazy("不予资助"), final=True),
        State("paid", gettext_lazy("已发放"), final=True),
    ],
    transitions=[
        Transition("submit", gettext_lazy("提交区县审核"), EDITABLE, "submitted", roles(SCHOOL)),
        Transition(
            "approve",
            gettext_lazy("核准"),
            ["submitted"],
            "approved",
            roles(DISTRICT),
            inputs=("amount_approved",),
        ),
        Transition(
            "return",
            gettext_lazy("退回修改"),
            ["submitted"],
            "returned",
            roles(DISTRICT),
            comment_required=True,
            style="warning",
        ),
        Transition(
            "refuse",
            gettext_lazy("不予资助"),
            ["submitted"],
            "refused",
            roles(DISTRICT),
            comment_required=True,
            style="danger",
        ),
        Transition(
            "pay",
            gettext_lazy("登记发放"),
            ["approved"],
            "paid",
            roles(SCHOOL),
            inputs=("paid_on",),
            effect=aid_recipient_from_payment,
        ),
    ],
)


# --- 晋级 （二十一） 完善晋级和退出机制 -----------------------------------------------------


def upgrade_eligible(ctx: Context):
    """The school may still move up to the tier it applied for (upgrades.eligibility_errors)."""
    from jigong.workflows.upgrades import eligibility_errors

    errors = eligibility_errors(ctx.item.school, to_tier=ctx.item.to_tier, exclude_pk=ctx.item.pk)
    if errors:
        raise ValidationError({"school": errors})


def tier_upgraded(ctx: Context):
    from jigong.workflows.upgrades import apply_approval

    apply_approval(actor=ctx.actor, item=ctx.item, comment=ctx.comment)


TIER_UPGRADE = Workflow(
    kind="tier_upgrade",
    label=gettext_lazy("晋级申请"),
    states=[
        State("draft", gettext_lazy("草稿"), {SCHOOL}),
        State("district_review", gettext_lazy("待区县初审"), {DISTRICT}, REVIEW),
        State("municipal_review", gettext_lazy("待市局审批"), {MUNICIPAL}, REVIEW),
        State("returned", gettext_lazy("已退回"), {SCHOOL}),
        State("approved", gettext_lazy("准予晋级"), final=True),
        State("rejected", gettext_lazy("不予晋级"), final=True),
    ],
    transitions=[
        Transition(
            "submit",
            gettext_lazy("提交区县初审"),
            EDITABLE,
            "district_review",
            roles(SCHOOL),
            guards=[has_document, upgrade_eligible],
        ),
        Transition(
            "district_forward",
            gettext_lazy("初审通过，报市局"),
            ["district_review"],
            "municipal_review",
            roles(DISTRICT),
        ),
        Transition(
            "district_return",
            gettext_lazy("退回修改"),
            ["district_review"],
            "returned",
            roles(DISTRICT),
            comment_required=True,
            style="warning",
        ),
        Transition(
            "approve",
            gettext_lazy("批准晋级"),
            ["municipal_review"],
            "approved",
            roles(MUNICIPAL),
            guards=[upgrade_eligible],
            effect=tier_upgraded,
            inputs=("effective_on",),
        ),
        Transition(
            "municipal_return",
            gettext_lazy("退回修改"),
            ["municipal_review"],
            "returned",
            roles(MUNICIPAL),
            comment_required=True,
            style="warning",
        ),
        Transition(
            "reject",
            gettext_lazy("不予晋级"),
            ["municipal_review"],
            "rejected",
            roles(MUNICIPAL),
            comment_required=True,
            style="danger",
        ),
        Transition(
            "attach",
            gettext_lazy("补充材料"),
            EDITABLE,
            None,
            roles(SCHOOL),
            document_required=True,
            style="secondary",
        ),
    ],
)
