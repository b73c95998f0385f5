"""Licensing and compliance (（十四）（二十一））: applications to found a school, 达标
checks against each tier's standard (``licensing.standards.<tier>``, data), and the
suspension and restoration of enrolment.

Reads start from ``restrict(user, …)``; writes go through the services (the school's
status through ``jigong.schools.services.school_status_change``, audited with the
reason). The licensing authority of a school is its district bureau for a 技工学校
and the municipal bureau for the higher tiers (``rules.licensing_authority``).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jigong.core.acts import BUREAUS, SCHOOL, UNSET, Unset, act, given
from jigong.core.errors import from_standard
from jigong.core.models import Role
from jigong.core.permissions import ensure, may
from jigong.policy import rules
from jigong.workflows import services
from jigong.workflows.models import FoundingApplication

# --- reads -------------------------------------------------------------------------


def school_facts(*, user, schools) -> dict[int, dict]:
    """The figures the standards are checked against, per school id: full-time
    students in school, active full-time teachers, their 一体化 share, campus network
    coverage. ``schools`` must come from ``restrict(user, "view")``."""
    from jigong.staff.models import Teacher
    from jigong.students.models import IN_SCHOOL, Registration

    ids = [s.pk for s in schools]
    students = dict(
        Registration.objects.restrict(user, "view")
        .filter(school_id__in=ids, status__in=IN_SCHOOL, track="full_time")
        .values_list("school_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    teachers = {
        r["school_id"]: r
        for r in Teacher.objects.restrict(user, "view")
        .filter(school_id__in=ids, kind="full_time", left_on__isnull=True)
        .values("school_id")
        .annotate(n=Count("id"), integrated=Count("id", filter=Q(integrated_qualified=True)))
        .order_by()
    }
    facts = {}
    for s in schools:
        t = teachers.get(s.pk, {"n": 0, "integrated": 0})
        facts[s.pk] = {
            "students": students.get(s.pk, 0),
            "full_time_teachers": t["n"],
            "integrated_share": (Decimal(t["integrated"]) / t["n"]) if t["n"] else None,
            "campus_network_coverage": s.campus_network_coverage,
        }
    return facts


def standards_table(*, user, on: datetime.date | None = None, school_id=None) -> list[dict]:
    """Every school in scope with its 达标 result, criterion by criterion."""
    from jigong.schools.models import School

    on = on or timezone.localdate()
    schools = School.objects.restrict(user, "view").select_related("district").order_by("code")
    if school_id is not None:
        schools = schools.filter(pk=school_id)
    schools = list(schools)
    facts = school_facts(user=user, schools=schools)
    return [
        {
            "school": s,
            "result": rules.standards_check(s.tier, facts[s.pk], on),
            "authority": rules.AUTHORITY_LABELS[rules.licensing_authority(s.tier, on)],
            "may_change": may_change_status(user, s),
        }
        for s in schools
    ]


def may_change_status(user, school) -> bool:
    """The licensing authority (district bureau for a 技工学校, else the municipal
    bureau) and the municipal bureau may suspend or restore enrolment."""
    if not may(user, "change", school):
        return False
    if user.is_superuser or user.role == Role.MUNICIPAL:
        return True
    authority = rules.licensing_authority(school.tier, timezone.localdate())
    return user.role == Role.DISTRICT and authority == "district"


def founding_list(*, user, filters=None):
    from jigong.core.filters import filtered
    from jigong.workflows.filters import FoundingApplicationFilterSet

    qs = FoundingApplication.objects.restrict(user, "view").select_related("school__district")
    return filtered(qs, FoundingApplicationFilterSet, user=user, filters=filters)


def founding_get(*, user, pk, action="view"):
    return (
        FoundingApplication.objects.restrict(user, action)
        .select_related("school__district")
        .get(pk=pk)
    )


# --- writes ------------------------------------------------------------------------


@act(
    "founding.apply",
    label=_lazy("申请正式设立"),
    roles=SCHOOL,
    model="workflows.foundingapplication",
    clause="（二十一）",
    channels=("page",),
    event="create",
)
def founding_create(
    *,
    actor,
    school,
    founding_started_on: datetime.date,
    planned_students: int,
    summary: str,
    documents=(),
) -> FoundingApplication:
    """A founding school's application (the school's own user); refused once the
    founding period has ended."""
    from jigong.schools.models import SchoolStatus

    if actor is not None:
        ensure(actor, "add", FoundingApplication(school=school))
    if school.status != SchoolStatus.FOUNDING:
        raise ValidationError(
            {
                "school": [
                    _("学校“%(s)s”办学状态为“%(st)s”：只有筹建期的学校可以申请正式设立")
                    % {"s": school, "st": school.get_status_display()}
                ]
            }
        )
    _check_founding_period(founding_started_on)
    return services._item_create(
        actor=actor,
        model=FoundingApplication,
        school=school,
        documents=documents,
        founding_started_on=founding_started_on,
        planned_students=planned_students,
        summary=summary,
    )


@act(
    "founding.update",
    label=_lazy("修改设立申请"),
    roles=SCHOOL,
    model="workflows.foundingapplication",
    clause="（二十一）",
    channels=("page",),
)
def founding_update(
    *,
    actor,
    application: FoundingApplication,
    founding_started_on: datetime.date | Unset = UNSET,
    planned_students: int | Unset = UNSET,
    summary: str | Unset = UNSET,
) -> FoundingApplication:
    """The school edits its application while it is a draft or returned."""
    return services._item_update(
        actor=actor,
        item=application,
        **given(
            founding_started_on=founding_started_on,
            planned_students=planned_students,
            summary=summary,
        ),
    )


def _check_founding_period(started: datetime.date | None) -> None:
    if not started:
        return
    on = timezone.localdate()
    if started > on:
        raise ValidationError(
            {
                "founding_started_on": [
                    _("批准筹建日期“%(d)s”晚于今天（%(t)s）")
                    % {"d": started.isoformat(), "t": on.isoformat()}
                ]
            }
        )
    try:
        rules.check_founding_period(started, on, on)
    except rules.PolicyViolation as exc:
        raise from_standard(exc) from exc


@act(
    "school.suspend_enrolment",
    label=_lazy("暂停招生"),
    roles=BUREAUS,
    model="schools.school",
    clause="（九）（二十一）",
    reason=True,
    channels=("page",),
)
def enrolment_suspend(*, actor, school, reason: str):
    """暂停招生 (（九） 规范招生秩序): operating → suspended, by the licensing authority."""
    from jigong.schools import services as schools
    from jigong.schools.models import SchoolStatus

    _check_authority(actor, school)
    if school.status != SchoolStatus.OPERATING:
        raise ValidationError(
            {
                "status": [
                    _("学校“%(s)s”办学状态为“%(st)s”：只有正常办学的学校可以暂停招生")
                    % {"s": school, "st": school.get_status_display()}
                ]
            }
        )
    return schools.school_status_change(
        actor=actor, school=school, status=SchoolStatus.SUSPENDED, reason=reason
    )


@act(
    "school.restore_enrolment",
    label=_lazy("恢复招生"),
    roles=BUREAUS,
    model="schools.school",
    clause="（十四）（二十一）",
    reason=True,
    channels=("page",),
)
def enrolment_restore(*, actor, school, reason: str, on: datetime.date | None = None):
    """恢复招生 (（十四） 恢复符合条件的技工院校招生): suspended → operating, only when
    the school meets its tier's standard (``licensing.restore_requires_standards``)."""
    from jigong.schools import services as schools
    from jigong.schools.models import School, SchoolStatus

    on = on or timezone.localdate()
    _check_authority(actor, school)
    if school.status != SchoolStatus.SUSPENDED:
        raise ValidationError(
            {
                "status": [
                    _("学校“%(s)s”办学状态为“%(st)s”：只有暂停招生的学校可以恢复招生")
                    % {"s": school, "st": school.get_status_display()}
                ]
            }
        )
    scoped = School.objects.restrict(actor, "view").filter(pk=school.pk)
    facts = school_facts(user=actor, schools=list(scoped))[school.pk]
    try:
        rules.check_restore_enrolment(school.tier, facts, on)
    except rules.PolicyViolation as exc:
        raise from_standard(exc) from exc
    return schools.school_status_change(
        actor=actor, school=school, status=SchoolStatus.OPERATING, reason=reason
    )


def _check_authority(actor, school) -> None:
    ensure(actor, "change", school)
    if not may_change_status(actor, school):
        authority = rules.AUTHORITY_LABELS[
            rules.licensing_authority(school.tier, timezone.localdate())
        ]
        raise PermissionDenied(
            _("“%(s)s”（%(t)s）的招生暂停与恢复由%(a)s或市人社局办理（依据%(b)s）。")
            % {
                "s": school,
                "t": school.get_tier_display(),
                "a": authority,
                "b": rules.licensing_basis(timezone.localdate()),
            }
        )
