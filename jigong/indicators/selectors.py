"""Reads of indicators: one mechanism for every indicator and every breakdown.

    compute(code, *, user, year, by=None | "year" | "group" | "district" | "tier"
            | "school" | "major", within=None) -> list[Row]

Every figure starts from ``restrict(user, "view")`` (the indicator's query, and the
schools the roll-up may show), so the municipal bureau gets the city, a district bureau
its district and a school its school. Each indicator is computed once at school grain
(or major grain) for the run of trend years, cached per (user scope, years), and rolled
up here:

- a ratio is Σ numerator ÷ Σ denominator; a zero denominator gives ``None`` (无数据);
- a count with no matching row in the whole scope and year is ``None`` (无数据), as is
  every figure of a group with no school in the scope (a district with no schools) and
  of a year after the current one.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from jigong.core import params
from jigong.core.choices import RegionGroup, Tier
from jigong.core.models import Role
from jigong.core.permissions import restrict
from jigong.indicators import cache
from jigong.indicators.catalogue import (
    CATALOGUE,
    TARGET_INDICATORS,
    Indicator,
    as_of,
    today,
    trend_years,
    year_end,
)
from jigong.policy import rules

BREAKDOWNS = ("year", "group", "district", "tier", "school", "major")
BREAKDOWN_LABELS = {
    None: "合计",
    "year": "年度",
    "group": "一区两群",
    "district": "区县",
    "tier": "学校层级",
    "school": "学校",
    "major": "专业",
}
STATUS_LABELS = {
    "met": "达成",
    "not_met": "未达成",
    "in_progress": "进行中",
    "ended": "目标期已结束",
}
NO_DATA = "无数据"


class IndicatorError(ValueError):
    """Bad input to ``compute``: ``message`` is Chinese and names the field and value."""

    def __init__(self, field_name: str, value, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.value = value
        self.message = message


@dataclass(frozen=True)
class Row:
    key: str | int | None  # school/district code, group/tier value, major id, year
    label: str
    value: int | float | None
    numerator: int | float | None = None
    denominator: int | None = None
    meta: dict = field(default_factory=dict, compare=False)  # group/district/tier of the row


# --- inputs ------------------------------------------------------------------------


def indicator(code: str) -> Indicator:
    try:
        return CATALOGUE[code]
    except KeyError:
        raise IndicatorError(
            "indicator", code, _("指标“%(c)s”不存在：请从指标目录中选择") % {"c": code}
        ) from None


def parse_year(value, *, default: int | None = None) -> int:
    """A statistical year from user input (settings.JIGONG_YEARS), or a Chinese error
    naming it."""
    if value in (None, ""):
        if default is None:
            raise IndicatorError("year", value, _("年度不能为空"))
        return default
    try:
        year = int(str(value).strip())
    except ValueError:
        raise IndicatorError(
            "year", value, _("年度“%(v)s”不是有效年份：应为四位数字，如2025") % {"v": value}
        ) from None
    lo, hi = params.year_range()
    if not lo <= year <= hi:
        raise IndicatorError(
            "year",
            value,
            _("年度“%(v)s”超出范围：应在%(lo)s至%(hi)s之间") % {"v": value, "lo": lo, "hi": hi},
        )
    return year


def _check_by(ind: Indicator, by):
    if by is not None and by not in BREAKDOWNS:
        choices = "、".join(f"{b}（{BREAKDOWN_LABELS[b]}）" for b in BREAKDOWNS)
        raise IndicatorError(
            "by", by, _("分组方式“%(b)s”无效：应为%(c)s") % {"b": by, "c": choices}
        )
    if by == "major" and not ind.by_major:
        raise IndicatorError(
            "by",
            by,
            _("指标“%(n)s”不按专业统计：请选择其他分组方式") % {"n": ind.name},
        )


# --- school dimension and grain ----------------------------------------------------


def schools_in_scope(*, user) -> list[dict]:
    """The schools the user may see, with their district, group and tier."""
    from jigong.schools.models import School

    def load():
        return list(
            restrict(user, School, "view")
            .order_by("code")
            .values(
                "id",
                "code",
                "name",
                "tier",
                "district_id",
                "district__code",
                "district__name",
                "district__group",
            )
        )

    return cache.get_or_compute((cache.scope_key(user), "schools"), load)


def _districts_in_scope(user, schools) -> list[dict]:
    """Districts a breakdown lists: all of them for the city (so a district without
    schools shows 无数据), the user's own district for a district bureau, the school's
    district for a school."""
    from jigong.reference.models import District

    ids = sorted({s["district_id"] for s in schools})

    def load():
        if user.is_superuser or user.role == Role.MUNICIPAL:
            qs = restrict(user, District, "view")
        elif user.role == Role.DISTRICT:
            qs = restrict(user, District, "view").filter(pk=user.district_id)
        else:
            qs = restrict(user, District, "view").filter(pk__in=ids)
        return list(qs.order_by("code").values("id", "code", "name", "group"))

    if user.is_superuser or user.role in (Role.MUNICIPAL, Role.DISTRICT):
        ids = []  # independent of the schools
    return cache.get_or_compute((cache.scope_key(user), "districts", *ids), load)


def window(year: int) -> tuple[int, ...]:
    """The years computed together with ``year`` (its trend), up to the current year."""
    years = sorted(set(trend_years(year)) | {year})
    return tuple(y for y in years if y <= today().year)


def grain(ind: Indicator, *, user, years: tuple[int, ...], dim: str = "school") -> dict:
    """{year: {school id (or major id): (numerator, denominator)}} for ``years``."""

    def load():
        if not years:
            return {}
        if ind.family is not None:
            return _family(ind.family, user=user, years=years, dim=dim)[ind.code]
        if ind.grain is not None:
            return ind.grain(user, list(years), dim)
        key = ind.school_path if dim == "school" else ind.major_path
        out: dict[int, dict] = {y: {} for y in years}
        for row in ind.query(user, list(years), dim):
            k = row[key]
            for y in years:
                n = row.get(f"n{y}")
                d = row.get(f"d{y}") if ind.is_ratio else None
                if n is None and d is None and f"n{y}" not in row:
                    continue
                out[y][k] = (n or 0, d or 0)
        return out

    return cache.get_or_compute((cache.scope_key(user), ind.code, dim, *years), load)


def _family(name: str, *, user, years: tuple[int, ...], dim: str) -> dict:
    """Every member of a family of indicators from one query (families.py)."""
    from jigong.indicators import families

    def load():
        members = [
            i
            for i in CATALOGUE.values()
            if i.family == name and (dim == "school" or i.major_path is not None)
        ]
        return families.compute(name, members, user=user, years=list(years), dim=dim)

    return cache.get_or_compute((cache.scope_key(user), "family", name, dim, *years), load)


def _add(a, b):
    if a is None:
        return b
    if b is None:
        return a
    if isinstance(a, set):
        return a | b
    return a + b


def _number(x):
    if isinstance(x, set):
        return len(x)
    if isinstance(x, Decimal):
        return float(x)
    return x


def _row(ind: Indicator, key, label, num, den, *, empty: bool, meta=None) -> Row:
    meta = meta or {}
    if empty:
        return Row(key, label, None, None, None, meta)
    num = _number(num) if num is not None else 0
    if ind.is_ratio:
        den = den or 0
        value = (num / den) if den else None
        return Row(key, label, value, num, den, meta)
    return Row(key, label, num, num, None, meta)


def _totals(ind: Indicator, cells: dict, ids) -> tuple:
    num = den = None
    for i in ids:
        cell = cells.get(i)
        if cell is not None:
            num, den = _add(num, cell[0]), _add(den, cell[1])
    return num, den


def _year_has_data(ind: Indicator, cells: dict, ids) -> bool:
    """A count with no row at all in the scope is 无数据; ratios decide per row."""
    if ind.is_ratio:
        return True
    num, _den = _totals(ind, cells, ids)
    return bool(_number(num) if num is not None else 0)


def _matches(s: dict, within: dict | None) -> bool:
    if not within:
        return True
    checks = {
        "group": s["district__group"],
        "district": s["district__code"],
        "tier": s["tier"],
        "school": s["code"],
    }
    return all(checks.get(k) == v for k, v in within.items() if v)


def scope_label(user) -> str:
    from jigong.core.context_processors import scope_label as label

    return label(user)


def compute(
    code: str, *, user, year, by: str | None = None, within: dict | None = None
) -> list[Row]:
    """The indicator for ``year`` in the user's scope, as one total row (``by=None``) or
    one row per year, group, district, tier, school or major. ``within`` narrows the
    schools (drill-down): {"group": …, "district": code, "tier": …}."""
    ind = indicator(code)
    year = parse_year(year)
    _check_by(ind, by)
    if within:
        bad = set(within) - {"group", "district", "tier", "school"}
        if bad:
            raise IndicatorError("within", sorted(bad), _("不支持的筛选条件：%(b)s") % {"b": bad})
    schools = [s for s in schools_in_scope(user=user) if _matches(s, within)]
    ids = [s["id"] for s in schools]
    years = window(year)

    if by == "major":
        if within:
            raise IndicatorError("within", within, _("按专业分组时不支持再按区域或学校筛选"))
        return _major_rows(
            ind, user, year, grain(ind, user=user, years=years, dim="major").get(year, {})
        )

    cells_by_year = grain(ind, user=user, years=years)
    # rows of no school (ind.citywide) are in the city's total only
    whole = [*ids, None] if ind.citywide and _wide(user) and not within else ids

    def total(y: int, label: str, key=None, subset=None) -> Row:
        cells = cells_by_year.get(y)
        subset = whole if subset is None else subset
        if cells is None or not whole or not _year_has_data(ind, cells, whole):
            return _row(ind, key, label, None, None, empty=True)
        num, den = _totals(ind, cells, subset)
        return _row(ind, key, label, num, den, empty=not subset)

    if by is None:
        return [total(year, scope_label(user))]
    if by == "year":
        return [total(y, str(y), key=y) for y in trend_years(year)]

    cells = cells_by_year.get(year)
    has_data = cells is not None and bool(ids) and _year_has_data(ind, cells, ids)
    cells = cells or {}

    def group_row(key, label, members, meta=None) -> Row:
        member_ids = [s["id"] for s in members]
        if not has_data or not member_ids:
            return _row(ind, key, label, None, None, empty=True, meta=meta)
        num, den = _totals(ind, cells, member_ids)
        return _row(ind, key, label, num, den, empty=False, meta=meta)

    if by == "school":
        return [
            group_row(
                s["code"],
                s["name"],
                [s],
                meta={
                    "group": s["district__group"],
                    "district": s["district__code"],
                    "tier": s["tier"],
                },
            )
            for s in schools
        ]
    if by == "tier":
        tiers = Tier.choices if _wide(user) else sorted({(s["tier"], "") for s in schools})
        return [
            group_row(
                value,
                str(Tier(value).label),
                [s for s in schools if s["tier"] == value],
                meta={"tier": value},
            )
            for value, _label in tiers
            if not within or not within.get("tier") or within["tier"] == value
        ]
    districts = _districts_in_scope(user, schools)
    if within:
        districts = [
            d
            for d in districts
            if (not within.get("group") or d["group"] == within["group"])
            and (not within.get("district") or d["code"] == within["district"])
        ]
    if by == "district":
        return [
            group_row(
                d["code"],
                d["name"],
                [s for s in schools if s["district_id"] == d["id"]],
                meta={"group": d["group"]},
            )
            for d in districts
        ]
    # by == "group"
    groups = (
        RegionGroup.choices
        if _wide(user)
        else [(g, "") for g in dict.fromkeys(d["group"] for d in districts)]
    )
    return [
        group_row(
            value,
            str(RegionGroup(value).label),
            [s for s in schools if s["district__group"] == value],
            meta={"group": value},
        )
        for value, _label in groups
        if value and (not within or not within.get("group") or within["group"] == value)
    ]


def _wide(user) -> bool:
    return user.is_superuser or user.role == Role.MUNICIPAL


def _major_labels(user, keys) -> dict:
    from jigong.reference.models import Major

    return {
        m["id"]: f"{m['code']} {m['name']}"
        for m in restrict(user, Major, "view").filter(pk__in=keys).values("id", "code", "name")
    }


def _major_rows(ind: Indicator, user, year: int, cells: dict) -> list[Row]:
    """One row per major with figures in the scope (majors are not school-scoped, so
    only those with rows appear), ordered by major code."""
    has_data = ind.is_ratio or any(_number(n) for n, _d in cells.values())
    labels = _major_labels(user, list(cells))
    rows = [
        _row(ind, k, labels.get(k, str(k)), n, d, empty=not has_data) for k, (n, d) in cells.items()
    ]
    return sorted(rows, key=lambda r: r.label)


# --- targets -----------------------------------------------------------------------


@dataclass(frozen=True)
class TargetRow:
    indicator: Indicator
    year: int
    actual: int | float | None
    target: object | None
    citation: object | None
    status: str | None  # met / not_met / in_progress, None when no data or no target
    trend: list[Row]
    # The figures are a district's or a school's: the target is the city's, so there is
    # no verdict, and a count's share of the city target instead (None for a ratio).
    part: bool = False
    share: float | None = None
    verdict: rules.TargetVerdict | None = None  # over the period (see ``judge``)

    @property
    def status_label(self) -> str:
        if self.part and self.actual is not None and self.citation is not None:
            return _("不评判")
        label = verdict_label(self.status, self.verdict, self.year, no_data=self.actual is None)
        return label + cap_note(self.indicator, self.actual, self.year)

    @property
    def kind_label(self) -> str:
        return target_kind_label(self.indicator, self.year)


def target_kind_label(ind: Indicator, year: int) -> str:
    """Which kind of target it is, with its period (每年保持, 累计, 期末)."""
    return rules.target_kind_label(ind.target, year_end(year)) if ind.target else ""


def judge(ind: Indicator, actual, year: int, trend: list[Row]):
    """(citation, status, verdict) of a target for ``year``: within the period the
    year's own status; from the period's last year on, the verdict over the period
    from the yearly figures of ``trend`` (a 保持 target missed in any year is not met,
    a 期末 target is judged on the last year); after the period a year's figure is not
    judged, the end-of-period verdict is."""
    citation, status = status_of(ind, actual, year)
    if citation is None or not ind.target:
        return citation, status, None
    figures = {r.key: r.value for r in trend}
    verdict = rules.target_period_verdict(ind.target, figures, year_end(year))
    if verdict is not None and verdict.final:
        status = verdict.status
    return citation, status, verdict


def verdict_label(status, verdict, year: int, *, no_data: bool) -> str:
    """达成 / 未达成 / 进行中 with the years a 保持 target missed, and after the period
    “十四五”目标期已结束 with the end-of-period verdict."""
    label = STATUS_LABELS.get(status, NO_DATA if no_data else "—")
    if verdict is None:
        return label
    c = verdict.citation
    ended = c.end is not None and year > c.end.year
    if ended:
        period = rules.target_period_name(verdict.indicator, year_end(year))
        label = _("%(p)s目标期已结束，期末判定：%(s)s") % {
            "p": period,
            "s": STATUS_LABELS.get(status, NO_DATA),
        }
    if verdict.missed:
        label += _("（%(y)s年未达到）") % {"y": "、".join(str(y) for y in verdict.missed)}
    elif ended and verdict.year is not None:
        label += _("（按%(y)s年数据）") % {"y": verdict.year}
    return label


def cap_note(ind: Indicator, actual, year: int) -> str:
    """“（超过上限5个）” when a range target's figure (（十二）（二十） 3—5个) is above
    its upper end, else ""."""
    if not ind.target:
        return ""
    cap = rules.target_above_max(ind.target, actual, year_end(year))
    return "" if cap is None else _("（超过上限%(c)s%(u)s）") % {"c": cap, "u": ind.unit}


def _share(ind: Indicator, actual, citation) -> float | None:
    """A count's share of the city's target; None for a ratio (a rate is not a part)."""
    if ind.is_ratio or actual is None or citation is None or not citation.value:
        return None
    return float(Decimal(str(actual)) / Decimal(str(citation.value)))


def status_of(ind: Indicator, actual, year: int) -> tuple[object | None, str | None]:
    """(target citation applying at the end of ``year``, status) for an actual value."""
    on = year_end(year)
    citation = ind.target_citation(on)
    if citation is None or actual is None or not ind.target:
        return citation, None
    return citation, rules.target_status(ind.target, Decimal(str(actual)), on)


def targets_table(*, user, year) -> list[TargetRow]:
    """Every indicator with a target of the policy: actual, target, status and trend."""
    year = parse_year(year)
    part = not _wide(user)  # the policy's targets are the city's
    rows = []
    for code in TARGET_INDICATORS:
        ind = CATALOGUE[code]
        actual = compute(code, user=user, year=year)[0].value
        trend = compute(code, user=user, year=year, by="year")
        citation, status, verdict = judge(ind, actual, year, trend)
        rows.append(
            TargetRow(
                indicator=ind,
                year=year,
                actual=actual,
                target=citation.value if citation else None,
                citation=citation,
                status=None if part else status,
                trend=trend,
                part=part,
                share=_share(ind, actual, citation) if part else None,
                verdict=verdict,
            )
        )
    return rows


def latest_year(*, user) -> int:
    """The latest year with data in the user's scope (see training.selectors.latest_year)."""
    from jigong.training.selectors import latest_year as training_latest

    return min(training_latest(user=user), today().year)


def snapshot_date(year: int) -> datetime.date:
    return as_of(year)
