"""Major catalogue adjustment (（十六） 专业目录管理并实行动态调整机制): a school applies
to open, suspend or close a major; the municipal bureau decides. On approval the
SchoolMajor changes through ``jigong.schools.services`` and the school's
major–industry-chain match (open majors mapped to a chain of a key cluster ÷ open
majors, target ``targets.major_industry_match_min``) is recomputed and kept on the item.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jigong.core import services as core
from jigong.core.acts import MUNICIPAL, SCHOOL, act
from jigong.core.permissions import ensure
from jigong.policy import rules
from jigong.workflows import services
from jigong.workflows.models import AdjustmentAction, MajorAdjustment


def _key_chain():
    from jigong.schools.models import SchoolMajor

    through = SchoolMajor.chains.through
    return Exists(
        through.objects.filter(schoolmajor=OuterRef("pk"), industrychain__cluster__is_key=True)
    )


def school_match(*, school_id: int, on: datetime.date | None = None) -> rules.MajorMatch:
    """The school's current match (callers have checked the user may view the school)."""
    from jigong.schools.models import MajorStatus, SchoolMajor

    on = on or timezone.localdate()
    qs = SchoolMajor.objects.filter(school_id=school_id, status=MajorStatus.OPEN)
    flags = list(qs.annotate(k=_key_chain()).values_list("k", flat=True))
    return rules.major_match(len(flags), sum(bool(k) for k in flags), on)


def adjustment_list(*, user, filters=None):
    from jigong.core.filters import filtered
    from jigong.workflows.filters import MajorAdjustmentFilterSet

    qs = MajorAdjustment.objects.restrict(user, "view").select_related(
        "school__district", "school_major__major", "major"
    )
    return filtered(qs, MajorAdjustmentFilterSet, user=user, filters=filters)


def adjustment_get(*, user, pk, action="view"):
    return (
        MajorAdjustment.objects.restrict(user, action)
        .select_related("school__district", "school_major__major", "major")
        .get(pk=pk)
    )


@act(
    "major_adjustment.create",
    label=_lazy("申请专业设置调整"),
    roles=SCHOOL,
    model="workflows.majoradjustment",
    clause="（十六）",
    channels=("page",),
    event="create",
)
def adjustment_create(
    *,
    actor,
    school,
    action: str,
    reason: str,
    school_major=None,
    major=None,
    level: str = "",
    chains=(),
    documents=(),
) -> MajorAdjustment:
    """A draft application to open, suspend or close a major; the fields are checked
    now and again on submission."""
    fields = {
        "action": action,
        "school_major": school_major,
        "major": major,
        "level": level,
        "reason": reason,
    }
    probe = MajorAdjustment(school=school, **fields)
    if actor is not None:
        ensure(actor, "add", probe)
    probe.full_clean(exclude=["state", "state_changed_at", "due_on"])
    with transaction.atomic():
        item = services._item_create(
            actor=actor, model=MajorAdjustment, school=school, documents=documents, **fields
        )
        if chains:
            item.chains.set(chains)
            core.audit(actor, "update", item, after={"chains": [c.pk for c in chains]})
        return item


@act(
    "major_adjustment.carry_out",
    label=_lazy("执行专业设置调整"),
    roles=MUNICIPAL,
    model="workflows.majoradjustment",
    clause="（十六）",
    channels=("page",),
)
def major_adjustment_apply(*, actor, adjustment: MajorAdjustment, on: datetime.date):
    """Approval's effect (the transition ``workflow.major_adjustment.approve``): change
    the SchoolMajor through its acts, then record the match before and after."""
    from jigong.schools import services as schools
    from jigong.schools.models import MajorStatus, SchoolMajor

    a = adjustment
    before = school_match(school_id=a.school_id, on=on)
    if a.action == AdjustmentAction.OPEN and a.school_major_id is None:
        if SchoolMajor.objects.filter(school=a.school, major=a.major, level=a.level).exists():
            raise ValidationError(
                {"major": [_("本校已开设专业“%(m)s”（该层次），请选择恢复招生") % {"m": a.major}]}
            )
        sm = schools.school_major_create(
            actor=actor,
            school=a.school,
            major=a.major,
            level=a.level,
            opened_year=on.year,
            chains=list(a.chains.all()),
        )
        core.update(actor, a, school_major=sm)
    else:
        status = {
            AdjustmentAction.OPEN: MajorStatus.OPEN,
            AdjustmentAction.SUSPEND: MajorStatus.SUSPENDED,
            AdjustmentAction.CLOSE: MajorStatus.CLOSED,
        }[a.action]
        schools.school_major_update(actor=actor, school_major=a.school_major, status=status)
    after = school_match(school_id=a.school_id, on=on)
    core.update(actor, a, match_before=before.share, match_after=after.share)
