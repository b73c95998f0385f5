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
