"""Writes on schools, their designations and majors."""

from django.db import transaction

from jigong.core import services as core
from jigong.reference.lookups import district_by_code
from jigong.schools.models import School, SchoolDesignation, SchoolMajor


def school_create(*, actor, district, **fields) -> School:
    """Create a school; `district` is a District or its code (GB/T 2260 / functional zone)."""
    if isinstance(district, str):
        district = district_by_code(district)
    return core.create(actor, School, district=district, **fields)


def school_update(*, actor, school: School, **fields) -> School:
    return core.update(actor, school, **fields)


def designation_add(*, actor, school: School, kind: str, year: int) -> SchoolDesignation:
    return core.create(actor, SchoolDesignation, school=school, kind=kind, year=year)


@transaction.atomic
def school_major_create(
    *, actor, school: School, major, level: str, opened_year: int, chains=()
) -> SchoolMajor:
    sm = core.create(
        actor, SchoolMajor, school=school, major=major, level=level, opened_year=opened_year
    )
    if chains:
        sm.chains.set(chains)
        core.audit(actor, "update", sm, after={"chains": [c.pk for c in chains]})
    return sm


def school_major_update(*, actor, school_major: SchoolMajor, **fields) -> SchoolMajor:
    """Change a school major's status or opening year (level rules re-checked in clean)."""
    return core.update(actor, school_major, **fields)


@transaction.atomic
def school_status_change(*, actor, school: School, status: str, reason: str) -> School:
    """Change a school's 办学状态 (founded, enrolment suspended or restored …); the reason
    is required and kept in the audit log with the before/after status."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from jigong.core.models import AuditLog
    from jigong.schools.models import SchoolStatus

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("变更办学状态须填写原因（不能为空）")]})
    if "\x00" in reason:  # read from a raw POST; PostgreSQL cannot store it
        raise ValidationError({"reason": [_("原因含有空字符（\\x00），请删除后重试")]})
    if status not in SchoolStatus.values:
        raise ValidationError({"status": [_("办学状态“%(s)s”不是有效的状态") % {"s": status}]})
    before = school.status
    if before == status:
        raise ValidationError(
            {
                "status": [
                    _("学校“%(n)s”的办学状态已是“%(s)s”")
                    % {"n": school, "s": SchoolStatus(status).label}
                ]
            }
        )
    core.update(actor, school, status=status)
    core.audit(
        actor,
        AuditLog.Action.OTHER,
        school,
        before={"status": before},
        after={"status": status},
        message=(
            _("办学状态：%(a)s → %(b)s；原因：%(r)s")
            % {"a": SchoolStatus(before).label, "b": SchoolStatus(status).label, "r": reason}
        )[:255],
    )
    return school


def quality_major_add(*, actor, school_major: SchoolMajor, year: int):
    from jigong.schools.models import QualityMajorDesignation

    return core.create(actor, QualityMajorDesignation, school_major=school_major, year=year)
