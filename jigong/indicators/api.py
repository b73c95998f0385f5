"""/api/v1/indicators: the catalogue, the targets table and any breakdown, as JSON.

Scoped like the dashboard (every figure starts from restrict(user, "view")); staff
only. Bad input answers 400 with a Chinese message naming the field and value.
"""

from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from jigong.core.permissions import STAFF_ROLES
from jigong.indicators import selectors as S
from jigong.indicators.catalogue import CATALOGUE, Indicator

router = Router(tags=["指标与目标"])


class IndicatorOut(Schema):
    code: str
    name: str
    unit: str
    kind: str = Field(description="count 计数 / ratio 比例（分子÷分母）")
    period: str = Field(description="flow 当年发生 / snapshot 年末时点 / cumulative 累计")
    numerator: str
    denominator: str | None
    sources: list[str]
    clause: str
    target: str | None = Field(description="jigong.policy.rules.TARGETS 的键")
    by_major: bool
    note: str


class RowOut(Schema):
    key: str | int | None
    label: str
    value: float | None = Field(description="比例为0–1的小数；无数据为 null")
    text: str = Field(description="显示文本，无数据为“无数据”")
    numerator: float | None
    denominator: int | None


class BreakdownOut(Schema):
    indicator: IndicatorOut
    year: int
    by: str | None
    rows: list[RowOut]


class TargetOut(Schema):
    indicator: IndicatorOut
    year: int
    actual: float | None
    actual_text: str
    target: float | None
    target_text: str
    clause: str
    status: str | None = Field(
        description="met 达成 / not_met 未达成 / in_progress 进行中（目标期结束后为期末判定）；"
        "区县、学校范围为 null（政策目标均为全市目标，不评判区县或学校）"
    )
    status_label: str
    kind: str = Field(
        default="",
        description="目标类型：每年保持 / 累计 / 期末，含目标期（如“十四五”期间每年保持）",
    )
    figures_scope: str = Field(description="实际值的范围：city 全市 / district 区县 / school 学校")
    share: float | None = Field(
        description="区县、学校范围：实际值占全市目标的比例（0–1，仅数量类指标）；全市为 null"
    )
    trend: list[RowOut]


class ErrorOut(Schema):
    detail: str
    field: str


def _staff(request):
    user = request.auth
    if not (user.is_superuser or user.role in STAFF_ROLES):
        raise HttpError(403, "您的角色无权查看指标数据。")
    return user


def _indicator(ind: Indicator) -> dict:
    return {
        "code": ind.code,
        "name": str(ind.name),
        "unit": str(ind.unit),
        "kind": ind.kind,
        "period": ind.period,
        "numerator": str(ind.numerator),
        "denominator": str(ind.denominator) if ind.denominator else None,
        "sources": list(ind.sources),
        "clause": ind.clause,
        "target": ind.target,
        "by_major": ind.by_major,
        "note": str(ind.note),
    }


def _rows(ind: Indicator, rows) -> list[dict]:
    from jigong.indicators.formatting import show_value

    return [
        {
            "key": r.key,
            "label": r.label,
            "value": r.value,
            "text": show_value(ind, r.value),
            "numerator": r.numerator,
            "denominator": r.denominator,
        }
        for r in rows
    ]


def _figures_scope(user) -> str:
    if S._wide(user):
        return "city"
    return "district" if user.role == "district" else "school"


def _error(exc: S.IndicatorError):
    return Status(400, {"detail": exc.message, "field": exc.field})


@router.get("", response=list[IndicatorOut], summary="指标目录")
def indicator_list(request):
    _staff(request)
    return [_indicator(i) for i in CATALOGUE.values()]


@router.get(
    "/targets", response={200: list[TargetOut], 400: ErrorOut}, summary="目标完成情况（按数据范围）"
)
def targets(request, year: str | None = None):
    from jigong.indicators.formatting import show_target, show_value

    user = _staff(request)
    try:
        y = S.parse_year(year, default=S.latest_year(user=user))
        table = S.targets_table(user=user, year=y)
    except S.IndicatorError as exc:
        return _error(exc)
    return [
        {
            "indicator": _indicator(t.indicator),
            "year": t.year,
            "actual": t.actual,
            "actual_text": show_value(t.indicator, t.actual),
            "target": t.target,
            "target_text": show_target(t.indicator, t.target),
            "clause": t.citation.clause if t.citation else t.indicator.clause,
            "status": t.status,
            "status_label": t.status_label if t.citation else "—",
            "kind": t.kind_label,
            "figures_scope": _figures_scope(user),
            "share": t.share,
            "trend": _rows(t.indicator, t.trend),
        }
        for t in table
    ]


@router.get(
    "/{code}", response={200: BreakdownOut, 400: ErrorOut}, summary="指标值及分组（按数据范围）"
)
def indicator_detail(
    request,
    code: str,
    year: str | None = None,
    by: str | None = None,
    group: str | None = None,
    district: str | None = None,
    tier: str | None = None,
):
    user = _staff(request)
    within = {k: v for k, v in (("group", group), ("district", district), ("tier", tier)) if v}
    try:
        ind = S.indicator(code)
        y = S.parse_year(year, default=S.latest_year(user=user))
        rows = S.compute(code, user=user, year=y, by=by or None, within=within or None)
    except S.IndicatorError as exc:
        return _error(exc)
    return {"indicator": _indicator(ind), "year": y, "by": by or None, "rows": _rows(ind, rows)}
