"""Writes on schools, their designations and majors: each one act (jigong.core.acts)."""

import datetime
import decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jigong.core import services as core
from jigong.core.acts import ALL_STAFF, BUREAUS, MUNICIPAL, UNSET, Unset, act, given, step_of
from jigong.reference.lookups import district_by_code
from jigong.reference.models import District
from jigong.schools.models import School, SchoolDesignation, SchoolMajor, SchoolStatus


@act(
    "school.register",
    label=_lazy("登记技工院校"),
    roles=BUREAUS,
    model="schools.school",
    clause="（二十一）",
    channels=("import", "admin"),
    event="create",
)
def school_create(
    *,
    actor,
    code: str,
    name: str,
    tier: str,
    district: District | str,
    ownership: str,
    sponsor: str,
    credit_code: str,
    status: str = SchoolStatus.OPERATING,
    founded_on: datetime.date | None = None,
    address: str = "",
    campus_network_coverage: decimal.Decimal | Unset = UNSET,
) -> School:
    """Register a school; `district` is a District or its code (GB/T 2260 / functional zone)."""
    if isinstance(district, str):
        district = district_by_code(district)
    return core.create(
        actor,
        School,
        code=code,
        name=name,
        tier=tier,
        district=district,
        ownership=ownership,
        sponsor=sponsor,
        credit_code=credit_code,
        status=status,
        founded_on=founded_on,
        address=address,
        **given(campus_network_coverage=campus_network_coverage),
    )


@act(
    "school.update",
    label=_lazy("修改学校基本信息"),
    roles=ALL_STAFF,
    model="schools.school",
    channels=("page", "import", "admin"),
)
def school_update(
    *,
    actor,
    school: School,
    name: str | Unset = UNSET,
    ownership: str | Unset = UNSET,
    sponsor: str | Unset = UNSET,
    credit_code: str | Unset = UNSET,
    founded_on: datetime.date | Unset | None = UNSET,
    address: str | Unset = UNSET,
    campus_network_coverage: decimal.Decimal | Unset = UNSET,
) -> School:
    """The school's basic information. Its tier, district and 办学状态 belong to the
    licensing acts (``School.procedure_fields``) and are not arguments here."""
    return core.update(
        actor,
        school,
        **given(
            name=name,
            ownership=ownership,
            sponsor=sponsor,
            credit_code=credit_code,
            founded_on=founded_on,
            address=address,
            campus_network_coverage=campus_network_coverage,
        ),
    )


@act(
    "school.change_tier",
    label=_lazy("变更学校层次（晋级生效或退出）"),
    roles=MUNICIPAL,
    model="schools.school",
    clause="（二十一）",
    channels=("page",),
)
def school_change_tier(
    *, actor, school: School, tier: str, effective_on: datetime.date, decision: str
) -> School:
    """The one way a school's tier changes (（二十一） 完善晋级和退出机制), by the city
    bureau: a raise (晋级) only by approving a 晋级申请 (the approval runs this act), a
    withdrawal (退出) to a lower tier by the bureau's decision. Records the old and new
    tier, the date from which the new one holds (levels by tier follow it from then,
    ``selectors.tier_on``) and the decision; audited before/after."""
    from jigong.core import acts
    from jigong.core.permissions import ensure
    from jigong.schools.models import TIER_ORDER, TierChange

    if actor is not None:
        ensure(actor, "change", school)
    decision = (decision or "").strip()
    if not decision:
        raise ValidationError({"decision": [_("变更学校层次须填写决定（批准文件或原因）")]})
    if tier not in TIER_ORDER:
        raise ValidationError({"tier": [_("层次“%(t)s”不是有效的院校层次") % {"t": tier}]})
    _must_change(school, "tier", tier)
    if effective_on is None:
        raise ValidationError({"effective_on": [_("须填写生效日期")]})
    today = timezone.localdate()
    if effective_on > today:
        # the register holds the school's tier today: a later date would show it early
        raise ValidationError(
            {
                "effective_on": [
                    _("生效日期“%(d)s”晚于今日（%(t)s）：层次变更应在生效之日办理")
                    % {"d": effective_on.isoformat(), "t": today.isoformat()}
                ]
            }
        )
    last = school.tier_changes.order_by("-effective_on").values_list("effective_on", flat=True)
    if last and last[0] > effective_on:
        raise ValidationError(
            {
                "effective_on": [
                    _("生效日期“%(d)s”早于该校上一次层次变更的生效日期“%(l)s”")
                    % {"d": effective_on.isoformat(), "l": last[0].isoformat()}
                ]
            }
        )
    up = TIER_ORDER.index(tier) > TIER_ORDER.index(school.tier)
    if up and "workflow.tier_upgrade.approve" not in acts.running_codes():
        raise ValidationError(
            {
                "tier": [
                    _(
                        "学校“%(s)s”由%(a)s升为%(b)s须经“晋级申请”（学校申请、区县初审、"
                        "市人社局批准），不能直接变更"
                    )
                    % {
                        "s": school,
                        "a": school.get_tier_display(),
                        "b": School(tier=tier).get_tier_display(),
                    }
                ]
            }
        )
    before = school.tier
    core.create(
        actor,
        TierChange,
        school=school,
        from_tier=before,
        to_tier=tier,
        effective_on=effective_on,
        decision=decision[:255],
    )
    message = _("层次：%(a)s → %(b)s，自%(d)s起；决定：%(r)s") % {
        "a": School(tier=before).get_tier_display(),
        "b": School(tier=tier).get_tier_display(),
        "d": effective_on.isoformat(),
        "r": decision,
    }
    return core.update(actor, school, tier=tier, audit_message=message[:255])


@act(
    "school.move_district",
    label=_lazy("变更学校所在区县"),
    roles=MUNICIPAL,
    model="schools.school",
    clause="（二十一）",
    reason=True,
    channels=("page", "admin"),
)
def school_move_district(*, actor, school: School, district: District | str, reason: str):
    """A school moved to another district (its supervision moves with it)."""
    if isinstance(district, str):
        district = district_by_code(district)
    _must_change(school, "district", district)
    return core.update(
        actor, school, district=district, audit_message=_("原因：%(r)s") % {"r": reason}
    )


def _must_change(school: School, name: str, value) -> None:
    if getattr(school, name) == value:
        field = School._meta.get_field(name)
        raise ValidationError(
            {name: [_("学校“%(s)s”的%(f)s未改变") % {"s": school, "f": field.verbose_name}]}
        )


@act(
    "school_designation.add",
    label=_lazy("院校认定"),
    roles=MUNICIPAL,
    model="schools.schooldesignation",
    clause="（八）（十四）",
    channels=("admin",),
    event="create",
)
def designation_add(*, actor, school: School, kind: str, year: int) -> SchoolDesignation:
    """A designation of the school for a year (优质院校 through the 双优 round's act,
    备案评价机构, 职业培训学院 …), by the municipal bureau."""
    return core.create(actor, SchoolDesignation, school=school, kind=kind, year=year)


def _check_opened_year(year) -> None:
    """A major is opened in a year between 1900 and next year (a plan filed ahead)."""
    latest = datetime.date.today().year + 1
    if year is not None and not 1900 <= year <= latest:
        raise ValidationError(
            {
                "opened_year": [
                    _("开设年度“%(y)s”不合理：应在1900年至%(last)s年之间")
                    % {"y": year, "last": latest}
                ]
            }
        )


@act(
    "school_major.open",
    label=_lazy("开设专业"),
    roles=ALL_STAFF,
    model="schools.schoolmajor",
    clause="（十六）",
    channels=("import", "admin"),
    event="create",
)
def school_major_create(
    *,
    actor,
    school: School,
    major,
    level: str,
    opened_year: int,
    status: str | Unset = UNSET,
    chains=(),
) -> SchoolMajor:
    """A major the school runs at one class level (the tier's levels and the
    catalogue's levels checked by the model), with the industry chains it serves."""
    _check_opened_year(opened_year)
    sm = core.create(
        actor,
        SchoolMajor,
        school=school,
        major=major,
        level=level,
        opened_year=opened_year,
        **given(status=status),
    )
    if chains:
        sm.chains.set(chains)
        core.audit(actor, "update", sm, after={"chains": [c.pk for c in chains]})
    return sm


@act(
    "school_major.update",
    label=_lazy("修改开设专业"),
    roles=ALL_STAFF,
    model="schools.schoolmajor",
    clause="（十六）",
    channels=("import", "admin"),
)
def school_major_update(
    *,
    actor,
    school_major: SchoolMajor,
    status: str | Unset = UNSET,
    opened_year: int | Unset = UNSET,
) -> SchoolMajor:
    """Change a school major's status or opening year (level rules re-checked in clean)."""
    if opened_year is not UNSET:
        _check_opened_year(opened_year)
    return core.update(actor, school_major, **given(status=status, opened_year=opened_year))


@step_of(*School.procedure_fields["status"])
def school_status_change(*, actor, school: School, status: str, reason: str) -> School:
    """Move a school's 办学状态, for the acts that own it (``School.procedure_fields``:
    暂停招生, 恢复招生, 设立批准); one audit row with the before/after status and the reason.
    Called outside those acts it is refused (``School.procedure_fields``)."""
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
    message = _("办学状态：%(a)s → %(b)s；原因：%(r)s") % {
        "a": SchoolStatus(before).label,
        "b": SchoolStatus(status).label,
        "r": reason,
    }
    return core.update(actor, school, status=status, audit_message=message)


@act(
    "quality_major.add",
    label=_lazy("优质专业认定"),
    roles=MUNICIPAL,
    model="schools.qualitymajordesignation",
    clause="（十四）",
    channels=("admin",),
    event="create",
)
def quality_major_add(*, actor, school_major: SchoolMajor, year: int):
    """A 优质专业 of a year (through the 双优 round's act), by the municipal bureau."""
    from jigong.schools.models import QualityMajorDesignation

    return core.create(actor, QualityMajorDesignation, school_major=school_major, year=year)
