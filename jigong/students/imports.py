"""学籍 import: one row per registration, by natural key (ID number, school, 入学日期)."""

import datetime

from django.core.exceptions import ValidationError
from django.db.models import Case, Exists, OuterRef, When
from django.utils.translation import gettext as _

from jigong.core import pii
from jigong.core.choices import Level
from jigong.core.imports.base import Column, ImportKind, Row, register
from jigong.core.models import Duty
from jigong.schools.models import MajorStatus, SchoolMajor
from jigong.standards import idcard
from jigong.standards.errors import StandardError
from jigong.standards.regions import PROVINCES
from jigong.students import services
from jigong.students.models import (
    IN_SCHOOL,
    EntryPoint,
    Person,
    Registration,
    Source,
    Status,
    StatusChange,
    Track,
    TransferState,
)
from jigong.students.models import Status as RegStatus

CHUNK = 900  # below SQLite's historical limit of 999 parameters per statement

ID = Column(
    "id_number",
    "身份证号",
    "id_number",
    rule="GB 11643：18位，末位校验码可为X；出生日期须真实且不晚于今天",
    example="500103200705011234",
    fields=("id_number", "person", "registration"),
)


def check_id(row, column: Column) -> str | None:
    value = row.values.get(column.key)
    if value is None:
        return None
    try:
        return idcard.validate(value)
    except StandardError as exc:
        row.error(column, value, exc.message)
        return None


def _birth(number: str) -> datetime.date:
    """The birth date of an ID number that check_id() already validated."""
    return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def registrations_by_key(ids: list[str]) -> tuple[dict, set, dict, dict]:
    """((id_number, school_id, enrolled_on) → Registration, ID numbers of people with an
    in-school full-time registration, ID number → name on file, ID number → 生源省份 on
    file), fetched in chunks: first the people on file (one indexed look-up per chunk),
    then only their registrations."""
    digest = pii.digester()
    number_by_pk = {pk: n for n, pk in services.person_pks({n: digest(n) for n in ids}).items()}
    pks = sorted(number_by_pk)
    found, busy, names, homes = {}, set(), {}, {}
    for i in range(0, len(pks), CHUNK):
        people = Person.objects.filter(pk__in=pks[i : i + CHUNK])
        for pk, name, home in people.values_list("pk", "name", "home_province"):
            names[number_by_pk[pk]] = name
            homes[number_by_pk[pk]] = home
    for i in range(0, len(pks), CHUNK):
        qs = Registration.objects.select_related("person", "school", "major").filter(
            person_id__in=pks[i : i + CHUNK]
        )
        for r in qs:
            number = number_by_pk[r.person_id]
            found[(number, r.school_id, r.enrolled_on)] = r
            if r.status in IN_SCHOOL and r.track == Track.FULL_TIME:
                busy.add(number)
    return found, busy, names, homes


def registrations_by_number(ids) -> dict[str, list]:
    """ID number → its registrations (school and person loaded), for the numbers on
    file: the people by keyed hash, then their registrations, CHUNK numbers per query —
    what the kinds that name a student by ID number and school (学籍异动, 毕业（结业）发证,
    就业去向) look up once per file instead of once per row."""
    digest = pii.digester()
    number_by_pk = {pk: n for n, pk in services.person_pks({n: digest(n) for n in ids}).items()}
    pks = sorted(number_by_pk)
    found: dict[str, list] = {}
    for i in range(0, len(pks), CHUNK):
        qs = Registration.objects.select_related("person", "school").filter(
            person_id__in=pks[i : i + CHUNK]
        )
        for r in qs:
            found.setdefault(number_by_pk[r.person_id], []).append(r)
    return found


def prepare_registrations(ctx, rows, column: str = "id_number") -> None:
    """Fill ``ctx.cache["registrations"]`` for the valid ID numbers of ``rows``."""
    ids = set()
    for row in rows:
        value = row.values.get(column)
        if value:
            try:
                ids.add(idcard.validate(value))
            except StandardError:
                continue  # resolve() reports it
    ctx.cache["registrations"] = registrations_by_number(sorted(ids))


def registrations_at(ctx, number: str, school, enrolled_on=None, statuses=None) -> list:
    """The student's registrations at ``school`` (on ``enrolled_on``, in ``statuses``
    when given), newest enrolment first: at most two, as a query with ``[:2]`` gave."""
    regs = [
        r
        for r in ctx.cache["registrations"].get(number, ())
        if r.school_id == school.pk
        and (enrolled_on is None or r.enrolled_on == enrolled_on)
        and (statuses is None or r.status in statuses)
    ]
    regs.sort(key=lambda r: (r.enrolled_on, r.pk), reverse=True)
    return regs[:2]


@register
class RegistrationImport(ImportKind):
    key = "students"
    duty = Duty.RECORDS
    label = "学生学籍"
    model = Registration
    order = 10
    key_columns = ("id_number", "school", "enrolled_on")
    columns = [
        ID,
        Column("name", "姓名", max_length=32, example="张小明"),
        Column("school", "学校代码", "code", rule="本校的学校代码", example="T0001"),
        Column(
            "edition",
            "目录版本",
            "code",
            required=False,
            rule="专业目录版本代码；不填时取最新版本",
            example="",
        ),
        Column("major", "专业代码", "code", rule="专业目录中的专业代码", example="0101"),
        Column(
            "level",
            "班级层次",
            choices=Level,
            rule="须为学校层次可开设的层次，且学校已开设该专业该层次",
            example=Level.INTERMEDIATE.label,
        ),
        Column("entry_point", "入学起点", choices=EntryPoint, example=EntryPoint.JUNIOR.label),
        Column(
            "duration_months",
            "学制（月）",
            "int",
            rule="以月计；企业在岗职工非全日制不少于12个月",
            example=36,
            aliases=("学制(月)", "学制"),
        ),
        Column("track", "学习形式", choices=Track, example=Track.FULL_TIME.label),
        Column("source", "生源类别", choices=Source, example=Source.JUNIOR_GRADUATE.label),
        Column(
            "enrolled_on",
            "入学日期",
            "date",
            rule="不得晚于今天，不得早于出生日期",
            example=datetime.date(2024, 9, 1),
        ),
        Column(
            "home_province",
            "生源省份",
            required=False,
            choices=PROVINCES,
            rule="不填时取身份证号前两位",
            example="重庆市",
        ),
    ]

    # for the reader only: a status changes through 学籍异动 (the status_changes kind)
    export_extra = (Column("status", "学籍状态", choices=RegStatus, required=False),)

    def prepare(self, ctx, rows):
        ctx.cache["runs"] = set(
            SchoolMajor.objects.filter(status=MajorStatus.OPEN).values_list(
                "school_id", "major_id", "level"
            )
        )

    def resolve(self, ctx, row):
        v = row.values
        number = v["id_number"] = check_id(row, self.column("id_number"))
        enrolled = v["enrolled_on"]
        # Everything but the ID number depends on a handful of values that repeat across
        # the file (school, major, level, track, source, duration, date): check each
        # combination once and replay its outcome, errors included, in the same order.
        key = (
            v["school"],
            v["edition"],
            v["major"],
            v["level"],
            v["track"],
            v["source"],
            v["duration_months"],
            enrolled,
        )
        memo = ctx.cache.setdefault("resolved", {})
        outcome = memo.get(key)
        if outcome is None:
            outcome = memo[key] = self._resolve_shared(ctx, dict(v))
        school, major, before, after = outcome
        v["school"], v["major"] = school, major
        if before:
            row.errors.extend(before)
        wrong_order = number and enrolled and services.birth_order_error(enrolled, _birth(number))
        if wrong_order:
            row.error(self.column("enrolled_on"), enrolled, wrong_order)
        # The rules of enrolment bind a new registration only (find_existing adds them);
        # a row already on file is checked by the correction act for what it changes.
        # Re-importing a suspended school's own export, or a level the school's tier has
        # since lost, is no new enrolment. A row refused already gets them all now.
        if row.errors:
            row.errors.extend(after)
        else:
            row.enrol_errors = after

    def _resolve_shared(self, ctx, v) -> tuple:
        """(school, major, errors before the birth-date check, errors after it) for one
        combination of the row values other than the ID number and the name: the act's
        own rules (``services.registration_rules``), with its messages."""
        probe = Row(number=0, raw=[])
        school = ctx.school(probe, self.column("school"), v["school"])
        major = ctx.major(probe, self.column("major"), v["major"], edition=v["edition"])
        before = tuple(probe.errors)
        probe.errors = []
        enrolled = v["enrolled_on"]
        if school is not None and enrolled is not None:
            errors = services.registration_rules(
                school=school,
                major=major,
                level=v["level"],
                track=v["track"],
                source=v["source"],
                duration_months=v["duration_months"],
                enrolled_on=enrolled,
                runs=ctx.cache["runs"],
            )
            for field, messages in errors.items():
                column, value = self._rule_cell(field, v, school, major)
                for message in messages:
                    probe.error(column, value, str(message))
        return school, major, before, tuple(probe.errors)

    def _rule_cell(self, field: str, v: dict, school, major) -> tuple:
        """The column and value a rule's field names in the file."""
        if field == "school":
            return self.column("school"), school.code
        if field == "major":
            return self.column("major"), major.code
        if field == "level":
            return self.column("level"), Level(v["level"]).label
        if field in ("track", "source", "duration_months", "enrolled_on"):
            return self.column(field), v[field]
        return "", ""

    def natural_key(self, row):
        v = row.values
        return (v["id_number"], v["school"].pk, v["enrolled_on"])

    def find_existing(self, ctx, rows):
        ids = sorted({r.values["id_number"] for r in rows})
        found, busy, names, homes = registrations_by_key(ids)
        # the act's quota of cross-province enrolment (（九）), over the whole file: the
        # registrations on file, then each new row accepted before this one
        quotas = ctx.cache.setdefault("cross_province", services.CrossProvinceCount())
        for row in rows:
            row.existing = found.get(row.key)
            if row.existing is None and getattr(row, "enrol_errors", ()):
                row.errors.extend(row.enrol_errors)
                continue
            v = row.values
            number = v["id_number"]
            # A person is shared between schools: a new registration enrols the person
            # on file; another name is refused without revealing the record.
            if (
                row.existing is None
                and number in names
                and not services.same_person(names[number], v["name"])
            ):
                row.error(self.column("name"), v["name"], str(services.NAME_MISMATCH))
                continue
            if row.existing is None and v["track"] == Track.FULL_TIME:
                if number in busy:
                    row.error(self.column("id_number"), number, str(services.FULL_TIME_BUSY))
                    continue
                busy.add(number)
            if row.existing is None:
                home = homes.get(number) or v.get("home_province") or number[:2]
                homes.setdefault(number, home)  # a person twice in the file: one province
                refused = quotas.refusal(
                    school=v["school"], province=home, enrolled_on=v["enrolled_on"]
                )
                if refused:
                    column = self.column("home_province")
                    row.error(column, PROVINCES.get(home, home), refused.message)

    bulk_threshold = 200

    def bulk_create(self, ctx, rows):
        """New registrations in bulk (one audit row per table); rows were fully checked.
        Each row's values hold the service's keyword arguments (and a few more)."""
        items = [row.values for row in rows]
        return services.registrations_bulk_create(
            actor=ctx.actor, items=items, message=f"导入学籍{len(items)}条"
        )

    def values(self, row):
        v = row.values
        return {
            "major": v["major"],
            "level": v["level"],
            "entry_point": v["entry_point"],
            "duration_months": v["duration_months"],
            "track": v["track"],
            "source": v["source"],
        }

    def changes(self, row):
        changes = super().changes(row)
        person = row.existing.person
        if row.values["name"] != person.name:
            changes["name"] = row.values["name"]
        hp = row.values.get("home_province")
        if hp and hp != person.home_province:
            changes["home_province"] = hp
        return changes

    def create(self, ctx, row):
        v = row.values
        return services.registration_create(
            actor=ctx.actor,
            school=v["school"],
            major=v["major"],
            level=v["level"],
            entry_point=v["entry_point"],
            duration_months=v["duration_months"],
            track=v["track"],
            source=v["source"],
            enrolled_on=v["enrolled_on"],
            id_number=v["id_number"],
            name=v["name"],
            home_province=v.get("home_province") or "",
        )

    def update(self, ctx, row, changes):
        # the act requires a reason: an import's is its file and row
        reason = _("导入文件“%(f)s”第%(r)s行") % {
            "f": ctx.filename or "—",
            "r": row.number,
        }
        return services.registration_update(
            actor=ctx.actor, registration=row.existing, reason=reason, **changes
        )

    def queryset(self, user):
        return (
            super()
            .queryset(user)
            # a 转入 registration is made by accepting its 转学: the 转入 row of the 学籍异动
            # file (status_changes), not a new enrolment of this file
            .exclude(
                Exists(
                    StatusChange.objects.filter(
                        registration=OuterRef("pk"),
                        status=RegStatus.TRANSFERRED_IN,
                        reverted_on__isnull=True,
                    )
                )
            )
            .select_related("person", "school", "major__edition")
            .order_by("school__code", "enrolled_on", "person_id")
        )

    export_values = (
        "person__id_number",
        "person__name",
        "school__code",
        "major__edition__code",
        "major__code",
        "level",
        "entry_point",
        "duration_months",
        "track",
        "source",
        "enrolled_on",
        "person__home_province",
        "status",
    )

    def export_row(self, r):
        return [
            r.person.id_number,
            r.person.name,
            r.school.code,
            r.major.edition.code,
            r.major.code,
            r.level,
            r.entry_point,
            r.duration_months,
            r.track,
            r.source,
            r.enrolled_on,
            r.person.home_province,
            r.status,
        ]


@register
class StatusChangeImport(ImportKind):
    key = "status_changes"
    duty = Duty.RECORDS
    label = "学籍异动"
    model = StatusChange
    order = 100
    key_columns = ("id_number", "school", "status", "changed_on")
    columns = [
        ID,
        Column("school", "学校代码", "code", example="T0001", fields=("school",)),
        Column(
            "enrolled_on",
            "入学日期",
            "date",
            required=False,
            rule="学生在本校有多条学籍时填写，用于确定学籍",
            example="",
        ),
        Column(
            "status",
            "变更为",
            choices={k: v for k, v in RegStatus.choices if k != RegStatus.ENROLLED},
            rule="须为当前学籍状态允许的变更",
            example=RegStatus.SUSPENDED.label,
        ),
        Column(
            "changed_on",
            "变更日期",
            "date",
            rule="不得早于上一次状态日期，不得晚于今天",
            example=datetime.date(2025, 3, 1),
            fields=("changed_on", "transfer_on"),
        ),
        Column(
            "reason",
            "原因",
            required=False,
            max_length=128,
            rule="转出、转入必填",
            example="因病休学",
        ),
        Column(
            "counterpart",
            "转入/转出学校代码",
            "code",
            required=False,
            example="",
            aliases=("转入转出学校代码", "对方学校代码"),
            rule="转出时填转入学校的代码，转入时填转出学校的代码（学校名录中的代码）",
            fields=("counterpart_school", "to_school", "state"),
        ),
    ]

    def resolve(self, ctx, row):
        v = row.values
        v["id_number"] = check_id(row, self.column("id_number"))
        school = v["school"] = ctx.school(row, self.column("school"), v["school"])
        if v["counterpart"]:
            other = ctx.schools().get(v["counterpart"])
            if other is None:
                row.error(self.column("counterpart"), v["counterpart"], "学校代码不存在")
            v["counterpart"] = other
        if school is None or v["id_number"] is None:
            return
        regs = registrations_at(ctx, v["id_number"], school, v["enrolled_on"] or None)
        if not regs and v["status"] == RegStatus.TRANSFERRED_IN and v["counterpart"]:
            # 转入 creates the registration here: the row accepts the 转学 asked by the
            # school the student leaves (its registration, found by the same key)
            regs = registrations_at(ctx, v["id_number"], v["counterpart"], v["enrolled_on"] or None)
            v["accept"] = True
        if not regs:
            row.error(self.column("id_number"), v["id_number"], "该学生在本校没有学籍")
        elif len(regs) > 1:
            row.error(
                self.column("enrolled_on"),
                "",
                "该学生在本校有多条学籍：请填写入学日期以确定学籍",
            )
        else:
            v["registration"] = regs[0]

    def natural_key(self, row):
        v = row.values
        return (v["registration"].pk, v["status"], v["changed_on"])

    def prepare(self, ctx, rows):
        prepare_registrations(ctx, rows)

    def find_existing(self, ctx, rows):
        regs = sorted({r.values["registration"].pk for r in rows})
        found = {}
        for i in range(0, len(regs), CHUNK):
            changes = StatusChange.objects.filter(
                registration_id__in=regs[i : i + CHUNK], reverted_on__isnull=True
            )
            for c in changes.order_by("-id"):  # the first of equal changes wins, as .first()
                found[(c.registration_id, c.status, c.changed_on)] = c
        for row in rows:
            v = row.values
            row.existing = found.get((v["registration"].pk, v["status"], v["changed_on"]))

    def values(self, row):
        return {
            "reason": row.values["reason"] or "",
            "counterpart_school": row.values["counterpart"],
        }

    def create(self, ctx, row):
        """The row's act: 转出 asks for a 转学 (the same act as the page), 转入 accepts the
        pending one from the counterpart school, the rest is 学籍异动 (which refuses 毕业
        and 结业: they come with the certificate, the graduations kind)."""
        v = row.values
        if v["status"] == RegStatus.TRANSFERRED_OUT:
            return services.registration_transfer_out(
                actor=ctx.actor,
                registration=v["registration"],
                to_school=v["counterpart"],
                transfer_on=v["changed_on"],
                reason=v["reason"] or "",
            )
        if v["status"] == RegStatus.TRANSFERRED_IN and v.get("accept"):
            transfer = (
                v["registration"]
                .transfers_out.filter(state=TransferState.PENDING, to_school=v["school"])
                .first()
            )
            if transfer is None:
                raise ValidationError(
                    {
                        "to_school": [
                            _(
                                "没有从“%(a)s”转往“%(b)s”的待接收转学申请：转入须由转出学校先办理转出"
                            )
                            % {"a": v["counterpart"].name, "b": v["school"].name}
                        ]
                    }
                )
            return services.transfer_accept(actor=ctx.actor, transfer=transfer)
        return services.registration_change_status(
            actor=ctx.actor,
            registration=v["registration"],
            status=v["status"],
            changed_on=v["changed_on"],
            reason=v["reason"] or "",
            counterpart_school=v["counterpart"],
        )

    def update(self, ctx, row, changes):
        raise ValidationError(
            {
                "reason": [
                    "该学籍异动已登记，原因或对方学校不同：已登记的异动不能通过导入修改，"
                    "请在学籍页面更正"
                ]
            }
        )

    def queryset(self, user):
        # The 毕业/结业 change that issuing a certificate records belongs to the graduations
        # kind (毕业（结业）发证): exported there and made again when that file is imported,
        # so it is not a row here (the certificate model reached through the relation: the
        # students app does not import certificates).
        certificate = Registration._meta.get_field("certificates").related_model
        issued = certificate.objects.filter(
            registration=OuterRef("registration"),
            outcome=OuterRef("status"),
            issued_on=OuterRef("changed_on"),
        )
        # In order of date, 转出 before its 转入: a file imported into an empty database
        # asks for each 转学 before it accepts it. A reverted change is no row.
        return (
            super()
            .queryset(user)
            .filter(reverted_on__isnull=True)
            .exclude(Exists(issued))
            .select_related("registration__person", "registration__school", "counterpart_school")
            .order_by(
                "changed_on",
                Case(When(status=RegStatus.TRANSFERRED_IN, then=1), default=0),
                "registration__school__code",
                "id",
            )
        )

    def export_row(self, c):
        reg = c.registration
        return [
            reg.person.id_number,
            reg.school.code,
            reg.enrolled_on,
            c.status,
            c.changed_on,
            c.reason,
            c.counterpart_school.code if c.counterpart_school else "",
        ]


__all__ = ["IN_SCHOOL", "RegistrationImport", "Status", "StatusChangeImport"]
