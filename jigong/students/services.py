"""Writes on students and 学籍. Each takes the acting user and records an audit row."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jigong.core import pii
from jigong.core import services as core
from jigong.core.errors import from_standard
from jigong.core.permissions import ensure
from jigong.policy import rules
from jigong.policy.rules import PolicyViolation
from jigong.schools.models import MajorStatus, SchoolMajor, SchoolStatus
from jigong.standards import idcard
from jigong.standards.errors import StandardError
from jigong.students.models import IN_SCHOOL, Person, Registration, Status, StatusChange

# Which status changes are allowed from which status.
TRANSITIONS = {
    Status.ENROLLED: {
        Status.SUSPENDED,
        Status.TRANSFERRED_OUT,
        Status.WITHDRAWN,
        Status.GRADUATED,
        Status.COMPLETED,
    },
    Status.TRANSFERRED_IN: {
        Status.SUSPENDED,
        Status.TRANSFERRED_OUT,
        Status.WITHDRAWN,
        Status.GRADUATED,
        Status.COMPLETED,
    },
    Status.RESUMED: {
        Status.SUSPENDED,
        Status.TRANSFERRED_OUT,
        Status.WITHDRAWN,
        Status.GRADUATED,
        Status.COMPLETED,
    },
    Status.SUSPENDED: {Status.RESUMED, Status.WITHDRAWN},
    Status.COMPLETED: {Status.GRADUATED},  # 结业 exchanged for 毕业 after 补考
}


def _policy_error(exc: PolicyViolation) -> ValidationError:
    return ValidationError({exc.field: [exc.message]})


def person_upsert(*, actor, id_number: str, name: str, home_province: str = "") -> Person:
    """The person with this ID number, created if new. Sex and birth date come from the ID."""
    try:
        number = idcard.validate(id_number)
    except StandardError as exc:
        raise from_standard(exc) from exc
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("姓名不能为空")]})
    person = Person.objects.by_id_number(number).first()
    fields = {
        "name": name,
        "sex": idcard.sex(number),
        "birth_date": idcard.birth_date(number),
        "home_province": home_province or number[:2],
    }
    if person is None:
        return core.create(actor, Person, check=False, id_number=number, **fields)
    if person.name != name or (home_province and person.home_province != home_province):
        return core.update(
            actor, person, check=False, name=name, home_province=fields["home_province"]
        )
    return person


@transaction.atomic
def registration_create(
    *,
    actor,
    school,
    major,
    level: str,
    entry_point: str,
    duration_months: int,
    track: str,
    source: str,
    enrolled_on: datetime.date,
    id_number: str,
    name: str,
    home_province: str = "",
    cooperation=None,
) -> Registration:
    """Register a student (学籍注册) after checking the policy's rules; nothing is
    written when any check fails."""
    draft = Registration(school=school)
    if actor is not None:
        ensure(actor, "add", draft)
    errors: dict[str, list[str]] = {}
    today = datetime.date.today()
    if school.status in (SchoolStatus.SUSPENDED, SchoolStatus.CLOSED):
        errors.setdefault("school", []).append(
            _(
                "学校“%(s)s”当前状态为“%(st)s”：暂停招生或已撤销的学校不得注册新生（依据（九）（二十一））"
            )
            % {"s": school.name, "st": school.get_status_display()}
        )
    if enrolled_on > today:
        errors.setdefault("enrolled_on", []).append(
            _("入学日期“%(d)s”：不得晚于今天") % {"d": enrolled_on}
        )
    try:
        rules.check_level_for_tier(school.tier, level, enrolled_on)
    except PolicyViolation as exc:
        errors.setdefault("level", []).append(exc.message)
    else:
        runs = SchoolMajor.objects.filter(
            school=school, major=major, level=level, status=MajorStatus.OPEN
        ).exists()
        if not runs:
            errors.setdefault("major", []).append(
                _("专业“%(m)s”：学校“%(s)s”未开设该专业的%(l)s或已停招")
                % {"m": major.name, "s": school.name, "l": rules.LEVEL_LABELS.get(level, level)}
            )
    try:
        rules.check_part_time_duration(track, source, duration_months, enrolled_on)
    except PolicyViolation as exc:
        errors.setdefault(exc.field, []).append(exc.message)
    if errors:
        raise ValidationError(errors)

    person = person_upsert(actor=actor, id_number=id_number, name=name, home_province=home_province)
    if enrolled_on < person.birth_date:
        raise ValidationError(
            {
                "enrolled_on": [
                    _("入学日期“%(d)s”早于出生日期“%(b)s”：日期顺序错误")
                    % {"d": enrolled_on, "b": person.birth_date}
                ]
            }
        )
    active = person.registrations.filter(status__in=IN_SCHOOL, track=track)
    if track == "full_time" and active.exists():
        raise ValidationError(
            {
                "id_number": [
                    _("身份证号“%(n)s”：该学生已有在校的全日制学籍，不能重复注册")
                    % {"n": person.id_number}
                ]
            }
        )
    return core.create(
        actor,
        Registration,
        person=person,
        school=school,
        major=major,
        level=level,
        entry_point=entry_point,
        duration_months=duration_months,
        track=track,
        source=source,
        enrolled_on=enrolled_on,
        status=Status.ENROLLED,
        status_changed_on=enrolled_on,
        cooperation=cooperation,
    )


@transaction.atomic
def registration_change_status(
    *,
    actor,
    registration: Registration,
    status: str,
    changed_on: datetime.date,
    reason: str = "",
    counterpart_school=None,
) -> StatusChange:
    """Record a dated status change (学籍异动) and move the registration's status."""
    given = registration
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if actor is not None:
        ensure(actor, "change", registration)
        if not (actor.is_superuser or actor.role == "school"):  # the school's act (issue 7)
            raise PermissionDenied(_("只有学籍所在学校可以办理学籍异动。"))
    current = Status(registration.status)
    allowed = TRANSITIONS.get(current, set())
    if status not in allowed:
        raise ValidationError(
            {
                "status": [
                    _("学籍状态“%(c)s”不能变更为“%(n)s”")
                    % {
                        "c": current.label,
                        "n": Status(status).label if status in Status.values else status,
                    }
                ]
            }
        )
    last = registration.status_changed_on or registration.enrolled_on
    if changed_on < last:
        raise ValidationError(
            {
                "changed_on": [
                    _("变更日期“%(d)s”早于上一次状态日期“%(l)s”：日期须按先后顺序")
                    % {"d": changed_on, "l": last}
                ]
            }
        )
    if changed_on > datetime.date.today():
        raise ValidationError(
            {"changed_on": [_("变更日期“%(d)s”：不得晚于今天") % {"d": changed_on}]}
        )
    change = core.create(
        actor,
        StatusChange,
        check=False,
        registration=registration,
        status=status,
        changed_on=changed_on,
        reason=reason,
        counterpart_school=counterpart_school,
    )
    fields = {"status": status, "status_changed_on": changed_on}
    if status in (Status.TRANSFERRED_OUT, Status.WITHDRAWN, Status.GRADUATED, Status.COMPLETED):
        fields["left_on"] = changed_on
    core.update(actor, registration, **fields)
    given.refresh_from_db()
    return change


REGISTRATION_CORRECTABLE = (
    "major",
    "level",
    "entry_point",
    "duration_months",
    "track",
    "source",
)


@transaction.atomic
def registration_update(
    *, actor, registration: Registration, name: str = "", home_province: str = "", **fields
) -> Registration:
    """Correct a registration's enrolment details (学籍信息更正) and the student's name,
    with the same policy checks as registration; each change is audited before/after."""
    if actor is not None:
        ensure(actor, "change", registration)
    unknown = set(fields) - set(REGISTRATION_CORRECTABLE)
    if unknown:
        raise ValueError(f"not correctable here: {sorted(unknown)}")
    school = registration.school
    level = fields.get("level", registration.level)
    major = fields.get("major", registration.major)
    errors: dict[str, list[str]] = {}
    try:
        rules.check_level_for_tier(school.tier, level, registration.enrolled_on)
    except PolicyViolation as exc:
        errors.setdefault("level", []).append(exc.message)
    else:
        if ("level" in fields or "major" in fields) and not SchoolMajor.objects.filter(
            school=school, major=major, level=level
        ).exists():
            errors.setdefault("major", []).append(
                _("专业“%(m)s”：学校“%(s)s”未开设该专业的%(l)s")
                % {"m": major.name, "s": school.name, "l": rules.LEVEL_LABELS.get(level, level)}
            )
    try:
        rules.check_part_time_duration(
            fields.get("track", registration.track),
            fields.get("source", registration.source),
            fields.get("duration_months", registration.duration_months),
            registration.enrolled_on,
        )
    except PolicyViolation as exc:
        errors.setdefault(exc.field, []).append(exc.message)
    if errors:
        raise ValidationError(errors)
    person = registration.person
    if (name and name != person.name) or (home_province and home_province != person.home_province):
        person_upsert(
            actor=actor,
            id_number=person.id_number,
            name=name or person.name,
            home_province=home_province or person.home_province,
        )
        registration.person.refresh_from_db()
    return core.update(actor, registration, **fields) if fields else registration


QUERY_CHUNK = 900  # below SQLite's historical limit of 999 parameters per statement
PERSON_ID = "students.person.id_number"  # the sealed column's associated data


def person_pks(digests: dict[str, bytes]) -> dict[str, int]:
    """{ID number → Person pk} for the numbers on file, given {number → pii digest}."""
    found = core.pks_by_key(Person, "id_number_hmac", list(digests.values()))
    found = {bytes(k): pk for k, pk in found.items()}
    return {n: found[d] for n, d in digests.items() if d in found}


def _by_number(pair):
    return pair[0][0]


@transaction.atomic
def registrations_bulk_create(*, actor, items: list[dict], message: str = "") -> int:
    """Register many new students in one go (large imports).

    Each item holds the keyword arguments of ``registration_create``. The caller must
    have checked every item with the same rules (the 学籍 importer does, row by row,
    collecting errors); this re-checks scope per school, the ID numbers and the
    one-active-full-time registration rule, then inserts persons and registrations in
    bulk (``core.bulk_insert``: ``COPY`` on PostgreSQL, no model instances) and writes
    one audit row per table. The ID numbers get the full GB 11643 check again, by a
    fast path for the canonical form the importer passes (``idcard.facts_many``).
    All or nothing."""
    schools = {item["school"].pk: item["school"] for item in items}
    if actor is not None:
        for school in schools.values():
            ensure(actor, "add", Registration(school=school))
    try:
        facts = idcard.facts_many([item["id_number"] for item in items])
    except StandardError as exc:
        raise from_standard(exc) from exc
    ids = sorted({f[0] for f in facts})
    digest = pii.digester()
    digests = {number: digest(number) for number in ids}  # once per distinct number
    persons: dict[str, int] = person_pks(digests)
    # Only people already on file can hold a registration.
    known_full_time = sorted(
        {persons[f[0]] for f, item in zip(facts, items, strict=True) if f[0] in persons}
        if any(item["track"] == "full_time" for item in items)
        else ()
    )
    busy_pks = set()
    for i in range(0, len(known_full_time), QUERY_CHUNK):
        busy_pks.update(
            Registration.objects.filter(
                person_id__in=known_full_time[i : i + QUERY_CHUNK],
                status__in=IN_SCHOOL,
                track="full_time",
            ).values_list("person_id", flat=True)
        )
    busy = {number for number, pk in persons.items() if pk in busy_pks}
    new_people = {}
    for (number, birth, sex), item in zip(facts, items, strict=True):
        if item["track"] == "full_time":
            if number in busy:
                raise ValidationError(
                    {
                        "id_number": [
                            _("身份证号“%(n)s”：该学生已有在校的全日制学籍，不能重复注册")
                            % {"n": number}
                        ]
                    }
                )
            busy.add(number)
        if number not in persons and number not in new_people:
            name = (item["name"] or "").strip()
            if not name:
                raise ValidationError({"name": [_("姓名不能为空")]})
            new_people[number] = (
                number,
                name,
                sex,
                birth,
                item.get("home_province") or number[:2],
            )
    # Inserting in keyed-hash order keeps the unique index on it growing at one end
    # instead of at random places (fewer pages touched); registrations follow in
    # ID-number order.
    if new_people:
        seal = pii.sealer(PERSON_ID)
        core.bulk_insert(
            Person,
            ["id_number_enc", "id_number_hmac", "name", "sex", "birth_date", "home_province"],
            (
                (seal(number), digests[number], *new_people[number][1:])
                for number in sorted(new_people, key=digests.__getitem__)
            ),
        )
        core.bulk_created(actor, Person, len(new_people), message or "批量导入")
        persons.update(person_pks({n: digests[n] for n in new_people}))
    enrolled = Status.ENROLLED.value
    n = core.bulk_insert(
        Registration,
        [
            "person_id",
            "school_id",
            "major_id",
            "level",
            "entry_point",
            "duration_months",
            "track",
            "source",
            "enrolled_on",
            "status",
            "status_changed_on",
            "cooperation_id",
        ],
        (
            (
                persons[f[0]],
                item["school"].pk,
                item["major"].pk,
                item["level"],
                item["entry_point"],
                item["duration_months"],
                item["track"],
                item["source"],
                item["enrolled_on"],
                enrolled,
                item["enrolled_on"],
                item["cooperation"].pk if item.get("cooperation") is not None else None,
            )
            for f, item in sorted(zip(facts, items, strict=True), key=_by_number)
        ),
    )
    core.bulk_created(actor, Registration, n, message or "批量导入")
    return n
