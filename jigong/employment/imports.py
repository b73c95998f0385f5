"""Employment outcomes, one per graduate's registration (ID number + school)."""

import datetime

from jigong.core.imports.base import Column, ImportKind, register
from jigong.core.models import Duty
from jigong.employment import services
from jigong.employment.models import EmploymentOutcome, EmploymentStatus
from jigong.students.imports import ID, check_id, prepare_registrations, registrations_at
from jigong.students.models import Status


@register
class EmploymentImport(ImportKind):
    key = "employment"
    duty = Duty.TRAINING
    label = "就业去向"
    model = EmploymentOutcome
    order = 120  # after graduations: only graduates and 结业 students have outcomes
    key_columns = ("id_number", "school")
    columns = [
        ID,
        Column("school", "学校代码", "code", example="T0001"),
        Column(
            "enrolled_on",
            "入学日期",
            "date",
            required=False,
            rule="学生在本校有多条学籍时填写",
            example="",
        ),
        Column(
            "status",
            "去向",
            choices=EmploymentStatus,
            rule="只有毕业或结业学生才能登记",
            example=EmploymentStatus.EMPLOYED.label,
        ),
        Column(
            "employer_name",
            "就业单位",
            required=False,
            max_length=128,
            example="重庆示例汽车有限公司",
        ),
        Column(
            "enterprise",
            "合作企业信用代码",
            "code",
            required=False,
            rule="就业单位为合作企业时填写",
            example="",
        ),
        Column("in_field", "专业对口", "bool", required=False, example="是"),
        Column(
            "recorded_on",
            "统计日期",
            "date",
            rule="不得早于离校日期",
            example=datetime.date(2025, 8, 31),
        ),
    ]

    def resolve(self, ctx, row):
        v = row.values
        v["id_number"] = check_id(row, self.column("id_number"))
        school = v["school"] = ctx.school(row, self.column("school"), v["school"])
        if v["enterprise"]:
            e = ctx.enterprises().get(v["enterprise"])
            if e is None:
                row.error(self.column("enterprise"), v["enterprise"], "企业不在企业名录中")
            v["enterprise"] = e
        if school is None or v["id_number"] is None:
            return
        regs = registrations_at(
            ctx,
            v["id_number"],
            school,
            v["enrolled_on"] or None,
            None if v["enrolled_on"] else (Status.GRADUATED, Status.COMPLETED),
        )
        if not regs and not v["enrolled_on"]:
            # none has left: the one registration there is the act's to refuse, with
            # the act's message (its status named)
            regs = registrations_at(ctx, v["id_number"], school)
        if not regs:
            row.error(self.column("id_number"), v["id_number"], "该学生在本校没有学籍")
        elif len(regs) > 1:
            row.error(self.column("enrolled_on"), "", "该学生在本校有多条学籍：请填写入学日期")
        else:
            v["registration"] = regs[0]

    def prepare(self, ctx, rows):
        prepare_registrations(ctx, rows)

    def natural_key(self, row):
        return (row.values["registration"].pk,)

    def find_existing(self, ctx, rows):
        found = {
            o.registration_id: o
            for o in EmploymentOutcome.objects.filter(
                registration_id__in=[r.values["registration"].pk for r in rows]
            )
        }
        for row in rows:
            row.existing = found.get(row.values["registration"].pk)

    def values(self, row):
        v = row.values
        return {
            "status": v["status"],
            "employer_name": v["employer_name"] or "",
            "enterprise": v["enterprise"],
            "in_field": bool(v["in_field"]),
            "recorded_on": v["recorded_on"],
        }

    def create(self, ctx, row):
        return services.outcome_record(
            actor=ctx.actor, registration=row.values["registration"], **self.values(row)
        )

    def update(self, ctx, row, changes):
        return services.outcome_record(
            actor=ctx.actor, registration=row.values["registration"], **self.values(row)
        )

    def queryset(self, user):
        return (
            super()
            .queryset(user)
            .select_related("registration__person", "school", "enterprise")
            .order_by("school__code", "registration__person_id")
        )

    def export_row(self, o):
        return [
            o.registration.person.id_number,
            o.school.code,
            o.registration.enrolled_on,
            o.status,
            o.employer_name,
            o.enterprise.credit_code if o.enterprise else "",
            o.in_field,
            o.recorded_on,
        ]
