"""Skill-level certificates (职业技能等级证书), by certificate number.

Graduations (毕业 + 毕业证书) are not importable yet: the graduation service is being
designed by the certificates issue; its kind will be added here once it exists.
"""

import datetime

from jigong.certificates import services
from jigong.certificates.models import SkillCertificate, SkillLevel
from jigong.core.imports.base import Column, ImportKind, register
from jigong.standards import skillcert
from jigong.standards.errors import StandardError
from jigong.students.imports import ID, check_id
from jigong.students.models import Person
from jigong.students.services import person_upsert
from jigong.training.imports import OCCUPATION, check_occupation


@register
class SkillCertificateImport(ImportKind):
    key = "skill_certificates"
    label = "职业技能等级证书"
    model = SkillCertificate
    order = 60
    key_columns = ("number",)
    columns = [
        Column(
            "number",
            "证书编号",
            "code",
            rule="22位：字母Y或S加21位数字；导入时按此匹配",
            example="S500000202500000000001",
            fields=("number", "certificate_number"),
        ),
        ID,
        Column("name", "姓名", max_length=32, example="陈一"),
        OCCUPATION,
        Column("occupation_name", "职业（工种）", max_length=64, example="车工"),
        Column(
            "level",
            "等级",
            choices={str(k): v for k, v in SkillLevel.choices},
            example=SkillLevel.LEVEL_4.label,
        ),
        Column(
            "issued_on", "发证日期", "date", rule="不得晚于今天", example=datetime.date(2025, 6, 30)
        ),
        Column(
            "evaluator",
            "评价机构学校代码",
            "code",
            required=False,
            rule="发证年度已备案为职业技能等级评价机构的本校代码",
            example="T0001",
        ),
    ]

    def resolve(self, ctx, row):
        v = row.values
        col = self.column("number")
        if v["number"]:
            try:
                v["number"] = skillcert.validate_number(v["number"])
            except StandardError as exc:
                row.error(col, v["number"], exc.message)
        v["id_number"] = check_id(row, self.column("id_number"))
        v["occupation_code"] = check_occupation(row, self.column("occupation_code"))
        v["level"] = int(v["level"]) if v["level"] else None
        if v["issued_on"] and v["issued_on"] > datetime.date.today():
            row.error(self.column("issued_on"), v["issued_on"], "发证日期不得晚于今天")
        if v["evaluator"]:
            v["evaluator"] = ctx.school(row, self.column("evaluator"), v["evaluator"])
        elif ctx.user is not None and ctx.user.role == "school":
            row.error(self.column("evaluator"), "", "学校用户导入证书须填写本校代码")

    def natural_key(self, row):
        return (row.values["number"],)

    def find_existing(self, ctx, rows):
        found = {
            c.number: c
            for c in SkillCertificate.objects.filter(
                number__in=[r.values["number"] for r in rows]
            ).select_related("person")
        }
        for row in rows:
            c = row.existing = found.get(row.values["number"])
            if c is not None and c.person.id_number != row.values["id_number"]:
                row.error(self.column("number"), c.number, "该证书编号已登记在另一持证人名下")

    def values(self, row):
        v = row.values
        return {
            "occupation_code": v["occupation_code"],
            "occupation_name": v["occupation_name"],
            "level": v["level"],
            "issued_on": v["issued_on"],
            "evaluator": v["evaluator"],
        }

    def create(self, ctx, row):
        v = row.values
        person = Person.objects.filter(id_number=v["id_number"]).first() or person_upsert(
            actor=ctx.actor, id_number=v["id_number"], name=v["name"]
        )
        fields = self.values(row)
        return services.skill_certificate_create(
            actor=ctx.actor,
            person=person,
            number=v["number"],
            occupation_code=fields.pop("occupation_code"),
            evaluator=fields.pop("evaluator"),
            **fields,
        )

    def update(self, ctx, row, changes):
        return services.skill_certificate_update(
            actor=ctx.actor, certificate=row.existing, **changes
        )

    def queryset(self, user):
        return super().queryset(user).select_related("person", "evaluator").order_by("number")

    def export_row(self, c):
        return [
            c.number,
            c.person.id_number,
            c.person.name,
            c.occupation_code,
            c.occupation_name,
            str(c.level),
            c.issued_on,
            c.evaluator.code if c.evaluator else "",
        ]
