"""Student-aid applications (（二十一）) in bulk: one row = one student's application for a
school's programme (by school code, programme name and year), written through the
acts ``aid_application.create`` / ``aid_application.update``. The export adds the
review's state, approved amount and payment date for the reader; importing it back
changes nothing, and a changed row of an application already submitted is refused by
the update act (only a draft or returned application is corrected)."""

import datetime

from jigong.core.imports.base import Column, ImportKind, register
from jigong.students.imports import ID, check_id, prepare_registrations, registrations_at
from jigong.workflows import aid
from jigong.workflows.flows import AID_APPLICATION
from jigong.workflows.models import AidApplication, AidGround, AidProgramme

EDITED = ("amount_requested", "grounds", "grounds_note", "applied_on")


@register
class AidApplicationImport(ImportKind):
    key = "aid_applications"
    label = "学生资助申请"
    model = AidApplication
    order = 130  # after the students
    # every staff role exports (the bureaus read all in their scope); only a school
    # account's rows are written: the acts are the school's (aid_application.create)
    key_columns = ("school", "programme", "year", "id_number")
    columns = [
        Column("school", "学校代码", "code", example="T0001"),
        Column(
            "programme",
            "资助项目",
            max_length=64,
            rule="本校该年度已建立的资助项目名称",
            example="国家助学金",
        ),
        Column("year", "项目年度", "int", min_value=2000, max_value=2100, example=2025),
        ID,
        Column(
            "enrolled_on",
            "入学日期",
            "date",
            required=False,
            rule="学生在本校有多条学籍时填写",
            example="",
        ),
        Column(
            "amount_requested",
            "申请金额（元）",
            "decimal",
            rule="大于0且不超过资助项目的资助标准",
            example=2000,
        ),
        Column("grounds", "申请理由", choices=AidGround, example=AidGround.HARDSHIP.label),
        Column(
            "grounds_note",
            "理由说明",
            required=False,
            max_length=255,
            rule="申请理由为“其他”时必填",
            example="",
        ),
        Column(
            "applied_on",
            "申请日期",
            "date",
            rule="学生在该日期须在籍，且在项目年度内",
            example=datetime.date(2025, 3, 1),
        ),
    ]
    # for the reader only: the review and payment are the district's and school's
    # transitions on the pages, never a column of this import
    export_extra = (
        Column("state", "办理状态", choices=dict(AID_APPLICATION.choices()), required=False),
        Column("amount_approved", "核定金额（元）", "decimal", required=False),
        Column("paid_on", "发放日期", "date", required=False),
    )

    def prepare(self, ctx, rows):
        prepare_registrations(ctx, rows)
        names = {r.values.get("programme") for r in rows if r.values.get("programme")}
        ctx.cache["aid_programmes"] = {
            (p.school_id, p.year, p.name): p
            for p in AidProgramme.objects.filter(name__in=names).select_related("school")
        }

    def resolve(self, ctx, row):
        v = row.values
        v["id_number"] = check_id(row, self.column("id_number"))
        school = v["school"] = ctx.school(row, self.column("school"), v["school"])
        if school is None:
            return
        programme = ctx.cache["aid_programmes"].get((school.pk, v["year"], v["programme"]))
        if programme is None:
            row.error(
                self.column("programme"),
                v["programme"],
                f"本校{v['year']}年度没有该资助项目：请先在“学生资助项目”中建立",
            )
        v["programme"] = programme
        if v["id_number"] is None:
            return
        regs = registrations_at(ctx, v["id_number"], school, v["enrolled_on"] or None)
        if not regs:
            row.error(self.column("id_number"), v["id_number"], "该学生在本校没有学籍")
        elif len(regs) > 1:
            row.error(self.column("enrolled_on"), "", "该学生在本校有多条学籍：请填写入学日期")
        else:
            v["registration"] = regs[0]

    def natural_key(self, row):
        v = row.values
        return (v["programme"].pk, v["registration"].pk)

    def find_existing(self, ctx, rows):
        keys = {r.key for r in rows}
        found = {
            (a.programme_id, a.registration_id): a
            for a in AidApplication.objects.filter(
                programme_id__in={k[0] for k in keys},
                registration_id__in={k[1] for k in keys},
            )
        }
        for row in rows:
            row.existing = found.get(row.key)

    def values(self, row):
        v = row.values
        return {
            "amount_requested": v["amount_requested"],
            "grounds": v["grounds"],
            "grounds_note": v["grounds_note"] or "",
            "applied_on": v["applied_on"],
        }

    def create(self, ctx, row):
        v = row.values
        return aid.application_create(
            actor=ctx.actor,
            programme=v["programme"],
            registration=v["registration"],
            **self.values(row),
        )

    def update(self, ctx, row, changes):
        return aid.application_update(
            actor=ctx.actor, application=row.existing, **{k: changes[k] for k in changes}
        )

    def queryset(self, user):
        return (
            super()
            .queryset(user)
            .select_related("school", "programme", "registration__person")
            .order_by("school__code", "programme__year", "programme__name", "pk")
        )

    def export_row(self, a):
        return [
            a.school.code,
            a.programme.name,
            a.programme.year,
            a.registration.person.id_number,
            a.registration.enrolled_on,
            a.amount_requested,
            a.grounds,
            a.grounds_note,
            a.applied_on,
            a.state,
            a.amount_approved,
            a.paid_on,
        ]
