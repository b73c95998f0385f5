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
    "需要人机验证：未命中的查询次数过多。请在网页 /verify/ 完成人机验证后查询，"
    "或从 /api/v1/certificates/challenge 取得验证题目，解答后以参数 altcha 提交。"
)


@dataclass
class Answer:
    state: str  # "found", "miss", "limited", "challenge"
    result: VerifiedCertificate | VerifiedSkillCertificate | None = None


_CONTROL = dict.fromkeys(range(32))


def _clean(text: str, n: int) -> str:
    return (text or "")[: n * 2].translate(_CONTROL)[:n]


def log(*, channel: str, ip: str, number: str, name: str, answer: Answer) -> None:
    """One query-log row for an anonymous query (every query is logged, （十八））; the
    result column is "found" only for a found certificate or report."""
    from django.utils import timezone

    from jigong.core import pii
    from jigong.public import services
    from jigong.public.selectors import normalise_name

    kind = getattr(answer.result, "kind", "") or ("code" if answer.result is not None else "")
    services.query_log_write(
        [
            (
                timezone.now(),
                None,
                str(_("公众")),
                _clean(ip, 45),
                channel,
                kind if answer.state == "found" else answer.state,
                _clean(number, 40),
                _clean(pii.mask_name(normalise_name(name)), 40),
                answer.state == "found",
                "",
            )
        ]
    )


def verify(
    *, ip: str, number: str, name: str, challenge_passed: bool = False, channel: str = ""
) -> Answer:
    """Answer one query from the client at ``ip``: a graduation certificate, or a
    职业技能等级证书 when the number has that shape (Y/S + 21 digits). Every query counts
    against the client's and the number's windows; a miss also counts toward the challenge.
    With ``channel`` the query is written to the query log."""
    answer = _verify(ip=ip, number=number, name=name, challenge_passed=challenge_passed)
    if channel:
        log(channel=channel, ip=ip, number=number, name=name, answer=answer)
    return answer


def _verify(*, ip: str, number: str, name: str, challenge_passed: bool) -> Answer:
    key = numbering.normalise(number)[: numbering.MAX_LENGTH + 1]
    return _answer(ip, key, challenge_passed, lambda: any_verify(number=number, name=name))


def _answer(ip: str, key: str, challenge_passed: bool, look_up) -> Answer:
    """The limits around one look-up (ratelimit: "public verification"): a query refused
    or asked the challenge counts nothing."""
    if ratelimit.begin(ip, key) == "limited":
        return Answer("limited")
    if not challenge_passed and ratelimit.challenge_due(ip, key):
        ratelimit.release(ip, key)
        return Answer("challenge")
    result = look_up()
    ratelimit.settle(ip, key, found=result is not None)
    return Answer("miss") if result is None else Answer("found", result)


def challenge_due(ip: str, number: str = "") -> bool:
    """Whether the page should show the challenge for this client (and number)."""
    key = numbering.normalise(number)[: numbering.MAX_LENGTH + 1] if number else ""
    return ratelimit.challenge_due(ip, key)


def verify_code(*, ip: str, code: str, challenge_passed: bool = False):
    """Open the report behind an online verification code, under the same limits as a
    number: expired, revoked, unknown and malformed codes are one and the same miss."""
    from jigong.certificates import codes
    from jigong.public.selectors import verification_code_report

    key = "code:" + (codes.normalise(code) or (code or "")[:40])
    return _answer(ip, key, challenge_passed, lambda: verification_code_report(code=code))
