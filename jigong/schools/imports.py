"""Schools (by 学校代码) and school majors (by school, catalogue major and level)."""

import datetime

from jigong.core.choices import Level, Tier
from jigong.core.imports.base import Column, ImportKind, register
from jigong.core.models import Role
from jigong.schools import services
from jigong.schools.models import MajorStatus, Ownership, School, SchoolMajor, SchoolStatus
from jigong.standards import uscc
from jigong.standards.errors import StandardError


def check_credit_code(row, column):
    value = row.values.get(column.key)
    if value is None:
        return None
    try:
        return uscc.validate(value)
    except StandardError as exc:
        row.error(column, value, exc.message)
        return None


@register
class SchoolImport(ImportKind):
    key = "schools"
    label = "技工院校"
    model = School
    order = 1
    key_columns = ("code",)
    roles = frozenset({Role.MUNICIPAL, Role.DISTRICT, Role.SCHOOL})
    columns = [
        Column(
            "code", "学校代码", "code", max_length=16, rule="唯一，导入时按此匹配", example="T0001"
        ),
        Column("name", "学校名称", max_length=64, rule="唯一", example="重庆示例技师学院"),
        Column("tier", "层次", choices=Tier, example=Tier.TECHNICIAN_COLLEGE.label),
        Column(
            "district",
            "区县代码",
            "code",
            rule="GB/T 2260 区县代码（如 500103）或功能区代码（如 CQ-LJ）",
            example="500103",
        ),
        Column("ownership", "举办性质", choices=Ownership, example=Ownership.PUBLIC.label),
        Column("sponsor", "举办者", max_length=128, example="重庆市人力资源和社会保障局"),
        Column(
            "credit_code",
            "统一社会信用代码",
            "code",
            rule="GB 32100：18位，校验码正确",
            example="12500000MB0000000X",
        ),
        Column("status", "办学状态", required=False, choices=SchoolStatus, example="正常办学"),
        Column("founded_on", "设立日期", "date", required=False, example=datetime.date(1985, 9, 1)),
        Column("address", "地址", required=False, max_length=128, example="重庆市渝中区示例路1号"),
        Column(
            "campus_network_coverage",
            "校园网覆盖率",
            "decimal",
            required=False,
            rule="0 至 1 之间，或填百分数如 95%",
            example=1,
        ),
    ]

    def resolve(self, ctx, row):
        v = row.values
        v["credit_code"] = check_credit_code(row, self.column("credit_code"))
        v["district"] = ctx.district(row, self.column("district"), v["district"])
        user = ctx.user
        if (
            v["district"] is not None
            and user is not None
            and user.role == Role.DISTRICT
            and v["district"].pk != user.district_id
        ):
            row.error(
                self.column("district"),
                v["district"].code,
                "超出您的数据范围：只能导入本区县的学校",
            )

    def natural_key(self, row):
        return (row.values["code"],)

    def find_existing(self, ctx, rows):
        schools = ctx.schools()
        for row in rows:
            row.existing = schools.get(row.values["code"])
            if row.existing is not None and not ctx.school_in_scope(row.existing):
                row.error(
                    self.column("code"),
                    row.values["code"],
                    "该学校代码已被使用或不在您的数据范围内",
                )

    def values(self, row):
        v = row.values
        out = {k: v[k] for k in ("name", "tier", "district", "ownership", "sponsor", "credit_code")}
        out["status"] = v["status"] or SchoolStatus.OPERATING
        out["founded_on"] = v["founded_on"]
        out["address"] = v["address"] or ""
        if v["campus_network_coverage"] is not None:
            out["campus_network_coverage"] = v["campus_network_coverage"]
        return out

    def create(self, ctx, row):
        return services.school_create(actor=ctx.actor, code=row.values["code"], **self.values(row))

    def update(self, ctx, row, changes):
        return services.school_update(actor=ctx.actor, school=row.existing, **changes)

    def queryset(self, user):
        return super().queryset(user).select_related("district").order_by("code")

    def export_row(self, s):
        return [
            s.code,
            s.name,
            s.tier,
            s.district.code,
            s.ownership,
            s.sponsor,
            s.credit_code,
            s.status,
            s.founded_on,
            s.address,
            s.campus_network_coverage,
        ]


@register
class SchoolMajorImport(ImportKind):
    key = "school_majors"
    label = "开设专业"
    model = SchoolMajor
    order = 5
    key_columns = ("school", "major", "level")
    columns = [
        Column("school", "学校代码", "code", example="T0001"),
        Column("edition", "目录版本", "code", required=False, rule="不填时取最新版本", example=""),
        Column("major", "专业代码", "code", rule="专业目录中的专业代码", example="0101"),
        Column(
            "level",
            "班级层次",
            choices=Level,
            rule="须为学校层次可开设、且专业目录中该专业设有的层次",
            example=Level.INTERMEDIATE.label,
        ),
        Column("status", "状态", required=False, choices=MajorStatus, example="招生"),
        Column("opened_year", "开设年度", "int", example=2020),
    ]

    def resolve(self, ctx, row):
        v = row.values
        v["school"] = ctx.school(row, self.column("school"), v["school"])
        v["major"] = ctx.major(row, self.column("major"), v["major"], edition=v["edition"])

    def natural_key(self, row):
        v = row.values
        return (v["school"].pk, v["major"].pk, v["level"])

    def find_existing(self, ctx, rows):
        found = {
            (sm.school_id, sm.major_id, sm.level): sm
            for sm in SchoolMajor.objects.filter(
                school_id__in={r.values["school"].pk for r in rows}
            ).select_related("school", "major")
        }
        for row in rows:
            row.existing = found.get(row.key)

    def values(self, row):
        v = row.values
        return {"status": v["status"] or MajorStatus.OPEN, "opened_year": v["opened_year"]}

    def create(self, ctx, row):
        v = row.values
        return services.school_major_create(
            actor=ctx.actor,
            school=v["school"],
            major=v["major"],
            level=v["level"],
            opened_year=v["opened_year"],
            status=v["status"] or MajorStatus.OPEN,
        )

    def update(self, ctx, row, changes):
        return services.school_major_update(actor=ctx.actor, school_major=row.existing, **changes)

    def queryset(self, user):
        return (
            super()
            .queryset(user)
            .select_related("school", "major__edition")
            .order_by("school__code", "major__code", "level")
        )

    def export_row(self, sm):
        return [
            sm.school.code,
            sm.major.edition.code,
            sm.major.code,
            sm.level,
            sm.status,
            sm.opened_year,
        ]
