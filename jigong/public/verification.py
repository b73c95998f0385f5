"""Public verification as the page, the JSON API and the terminal share it: the rate
limits, the uniform miss and the messages."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from jigong.certificates import numbering
from jigong.public import ratelimit
from jigong.public.selectors import VerifiedCertificate, VerifiedSkillCertificate, any_verify

MISS_MESSAGE = _("未查询到与所填证书编号和姓名相符的证书，请核对后重新查询。")
CODE_MISS_MESSAGE = _("未查询到与所填验证码相符的有效核验报告，请核对后重新查询。")
LIMITED_MESSAGE = _("查询过于频繁，请稍后再试。")
CHALLENGE_MESSAGE = _(
    "未命中的查询次数过多：请稍后再试，或在网页 /verify/ 回答验证问题后继续查询。"
)


@dataclass
class Answer:
    state: str  # "found", "miss", "limited", "challenge"
    result: VerifiedCertificate | VerifiedSkillCertificate | None = None


def verify(*, ip: str, number: str, name: str, challenge_passed: bool = False) -> Answer:
    """Answer one query from the client at ``ip``: a graduation certificate, or a
    职业技能等级证书 when the number has that shape (Y/S + 21 digits). Every query counts
    against the client's and the number's windows; a miss also counts toward the challenge."""
    key = numbering.normalise(number)[: numbering.MAX_LENGTH + 1]
    if ratelimit.over_limit(ip, key):
        return Answer("limited")
    if not challenge_passed and ratelimit.challenge_required(ip):
        return Answer("challenge")
    result = any_verify(number=number, name=name)
    if result is None:
        ratelimit.record_miss(ip)
        return Answer("miss")
    return Answer("found", result)


def verify_code(*, ip: str, code: str, challenge_passed: bool = False):
    """Open the report behind an online verification code, under the same limits as a
    number: expired, revoked, unknown and malformed codes are one and the same miss."""
    from jigong.certificates import codes
    from jigong.public.selectors import verification_code_report

    key = "code:" + (codes.normalise(code) or (code or "")[:40])
    if ratelimit.over_limit(ip, key):
        return Answer("limited")
    if not challenge_passed and ratelimit.challenge_required(ip):
        return Answer("challenge")
    report = verification_code_report(code=code)
    if report is None:
        ratelimit.record_miss(ip)
        return Answer("miss")
    return Answer("found", report)
