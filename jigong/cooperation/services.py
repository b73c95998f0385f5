"""Writes on enterprises, cooperation agreements, alliances and pairings."""

from jigong.cooperation.models import (
    Alliance,
    AllianceMember,
    CooperationAgreement,
    Enterprise,
    Pairing,
)
from jigong.core import services as core


def enterprise_create(*, actor, **fields) -> Enterprise:
    return core.create(actor, Enterprise, **fields)


def enterprise_update(*, actor, enterprise: Enterprise, **fields) -> Enterprise:
    return core.update(actor, enterprise, **fields)


def agreement_create(*, actor, **fields) -> CooperationAgreement:
    return core.create(actor, CooperationAgreement, **fields)


def alliance_create(*, actor, **fields) -> Alliance:
    return core.create(actor, Alliance, **fields)


def alliance_member_add(*, actor, alliance: Alliance, **fields) -> AllianceMember:
    return core.create(actor, AllianceMember, alliance=alliance, **fields)


def pairing_create(*, actor, mentor, supported, started_on) -> Pairing:
    return core.create(actor, Pairing, mentor=mentor, supported=supported, started_on=started_on)


def agreement_update(*, actor, agreement: CooperationAgreement, **fields) -> CooperationAgreement:
    return core.update(actor, agreement, **fields)
