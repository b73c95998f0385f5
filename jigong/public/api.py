"""Public JSON verification: GET /api/v1/certificates/verify?number=…&name=… (anonymous),
and GET /api/v1/certificates/verify-qr?payload=… (a QR payload's verdict, as /verify/qr/).

The same limits and the same uniform miss as /verify/: HTTP 200 with a body that is
identical for every kind of miss, 429 with a Chinese message when limited."""

import datetime

from ninja import Field, Query, Router, Schema, Status

from jigong.certificates import qr, signing
from jigong.public import challenge, offline, ratelimit, verification

router = Router(tags=["证书查询"])


class SkillLinkOut(Schema):
    number: str
    occupation_name: str
    level: int
    level_label: str
    issued_on: datetime.date
    evaluator: str = ""


class GraduationLinkOut(Schema):
    number: str
    school: str
    level_label: str
    outcome_label: str
    issued_on: datetime.date
    status_label: str


class VerifiedOut(Schema):
    found: bool = True
    kind: str = Field("graduation", description="graduation 毕业证书")
    number: str
    holder: str = Field(description="姓名（部分隐藏）")
    id_number: str = Field(description="身份证号（部分隐藏）")
    school: str
    school_tier: str
    major: str
    level: str
    level_label: str
    outcome: str
    outcome_label: str
    track_label: str
    study_from: datetime.date
    study_months: int
    issued_on: datetime.date
    status: str = Field(description="valid 有效 / revoked 已撤销 / replaced 已补发换证")
    status_label: str
    ended_on: datetime.date | None = None
    ended_reason: str = ""
    equivalence: str = Field("", description="对应学历：中专 / 大专 / 本科；不适用时为空")
    equivalence_uses: list[str] = []
    skill_certificates: list[SkillLinkOut] = Field(
        [], description="持证人的职业技能等级证书（互联互认）"
    )


class SkillVerifiedOut(Schema):
    found: bool = True
    kind: str = Field("skill", description="skill 职业技能等级证书")
    number: str
    holder: str = Field(description="姓名（部分隐藏）")
    id_number: str = Field(description="身份证号（部分隐藏）")
    occupation_code: str
    occupation_name: str
    level: int
    level_label: str
    issued_on: datetime.date
    evaluator: str = ""
    graduation_certificates: list[GraduationLinkOut] = Field(
        [], description="持证人的技工院校毕业证书（互联互认）"
    )


class MissOut(Schema):
    found: bool = False
    message: str


class LimitedOut(Schema):
    detail: str


class InvalidOut(Schema):
    detail: str | list[dict] = Field(
        description="中文说明（字段、取值、规则）；请求格式错误时为逐项错误列表"
    )


@router.get(
    "/verify",
    auth=None,
    response={200: VerifiedOut | SkillVerifiedOut | MissOut, 422: InvalidOut, 429: LimitedOut},
    summary="证书查询（按证书编号和姓名；毕业证书或职业技能等级证书）",
    operation_id="certificates_verify",
)
def certificate_verify(
    request,
    number: str = Query(
        ..., max_length=64, description="证书编号（毕业证书，或职业技能等级证书：Y/S加21位数字）"
    ),
    name: str = Query(..., max_length=64, description="持证人完整姓名"),
    altcha: str = Query(
        "",
        max_length=challenge.MAX_PAYLOAD,
        description="人机验证（仅在答复要求时）：解答 /api/v1/certificates/challenge 的题目"
        "（ALTCHA 工作量证明），以 base64 的 {challenge, solution} 提交；每题只能使用一次",
    ),
):
    ip = ratelimit.client_ip(request)
    passed = bool(altcha) and verification.challenge_due(ip, number) and challenge.passed(altcha)
    answer = verification.verify(
        ip=ip, number=number, name=name, challenge_passed=passed, channel="public_api"
    )
    if answer.state == "limited":
        return Status(429, {"detail": str(verification.LIMITED_MESSAGE)})
    if answer.state == "challenge":
        return Status(429, {"detail": str(verification.CHALLENGE_MESSAGE)})
    if answer.state == "miss":
        return Status(200, {"found": False, "message": str(verification.MISS_MESSAGE)})
    return Status(200, {"found": True, **answer.result.as_dict()})


class QrVerdictOut(Schema):
    verdict: str = Field(
        description="valid 有效 / invalid 无效 / revoked 已撤销或已补发换证 / unknown 未知"
    )
    verdict_label: str
    reason: str = Field(description="中文说明")
    kid: str = Field("", description="签名密钥编号")
    number: str = ""
    holder: str = Field("", description="姓名（部分隐藏，二维码所载）")
    school_code: str = ""
    school: str = ""
    level_label: str = ""
    outcome_label: str = ""
    issued_on: datetime.date | None = None
    mismatched: list[str] = Field([], description="与平台记录不符的字段")
    status: str = Field("", description="证书当前状态：valid / revoked / replaced")
    status_label: str = ""
    ended_on: datetime.date | None = None
    ended_reason: str = ""


@router.get(
    "/verify-qr",
    auth=None,
    response={200: QrVerdictOut, 422: InvalidOut, 429: LimitedOut, 503: LimitedOut},
    summary="证书二维码核验（签名、密钥状态，并与平台记录核对）",
    operation_id="certificates_verify_qr",
)
def certificate_verify_qr(
    request,
    payload: str = Query(
        ..., max_length=qr.MAX_TEXT, description="扫描证书二维码得到的文字（JG…，或 ?p=… 的地址）"
    ),
):
    """The same verdict as /verify/qr/ and `jigong verify --qr`, under the same limit."""
    limit = ratelimit.setting("JIGONG_VERIFY_RATE_PER_IP")
    if ratelimit.hit("qr", ratelimit.client_ip(request), limit) > limit[0]:
        return Status(429, {"detail": str(verification.LIMITED_MESSAGE)})
    try:
        verdict = offline.judge(payload)
    except signing.SigningError as exc:
        return Status(503, {"detail": exc.message})  # the platform's key store is unreadable
    return Status(200, verdict.as_dict())


class ChallengeOut(Schema):
    parameters: dict = Field(description="ALTCHA PoW v2 题目参数（PBKDF2/SHA-256）")
    signature: str


@router.get(
    "/challenge",
    auth=None,
    response={200: ChallengeOut},
    summary="人机验证题目（ALTCHA 工作量证明，查询需要验证时使用）",
    operation_id="certificates_verify_challenge",
)
def verify_challenge(request):
    """A fresh signed challenge: solve it (altcha's ``solve_challenge`` or the widget) and
    pass the base64 payload as ``altcha`` to /verify. Expires; accepted once."""
    return Status(200, challenge.new())
