"""Teachers, by school and ID number."""

import datetime

from jigong.core import pii
from jigong.core.imports.base import Column, ImportKind, register
from jigong.staff import services
from jigong.staff.models import Teacher, TeacherKind
from jigong.students.imports import ID, check_id


@register
class TeacherImport(ImportKind):
    key = "teachers"
    label = "教师"
    model = Teacher
    order = 80
    key_columns = ("school", "id_number")
    columns = [
        Column("school", "学校代码", "code", example="T0001"),
        ID,
        Column("name", "姓名", max_length=32, example="刘老师"),
        Column("kind", "类别", choices=TeacherKind, example=TeacherKind.FULL_TIME.label),
        Column(
            "enterprise",
            "来源企业信用代码",
            "code",
            required=False,
            rule="兼职教师来自企业时填写，企业须已在企业名录中",
            example="",
        ),
        Column("integrated_qualified", "一体化教师", "bool", required=False, example="否"),
        Column("ideological", "思政课教师", "bool", required=False, example="否"),
        Column("hired_on", "聘用日期", "date", example=datetime.date(2015, 9, 1)),
        Column("left_on", "离职日期", "date", required=False, rule="不得早于聘用日期", example=""),
    ]

    def resolve(self, ctx, row):
        v = row.values
        v["school"] = ctx.school(row, self.column("school"), v["school"])
        v["id_number"] = check_id(row, self.column("id_number"))
        if v["enterprise"]:
            e = ctx.enterprises().get(v["enterprise"])
            if e is None:
                row.error(self.column("enterprise"), v["enterprise"], "企业不在企业名录中")
            v["enterprise"] = e

    def natural_key(self, row):
        return (row.values["school"].pk, row.values["id_number"])

    def find_existing(self, ctx, rows):
        digest = pii.digester()
        digests = {n: digest(n) for n in {r.values["id_number"] for r in rows}}
        found = {
            (t.school_id, bytes(t.id_number_hmac)): t
            for t in Teacher.objects.filter(
                school_id__in={r.values["school"].pk for r in rows},
                id_number_hmac__in=list(digests.values()),
            )
        }
        for row in rows:
            school, number = row.key
            row.existing = found.get((school, digests[number]))

    def values(self, row):
        v = row.values
        return {
            "name": v["name"],
            "kind": v["kind"],
            "enterprise": v["enterprise"],
            "integrated_qualified": bool(v["integrated_qualified"]),
            "ideological": bool(v["ideological"]),
            "hired_on": v["hired_on"],
            "left_on": v["left_on"],
        }

    def create(self, ctx, row):
        v = row.values
        return services.teacher_create(
            actor=ctx.actor, school=v["school"], id_number=v["id_number"], **self.values(row)
        )

    def update(self, ctx, row, changes):
        return services.teacher_update(actor=ctx.actor, teacher=row.existing, **changes)

    def queryset(self, user):
        return (
            super()
            .queryset(user)
            .select_related("school", "enterprise")
            .order_by("school__code", "id")
        )

    def export_row(self, t):
        return [
            t.school.code,
            t.id_number,
            t.name,
            t.kind,
            t.enterprise.credit_code if t.enterprise else "",
            t.integrated_qualified,
            t.ideological,
            t.hired_on,
            t.left_on,
        ]
