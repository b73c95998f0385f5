"""Certificate imports: graduations (毕业/结业 + 毕业证书, by ID number, school code and
issue date) and skill-level certificates (职业技能等级证书, by certificate number)."""

import datetime

from django.core.exceptions import ValidationError

from jigong.certificates import numbering, services
from jigong.certificates.models import (
    CertificateStatus,
    GraduationCertificate,
    Outcome,
    SkillCertificate,
    SkillLevel,
)
from jigong.core import acts, pii
from jigong.core.imports.base import Column, ImportKind, register
from jigong.core.models import Duty
from jigong.standards import skillcert
from jigong.standards.errors import StandardError
from jigong.students.imports import ID, check_id, prepare_registrations, registrations_at
from jigong.students.services import person_for_enrolment
from jigong.training.imports import OCCUPATION, check_occupation


@register
class SkillCertificateImport(ImportKind):
    key = "skill_certificates"
    duty = Duty.CERTIFICATES
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
            if c is not None and bytes(c.person.id_number_hmac) != pii.digest(
                row.values["id_number"] or ""
            ):
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
        # the holder created (when new) inside the act: its role check first, one audit code
        with acts.performing("skill_certificate.register", ctx.actor):
            person = person_for_enrolment(actor=ctx.actor, id_number=v["id_number"], name=v["name"])
            return services.skill_certificate_create(
                actor=ctx.actor, person=person, number=v["number"], **self.values(row)
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


@register
class GraduationImport(ImportKind):
    """One row per graduate: the registration (ID number + school, 入学日期 when the
    student has several there) graduates or completes on the issue date and receives a
    certificate whose number the system assigns. Re-importing the same row changes
    nothing; a 毕业 row for a 结业 student exchanges the 结业证书 (after 补考)."""

    key = "graduations"
    duty = Duty.CERTIFICATES
    label = "毕业（结业）发证"
    model = GraduationCertificate
    order = 110
    key_columns = ("id_number", "school", "outcome")
    columns = [
        ID,
        Column(
            "name", "姓名", required=False, max_length=32, rule="填写时须与学籍一致", example="陈一"
        ),
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
            "outcome",
            "类别",
            required=False,
            choices=Outcome,
            rule="不填为毕业；结业学生补考合格后再导入“毕业”即换发毕业证书",
            example=Outcome.GRADUATED.label,
            fields=("outcome",),
        ),
        Column(
            "issued_on",
            "发证日期",
            "date",
            rule="学制期满（入学日期+学制，秋季入学者可自当年6月起）后、不得晚于今天",
            example=datetime.date(2025, 6, 30),
        ),
        Column(
            "number",
            "证书编号",
            "code",
            required=False,
            rule=(
                "新发证时留空，由系统按编号规则生成；填写时须为该证书的编号（以发证年份、"
                "本校学校代码和班级层次开头，且未被使用），导出的文件可原样导回"
            ),
            example="",
        ),
        Column(
            "status",
            "证书状态",
            required=False,
            choices=CertificateStatus,
            rule=(
                "不填为有效；导出的已撤销、已补发换证证书可原样导回（在空库中按撤销、补发、"
                "换发办理）；撤销或补发已有证书请在证书页办理"
            ),
            example=CertificateStatus.VALID.label,
            fields=("status",),
        ),
        Column(
            "revoked_on",
            "撤销或换证日期",
            "date",
            required=False,
            rule="证书状态为已撤销或已补发换证时必填，否则留空",
            example="",
            fields=("revoked_on", "on"),
        ),
        Column(
            "revoked_reason",
            "撤销或换证原因",
            required=False,
            max_length=128,
            rule="证书状态为已撤销或已补发换证时必填，否则留空",
            example="",
            fields=("revoked_reason", "reason"),
        ),
    ]

    def resolve(self, ctx, row):
        v = row.values
        v["outcome"] = v["outcome"] or Outcome.GRADUATED
        v["status"] = v["status"] or CertificateStatus.VALID
        self._check_status(row)
        v["id_number"] = check_id(row, self.column("id_number"))
        if v["number"]:
            try:
                numbering.check(v["number"])  # the one rule, as every write checks it
            except numbering.NumberError as exc:
                row.error(self.column("number"), v["number"], exc.detail)
                v["number"] = None  # said once: find_existing need not compare it
        school = v["school"] = ctx.school(row, self.column("school"), v["school"])
        if school is None or v["id_number"] is None:
            return
        regs = registrations_at(ctx, v["id_number"], school, v["enrolled_on"] or None)
        if not regs:
            row.error(self.column("id_number"), v["id_number"], "该学生在本校没有学籍")
        elif len(regs) > 1:
            row.error(
                self.column("enrolled_on"), "", "该学生在本校有多条学籍：请填写入学日期以确定学籍"
            )
        else:
            reg = v["registration"] = regs[0]
            if v["name"] and v["name"] != reg.person.name:
                row.error(
                    self.column("name"),
                    v["name"],
                    f"与学籍姓名“{reg.person.name}”不一致",
                )

    def _check_status(self, row):
        """A valid row names no end; an ended (revoked or replaced) row names its
        number, date and reason: it is a certificate of the register being carried over."""
        v = row.values
        ended = v["status"] != CertificateStatus.VALID
        label = CertificateStatus(v["status"]).label
        for name in ("revoked_on", "revoked_reason"):
            column = self.column(name)
            if ended and not v[name]:
                row.error(column, "", f"证书状态为“{label}”时必填")
            elif not ended and v[name]:
                row.error(column, v[name], "证书状态为“有效”时应留空")
        if ended and not v["number"] and not row.errors:
            row.error(self.column("number"), "", f"证书状态为“{label}”时须填写证书编号")

    def prepare(self, ctx, rows):
        prepare_registrations(ctx, rows)

    def natural_key(self, row):
        v = row.values
        return (v["registration"].pk, v["outcome"], v["number"] or "")

    def find_existing(self, ctx, rows):
        regs = [r.values["registration"].pk for r in rows]
        numbers = [r.values["number"] for r in rows if r.values["number"]]
        found, by_number = {}, {}
        for i in range(0, len(regs), 500):
            for c in GraduationCertificate.objects.filter(
                registration_id__in=regs[i : i + 500], status=CertificateStatus.VALID
            ):
                found[(c.registration_id, c.outcome)] = c
        for i in range(0, len(numbers), 500):
            for c in GraduationCertificate.objects.filter(number__in=numbers[i : i + 500]):
                by_number[c.number] = c
        replaced = {}  # (registration, outcome) → the row of a replaced certificate before
        for row in rows:
            v = row.values
            key = (v["registration"].pk, v["outcome"])
            if v["number"] and v["number"] in by_number:
                c = row.existing = by_number[v["number"]]
                if c.registration_id != v["registration"].pk:
                    row.error(self.column("number"), v["number"], "该证书编号已属于其他学籍")
                continue
            c = found.get(key) if not v["number"] else None
            row.existing = c
            # A new certificate keeps a given number (an exported register imported into
            # an empty database): the service checks it is this certificate's form, free.
            # After a replaced certificate of the same registration it is the 补发 (or,
            # 毕业 after a replaced 结业证书, the 换发) that ended it.
            prior = replaced.pop(key, None)
            if prior is not None:
                v["replaces"] = prior
            elif v["outcome"] == Outcome.GRADUATED:
                prior = replaced.pop((key[0], Outcome.COMPLETED), None)
            current = found.get(key)
            if v["number"] and current is not None and prior is None:
                row.error(
                    self.column("number"),
                    v["number"],
                    f"该学籍已发证，有效证书编号为{current.number}：已发证的须与之一致",
                )
            if v["status"] == CertificateStatus.REPLACED:
                replaced[key] = row
        for row in replaced.values():
            row.error(
                self.column("status"),
                CertificateStatus.REPLACED.label,
                "已补发换证的证书须与补发或换发后的证书在同一文件中（排在其后）导入",
            )

    def values(self, row):
        v = row.values
        return {
            "issued_on": v["issued_on"],
            "status": v["status"],
            "revoked_on": v["revoked_on"] or None,
            "revoked_reason": v["revoked_reason"] or "",
        }

    def create(self, ctx, row):
        v = row.values
        prior = v.get("replaces")
        if prior is not None:  # 补发: ends the certificate of the row before
            p = prior.values
            if p["revoked_on"] != v["issued_on"]:
                raise ValidationError(
                    {
                        "issued_on": [
                            f"补发证书的发证日期须与原证书{p['number']}的换证日期"
                            f"“{p['revoked_on']}”一致"
                        ]
                    }
                )
            cert = services.reissue(
                actor=ctx.actor,
                certificate=GraduationCertificate.objects.get(number=p["number"]),
                reason=p["revoked_reason"],
                on=v["issued_on"],
                number=v["number"],
            )
        else:
            cert = services.graduate(
                actor=ctx.actor,
                registration=v["registration"],
                issued_on=v["issued_on"],
                outcome=v["outcome"],
                number=v["number"],
            )
        if v["status"] == CertificateStatus.REVOKED:
            services.revoke(
                actor=ctx.actor, certificate=cert, reason=v["revoked_reason"], on=v["revoked_on"]
            )
        return cert

    def update(self, ctx, row, changes):
        field = "status" if "issued_on" not in changes else "issued_on"
        raise ValidationError(
            {
                field: [
                    f"证书编号{row.existing.number}（{row.existing.get_status_display()}，"
                    f"{row.existing.issued_on}发证）与本行不一致：已发证书不能通过导入修改，"
                    "撤销、补发或换发请在证书页办理"
                ]
            }
        )

    def queryset(self, user):
        return (
            super()
            .queryset(user)
            .select_related("registration__person", "school")
            .order_by("school__code", "issued_on", "number")
        )

    def export_row(self, c):
        reg = c.registration
        return [
            reg.person.id_number,
            reg.person.name,
            c.school.code,
            reg.enrolled_on,
            c.outcome,
            c.issued_on,
            c.number,
            c.status,
            c.revoked_on,
            c.revoked_reason,
        ]
