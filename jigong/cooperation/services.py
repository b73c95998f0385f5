"""Writes on enterprises, cooperation agreements, alliances and pairings: each one act
(jigong.core.acts)."""

import datetime

from django.utils.translation import gettext_lazy as _lazy

from jigong.cooperation.models import (
    Alliance,
    AllianceMember,
    CooperationAgreement,
    Enterprise,
    Pairing,
)
from jigong.core import services as core
from jigong.core.acts import ALL_STAFF, MUNICIPAL, UNSET, Unset, act, given


@act(
    "enterprise.register",
    label=_lazy("登记企业"),
    roles=ALL_STAFF,
    model="cooperation.enterprise",
    clause="（十二）",
    channels=("import", "admin"),
    event="create",
)
def enterprise_create(
    *,
    actor,
    credit_code: str,
    name: str,
    district=None,
    industry_chain=None,
    is_integration_enterprise: bool = False,
) -> Enterprise:
    """An enterprise in the shared register (every staff role may add one)."""
    return core.create(
        actor,
        Enterprise,
        credit_code=credit_code,
        name=name,
        district=district,
        industry_chain=industry_chain,
        is_integration_enterprise=is_integration_enterprise,
    )


@act(
    "enterprise.update",
    label=_lazy("修改企业信息"),
    roles=MUNICIPAL,
    model="cooperation.enterprise",
    clause="（十二）",
    channels=("import", "admin"),
)
def enterprise_update(
    *,
    actor,
    enterprise: Enterprise,
    name: str | Unset = UNSET,
    district=UNSET,
    industry_chain=UNSET,
    is_integration_enterprise: bool | Unset = UNSET,
) -> Enterprise:
    """The shared register is corrected by the municipal bureau; the 统一社会信用代码 is
    the enterprise's key and is not changed here."""
    return core.update(
        actor,
        enterprise,
        **given(
            name=name,
            district=district,
            industry_chain=industry_chain,
            is_integration_enterprise=is_integration_enterprise,
        ),
    )


@act(
    "agreement.register",
    label=_lazy("登记校企合作协议"),
    roles=ALL_STAFF,
    model="cooperation.cooperationagreement",
    clause="（十二）",
    channels=("import", "admin"),
    event="create",
)
def agreement_create(
    *,
    actor,
    school,
    enterprise: Enterprise,
    kind: str,
    title: str,
    started_on: datetime.date,
    ended_on: datetime.date | None = None,
) -> CooperationAgreement:
    return core.create(
        actor,
        CooperationAgreement,
        school=school,
        enterprise=enterprise,
        kind=kind,
        title=title,
        started_on=started_on,
        ended_on=ended_on,
    )


@act(
    "agreement.update",
    label=_lazy("修改校企合作协议"),
    roles=ALL_STAFF,
    model="cooperation.cooperationagreement",
    clause="（十二）",
    channels=("import", "admin"),
)
def agreement_update(
    *,
    actor,
    agreement: CooperationAgreement,
    kind: str | Unset = UNSET,
    title: str | Unset = UNSET,
    started_on: datetime.date | Unset = UNSET,
    ended_on: datetime.date | Unset | None = UNSET,
) -> CooperationAgreement:
    """The agreement's terms; its school and enterprise are the agreement itself."""
    return core.update(
        actor,
        agreement,
        **given(kind=kind, title=title, started_on=started_on, ended_on=ended_on),
    )


@act(
    "alliance.register",
    label=_lazy("登记技工教育联盟"),
    roles=MUNICIPAL,
    model="cooperation.alliance",
    clause="（十二）",
    channels=("admin",),
    event="create",
)
def alliance_create(*, actor, name: str, lead_kind: str, founded_on: datetime.date) -> Alliance:
    """An alliance; one founded within “十四五” beyond （十二）'s upper end (组建3—5个:
    ``targets.alliances_max``) is refused, naming the cap and the count."""
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from jigong.policy import rules

    with transaction.atomic():
        period = (
            rules.alliance_period(founded_on) if isinstance(founded_on, datetime.date) else None
        )
        if period is not None:
            # one at a time: the count stays true until the row is written
            within = {"founded_on__range": (period["start"], period["end"])}
            list(Alliance.objects.select_for_update().filter(**within))
            founded = Alliance.objects.filter(**within).count()
            try:
                rules.check_alliance_cap(founded, founded_on)
            except rules.PolicyViolation as exc:
                raise ValidationError({exc.field: [exc.message]}) from exc
        return core.create(actor, Alliance, name=name, lead_kind=lead_kind, founded_on=founded_on)


@act(
    "alliance.add_member",
    label=_lazy("联盟成员加入"),
    roles=MUNICIPAL,
    model="cooperation.alliancemember",
    clause="（十二）",
    channels=("admin",),
    event="create",
)
def alliance_member_add(
    *,
    actor,
    alliance: Alliance,
    joined_on: datetime.date,
    school=None,
    enterprise: Enterprise | None = None,
) -> AllianceMember:
    """A member school or enterprise (at least one of them, checked by the model)."""
    return core.create(
        actor,
        AllianceMember,
        alliance=alliance,
        school=school,
        enterprise=enterprise,
        joined_on=joined_on,
    )


@act(
    "pairing.create",
    label=_lazy("结对帮扶"),
    roles=MUNICIPAL,
    model="cooperation.pairing",
    clause="（十五）",
    channels=("admin",),
    event="create",
)
def pairing_create(*, actor, mentor, supported, started_on: datetime.date) -> Pairing:
    """A 主城都市区 school supports a school of the two 群 (checked by the model)."""
    return core.create(actor, Pairing, mentor=mentor, supported=supported, started_on=started_on)
