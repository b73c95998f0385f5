"""Training records (one row = 一人次), by school, trainee, type, occupation and start date."""

import datetime

from jigong.core import pii
from jigong.core.imports.base import Column, ImportKind, register
from jigong.core.models import Duty
from jigong.standards import skillcert
from jigong.standards.errors import StandardError
from jigong.students.imports import check_id
from jigong.training import services
from jigong.training.models import TrainingKind, TrainingRecord


def check_occupation(row, column):
    value = row.values.get(column.key)
    if value is None:
        return None
    try:
        return skillcert.validate_occupation_code(value)
    except StandardError as exc:
        row.error(column, value, exc.message)
        return None


OCCUPATION = Column(
    "occupation_code",
    "职业编码",
    "code",
    rule="职业分类大典编码，形如 6-18-01-01",
    example="6-18-01-01",
)


@register
class TrainingImport(ImportKind):
    key = "training"
    duty = Duty.TRAINING
    label = "培训记录"
    model = TrainingRecord
    order = 30
    key_columns = ("school", "trainee_id_number", "kind", "occupation_code", "started_on")
    columns = [
        Column("school", "学校代码", "code", example="T0001"),
        Column("trainee_name", "学员姓名", max_length=32, example="周一"),
        Column(
            "trainee_id_number",
            "学员身份证号",
            "id_number",
            rule="GB 11643：18位，末位校验码可为X",
            example="500103199001011237",
        ),
        Column("kind", "培训类型", choices=TrainingKind, example=TrainingKind.UPGRADING.label),
        OCCUPATION,
        Column("occupation_name", "职业（工种）", max_length=64, example="车工"),
        Column("hours", "学时", "int", example=80),
        Column("started_on", "开班日期", "date", example=datetime.date(2025, 3, 1)),
        Column(
            "ended_on",
            "结业日期",
            "date",
            rule="不得早于开班日期",
            example=datetime.date(2025, 4, 30),
        ),
        Column("revenue", "培训收入（元）", "decimal", required=False, example=1200),
        Column("is_social", "社会培训", "bool", required=False, example="是"),
    ]

    def resolve(self, ctx, row):
        v = row.values
        v["school"] = ctx.school(row, self.column("school"), v["school"])
        v["trainee_id_number"] = check_id(row, self.column("trainee_id_number"))
        v["occupation_code"] = check_occupation(row, self.column("occupation_code"))

    def natural_key(self, row):
        v = row.values
        return (
            v["school"].pk,
            v["trainee_id_number"],
            v["kind"],
            v["occupation_code"],
            v["started_on"],
        )

    def find_existing(self, ctx, rows):
        found = {}
        digest = pii.digester()
        digests = {n: digest(n) for n in {r.values["trainee_id_number"] for r in rows}}
        hashes = sorted(digests.values())
        for i in range(0, len(hashes), 500):
            qs = TrainingRecord.objects.filter(trainee_id_number_hmac__in=hashes[i : i + 500])
            for t in qs:
                h = bytes(t.trainee_id_number_hmac)
                found[(t.school_id, h, t.kind, t.occupation_code, t.started_on)] = t
        for row in rows:
            school, number, *rest = row.key
            row.existing = found.get((school, digests[number], *rest))

    def values(self, row):
        v = row.values
        return {
            "trainee_name": v["trainee_name"],
            "occupation_name": v["occupation_name"],
            "hours": v["hours"],
            "ended_on": v["ended_on"],
            "revenue": v["revenue"] if v["revenue"] is not None else 0,
            "is_social": True if v["is_social"] is None else v["is_social"],
        }

    def create(self, ctx, row):
        v = row.values
        return services.training_record_create(
            actor=ctx.actor,
            school=v["school"],
            trainee_id_number=v["trainee_id_number"],
            occupation_code=v["occupation_code"],
            kind=v["kind"],
            started_on=v["started_on"],
            **self.values(row),
        )

    def update(self, ctx, row, changes):
        return services.training_record_update(actor=ctx.actor, record=row.existing, **changes)

    def queryset(self, user):
        return (
            super()
            .queryset(user)
            .select_related("school")
            .order_by("school__code", "started_on", "id")
        )

    # plain values, read as tuples (exports.rows): 800,000 rows in the full world
    export_values = (
        "school__code",
        "trainee_name",
        "trainee_id_number",
        "kind",
        "occupation_code",
        "occupation_name",
        "hours",
        "started_on",
        "ended_on",
        "revenue",
        "is_social",
    )

    def export_row(self, t):
        return [
            t.school.code,
            t.trainee_name,
            t.trainee_id_number,
            t.kind,
            t.occupation_code,
            t.occupation_name,
            t.hours,
            t.started_on,
            t.ended_on,
            t.revenue,
            t.is_social,
        ]
