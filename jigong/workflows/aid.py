"""Student aid applications (（二十一）: 学生资助管理): the school enters a student's
application for one of its programmes, submits them to its district bureau, which
approves (with the amount), returns or refuses them; the school records the payment,
which registers the recipient (``records.aid_recipient_add``).

The review and payment are transitions of ``flows.AID_APPLICATION`` (acts
``workflow.aid_application.*``); creating, correcting and submitting a programme's
applications as one batch are the acts below.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jigong.core.acts import SCHOOL, UNSET, Unset, act, given
from jigong.core.permissions import ensure
from jigong.workflows import services
from jigong.workflows.flows import EDITABLE
from jigong.workflows.models import AidApplication, AidProgramme
from jigong.workflows.records import _in_scope


def _registration(actor, registration):
    from jigong.students.models import Registration

    if actor is None:  # the system (demo, jobs): any registration that exists
        if isinstance(registration, Registration):
            return registration
        actor_free = Registration.objects.filter(pk=registration).first()
        if actor_free is None:
            raise ValidationError(
                {"registration": [_("学籍编号“%(pk)s”不存在") % {"pk": registration}]}
            )
        return actor_free
    return _in_scope(actor, Registration, registration, "registration", _("学籍编号“%(pk)s”不存在"))


@act(
    "aid_application.create",
    label=_lazy("录入学生资助申请"),
    roles=SCHOOL,
    model="workflows.aidapplication",
    clause="（二十一）",
    channels=("page", "import"),
    event="create",
)
def application_create(
    *,
    actor,
    programme: AidProgramme,
    registration,
    amount_requested: Decimal,
    grounds: str,
    applied_on: datetime.date,
    grounds_note: str = "",
) -> AidApplication:
    """A draft application of one of the school's students (在籍 on ``applied_on``) for a
    programme of the school that year; one per programme and student."""
    if actor is not None:
        ensure(actor, "change", programme)
    reg = _registration(actor, registration)
    if actor is not None:
        ensure(actor, "add", AidApplication(school_id=programme.school_id))
        if reg.school_id != programme.school_id:
            ensure(actor, "add", AidApplication(school_id=reg.school_id))
    if AidApplication.objects.filter(programme=programme, registration=reg).exists():
        raise ValidationError(
            {
                "registration": [
                    _("“%(r)s”已有“%(p)s”的资助申请，不能重复录入") % {"r": reg, "p": programme}
                ]
            }
        )
    return services._item_create(
        actor=actor,
        model=AidApplication,
        school=programme.school,
        programme=programme,
        registration=reg,
        amount_requested=amount_requested,
        grounds=grounds,
        grounds_note=grounds_note or "",
        applied_on=applied_on,
    )


@act(
    "aid_application.update",
    label=_lazy("修改学生资助申请"),
    roles=SCHOOL,
    model="workflows.aidapplication",
    clause="（二十一）",
    channels=("page", "import"),
)
def application_update(
    *,
    actor,
    application: AidApplication,
    amount_requested: Decimal | Unset = UNSET,
    grounds: str | Unset = UNSET,
    grounds_note: str | Unset = UNSET,
    applied_on: datetime.date | Unset = UNSET,
) -> AidApplication:
    """The school corrects its application while it is a draft or returned."""
    return services._item_update(
        actor=actor,
        item=application,
        **given(
            amount_requested=amount_requested,
            grounds=grounds,
            grounds_note=grounds_note,
            applied_on=applied_on,
        ),
    )


@act(
    "aid_application.submit_batch",
    label=_lazy("批量提交学生资助申请"),
    roles=SCHOOL,
    model="workflows.aidprogramme",
    clause="（二十一）",
    channels=("page",),
)
def applications_submit(*, actor, programme: AidProgramme) -> int:
    """Submit every draft or returned application of the programme to the district, as
    one batch: all of them or, if one is refused, none."""
    qs = AidApplication.objects.all()
    if actor is not None:
        qs = qs.restrict(actor, "change")
    pending = list(
        qs.filter(programme=programme, state__in=EDITABLE)
        .select_related("registration__person", "programme", "school")
        .order_by("pk")
    )
    if not pending:
        raise ValidationError(
            {"programme": [_("“%(p)s”没有待提交（草稿或已退回）的资助申请") % {"p": programme}]}
        )
    for item in pending:
        services.transition(actor=actor, item=item, action="submit")
    return len(pending)


# --- reads ---------------------------------------------------------------------------------


def application_list(*, user, filters=None):
    from jigong.core.filters import filtered
    from jigong.workflows import filters as F

    qs = (
        AidApplication.objects.restrict(user, "view")
        .select_related("school__district", "programme", "registration__person")
        .order_by("-applied_on", "-pk")
    )
    return filtered(qs, F.AidApplicationFilterSet, user=user, filters=filters)


def application_get(*, user, pk, action="view"):
    return (
        AidApplication.objects.restrict(user, action)
        .select_related("school__district", "programme", "registration__person")
        .get(pk=pk)
    )


def programme_applications(*, user, programme):
    return (
        AidApplication.objects.restrict(user, "view")
        .filter(programme=programme)
        .select_related("registration__person", "programme")
        .order_by("pk")
    )


APPROVED_STATES = ("approved", "paid")


def programme_summary(*, user, programme) -> dict:
    """Applied / approved / paid counts and amounts of the programme, in the user's scope
    (applied: every application but drafts; approved and paid: approved amounts)."""
    zero = Decimal(0)
    agg = (
        AidApplication.objects.restrict(user, "view")
        .filter(programme=programme)
        .aggregate(
            applied=Count("pk", filter=~Q(state="draft")),
            applied_amount=Sum("amount_requested", filter=~Q(state="draft")),
            approved=Count("pk", filter=Q(state__in=APPROVED_STATES)),
            approved_amount=Sum("amount_approved", filter=Q(state__in=APPROVED_STATES)),
            paid=Count("pk", filter=Q(state="paid")),
            paid_amount=Sum("amount_approved", filter=Q(state="paid")),
            drafts=Count("pk", filter=Q(state__in=EDITABLE)),
        )
    )
    return {k: (zero if v is None else v) for k, v in agg.items()}
