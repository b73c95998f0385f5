"""Public JSON verification: GET /api/v1/certificates/verify?number=…&name=… (anonymous).

The same limits and the same uniform miss as /verify/: HTTP 200 with a body that is
identical for every kind of miss, 429 with a Chinese message when limited."""

import datetime

from ninja import Field, Query, Router, Schema, Status

from jigong.public import ratelimit, verification

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
):
    answer = verification.verify(
        ip=ratelimit.client_ip(request), number=number, name=name, channel="public_api"
    )
    if answer.state == "limited":
        return Status(429, {"detail": str(verification.LIMITED_MESSAGE)})
    if answer.state == "challenge":
        return Status(429, {"detail": str(verification.CHALLENGE_MESSAGE)})
    if answer.state == "miss":
        return Status(200, {"found": False, "message": str(verification.MISS_MESSAGE)})
    return Status(200, {"found": True, **answer.result.as_dict()})
