"""Enterprises (by 统一社会信用代码) and cooperation agreements."""

import datetime

from jigong.cooperation import services
from jigong.cooperation.models import CooperationAgreement, CooperationKind, Enterprise
from jigong.core.imports.base import Column, ImportKind, register
from jigong.schools.imports import check_credit_code


@register
class EnterpriseImport(ImportKind):
    key = "enterprises"
    label = "企业"
    model = Enterprise
    order = 20
    key_columns = ("credit_code",)
    columns = [
        Column(
            "credit_code",
            "统一社会信用代码",
            "code",
            rule="GB 32100：18位，校验码正确；导入时按此匹配",
            example="91500000MA5U000000",
        ),
        Column("name", "企业名称", max_length=128, example="重庆示例汽车有限公司"),
        Column("district", "区县代码", "code", required=False, example="500112"),
        Column(
            "chain",
            "产业链代码",
            "code",
            required=False,
            rule="所属产业链代码",
            example="",
            fields=("industry_chain",),
        ),
        Column(
            "is_integration_enterprise",
            "产教融合型企业",
            "bool",
            required=False,
            example="否",
        ),
    ]

    def resolve(self, ctx, row):
        v = row.values
        v["credit_code"] = check_credit_code(row, self.column("credit_code"))
        v["district"] = ctx.district(row, self.column("district"), v["district"])
        if v["chain"]:
            chain = ctx.chains().get(v["chain"])
            if chain is None:
                row.error(self.column("chain"), v["chain"], "产业链代码不存在")
            v["chain"] = chain

    def natural_key(self, row):
        return (row.values["credit_code"],)

    def find_existing(self, ctx, rows):
        found = ctx.enterprises()
        for row in rows:
            row.existing = found.get(row.values["credit_code"])

    def values(self, row):
        v = row.values
        return {
            "name": v["name"],
            "district": v["district"],
            "industry_chain": v["chain"],
            "is_integration_enterprise": bool(v["is_integration_enterprise"]),
        }

    def create(self, ctx, row):
        e = services.enterprise_create(
            actor=ctx.actor, credit_code=row.values["credit_code"], **self.values(row)
        )
        ctx.enterprises()[e.credit_code] = e
        return e

    def update(self, ctx, row, changes):
        return services.enterprise_update(actor=ctx.actor, enterprise=row.existing, **changes)

    def queryset(self, user):
        return (
            super()
            .queryset(user)
            .select_related("district", "industry_chain")
            .order_by("credit_code")
        )

    def export_row(self, e):
        return [
            e.credit_code,
            e.name,
            e.district.code if e.district else "",
            e.industry_chain.code if e.industry_chain else "",
            e.is_integration_enterprise,
        ]


@register
class AgreementImport(ImportKind):
    key = "agreements"
    label = "校企合作协议"
    model = CooperationAgreement
    order = 90
    # A school may renew an agreement with the same enterprise, form and title: the start
    # date tells the agreements apart (the full demo world has 38 such renewals).
    key_columns = ("school", "enterprise", "kind", "title", "started_on")
    columns = [
        Column("school", "学校代码", "code", example="T0001"),
        Column(
            "enterprise",
            "企业统一社会信用代码",
            "code",
            rule="企业须已在企业名录中（可先导入企业）",
            example="91500000MA5U000000",
            aliases=("统一社会信用代码", "合作企业信用代码"),
        ),
        Column(
            "kind", "合作形式", choices=CooperationKind, example=CooperationKind.ORDER_CLASS.label
        ),
        Column("title", "项目名称", max_length=128, example="示例汽车订单班"),
        Column(
            "started_on",
            "开始日期",
            "date",
            rule="与学校、企业、合作形式和项目名称一起确定一份协议（续签的协议开始日期不同）",
            example=datetime.date(2024, 9, 1),
        ),
        Column(
            "ended_on",
            "结束日期",
            "date",
            required=False,
            rule="不得早于开始日期",
            example=datetime.date(2027, 7, 1),
        ),
    ]

    def resolve(self, ctx, row):
        v = row.values
        v["school"] = ctx.school(row, self.column("school"), v["school"])
        if v["enterprise"]:
            e = ctx.enterprises().get(v["enterprise"])
            if e is None:
                row.error(
                    self.column("enterprise"), v["enterprise"], "企业不在企业名录中：请先导入企业"
                )
            v["enterprise"] = e

    def natural_key(self, row):
        v = row.values
        return (v["school"].pk, v["enterprise"].pk, v["kind"], v["title"], v["started_on"])

    def find_existing(self, ctx, rows):
        found = {
            (a.school_id, a.enterprise_id, a.kind, a.title, a.started_on): a
            for a in CooperationAgreement.objects.filter(
                school_id__in={r.values["school"].pk for r in rows}
            )
        }
        for row in rows:
            row.existing = found.get(row.key)

    def values(self, row):
        return {"ended_on": row.values["ended_on"]}

    def create(self, ctx, row):
        v = row.values
        return services.agreement_create(
            actor=ctx.actor,
            school=v["school"],
            enterprise=v["enterprise"],
            kind=v["kind"],
            title=v["title"],
            started_on=v["started_on"],
            ended_on=v["ended_on"],
        )

    def update(self, ctx, row, changes):
        return services.agreement_update(actor=ctx.actor, agreement=row.existing, **changes)

    def queryset(self, user):
        return (
            super()
            .queryset(user)
            .select_related("school", "enterprise")
            .order_by("school__code", "started_on", "id")
        )

    def export_row(self, a):
        return [a.school.code, a.enterprise.credit_code, a.kind, a.title, a.started_on, a.ended_on]
