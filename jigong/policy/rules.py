"""Rules of 渝人社发〔2022〕32号 as pure functions of plain values and a date ``on``.

Every figure is read from ``parameters`` by date; nothing here hard-codes a number of
the policy. A broken rule raises ``PolicyViolation`` with a Chinese message citing the
clause.

Dates before the policy. Every rule asks ``P.applies(name, on)`` before it reads a
figure, and the parameter's ``before`` key (see ``parameters``) decides: a rule whose
figure is not applicable on ``on`` answers "not applicable" — a ``check_*`` rule passes
(returns None), a lookup returns None (no deadline, no target, no cap) or an empty
list, and a computation without meaning then (``pay_supplement``) raises
``PolicyViolation`` with rule ``not_in_force``. ``ParameterNotInForce`` never leaves
this module; ``tests/policy/test_before.py`` calls every rule on such dates.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from jigong.policy import parameters as P
from jigong.policy.formatting import percent

Number = Decimal | int | float | str

TIER_LABELS = {"technician_college": "技师学院", "senior_school": "高级技校", "school": "技工学校"}
LEVEL_LABELS = {
    "intermediate": "中级工班",
    "advanced": "高级工班",
    "technician": "预备技师（技师）班",
}
LEVEL_STATUS_LABELS = {"standard": "常规承担", "explored": "探索开设"}
EQUIVALENCE_LABELS = {"secondary": "中专", "junior_college": "大专", "bachelor": "本科"}
TRACK_LABELS = {"full_time": "全日制", "part_time": "非全日制"}
SOURCE_LABELS = {  # enrolment sources named in （九）（十）; codes match students.Source
    "junior_graduate": "应届初中毕业生",
    "senior_graduate": "应届高中毕业生",
    "previous_graduate": "往届毕业生",
    "enterprise_employee": "企业在岗职工",
    "veteran": "退役军人",
    "poverty_family": "脱贫家庭新成长劳动力",
    "unemployed_graduate": "离校未就业高校毕业生",
}
QUALITY_DIMENSIONS = {  # （二十四）
    "professional_ethics": "职业道德",
    "skill_level": "技能水平",
    "employment_quality": "就业质量",
    "school_enterprise": "校企合作水平",
}
TARGETS = {  # indicator → parameter (all "at least" targets)
    "students_in_school": "targets.students_in_school_min",
    "employment_rate": "targets.employment_rate_min",
    "training_person_times": "targets.training_person_times_min",
    "major_industry_match": "targets.major_industry_match_min",
    "alliances": "targets.alliances_min",
    "quality_schools": "targets.quality_schools",
    "quality_majors": "targets.quality_majors",
    "ideology_bases_national": "targets.ideology_bases_national_min",
    "ideology_bases_municipal": "targets.ideology_bases_municipal_min",
    "planned_textbooks": "targets.planned_textbooks",
    "school_textbooks": "targets.school_textbooks",
    "digital_excellent_schools": "targets.digital_excellent_schools",
    "integrated_bases_national": "targets.integrated_bases_national_min",
    "integrated_bases_municipal": "targets.integrated_bases_municipal_min",
    "campus_network_coverage": "management.campus_network_coverage",
}
TARGET_LABELS = {
    "students_in_school": "在校生规模",
    "employment_rate": "毕业生就业率",
    "training_person_times": "职业技能培训人次（“十四五”累计）",
    "major_industry_match": "专业设置与重点产业匹配度",
    "alliances": "技工教育联盟（集团）",
    "quality_schools": "优质技工院校",
    "quality_majors": "优质专业",
    "ideology_bases_national": "国家级思政课师资研修基地",
    "ideology_bases_municipal": "市级思政课师资研修基地",
    "planned_textbooks": "技工教育规划教材",
    "school_textbooks": "校本教材",
    "digital_excellent_schools": "国家级数字化资源建设与应用优秀院校",
    "integrated_bases_national": "国家级一体化师资研修基地",
    "integrated_bases_municipal": "市级一体化师资研修基地",
    "campus_network_coverage": "校园网覆盖率",
}


class PolicyViolation(ValueError):
    """Input that breaks a rule of the policy; ``message`` is Chinese and cites ``clause``."""

    def __init__(self, field: str, value: object, rule: str, clause: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.value = value
        self.rule = rule
        self.clause = clause
        self.message = message


def _dec(x: Number) -> Decimal:
    return x if isinstance(x, Decimal) else Decimal(str(x))


def _pct(x: Decimal) -> str:
    return percent(x)


def _num(x: Decimal) -> str:
    return format(x.normalize(), "f")


def _not_in_force(name: str, on: date, what: str, field: str = "on") -> PolicyViolation:
    """The refusal of a rule whose figure ``name`` is not applicable on ``on``."""
    first = P.history(name)[0]
    return PolicyViolation(
        field,
        on,
        "not_in_force",
        first.clause,
        f"{what}自{first.start.isoformat()}起施行（依据{first.clause}），{on.isoformat()}不适用",
    )


def _known(field: str, value: str, labels: dict[str, str], what: str) -> None:
    if value not in labels:
        choices = "、".join(f"{k}（{v}）" for k, v in labels.items())
        raise PolicyViolation(
            field, value, "unknown_code", "", f"未知的{what}“{value}”，应为：{choices}"
        )


# --- class levels by school tier （六） ---


def allowed_levels(tier: str, on: date) -> dict[str, str]:
    """Levels the tier may run on ``on``: level → "standard" or "explored" (（六）).

    Explored levels (技工学校开设高级工班, 高级技校开设预备技师班) exist only from the
    policy's date; before it they are not allowed. The standard division predates the
    policy (``before: apply_first``).
    """
    _known("tier", tier, TIER_LABELS, "院校层级")
    standard = set(P.get("classes.levels_standard", on)[tier])
    explored = set()
    if P.applies("classes.levels_explored", on):
        explored = set(P.get("classes.levels_explored", on)[tier])
    return {
        lvl: "standard" if lvl in standard else "explored"
        for lvl in LEVEL_LABELS
        if lvl in standard | explored
    }


def level_allowed(tier: str, level: str, on: date) -> bool:
    _known("level", level, LEVEL_LABELS, "班级层次")
    return level in allowed_levels(tier, on)


def check_level_for_tier(tier: str, level: str, on: date) -> str:
    """Raise PolicyViolation if the tier may not run the level; else return its status."""
    status = allowed_levels(tier, on).get(level) if level in LEVEL_LABELS else None
    _known("level", level, LEVEL_LABELS, "班级层次")
    if status is None:
        c = P.cite("classes.levels_standard", on)
        raise PolicyViolation(
            "level",
            level,
            "level_for_tier",
            c.clause,
            f"班级层次“{LEVEL_LABELS[level]}”不在{TIER_LABELS[tier]}可开设的层次内（依据{c.basis}）",
        )
    return status


# --- certificate equivalence （十八） ---


def equivalence(level: str, on: date) -> str | None:
    """Education level a graduate of ``level`` counts as: secondary / junior_college /
    bachelor; None before the rule took effect (no equivalence then)."""
    _known("level", level, LEVEL_LABELS, "班级层次")
    if not P.applies("certificates.equivalence", on):
        return None
    return P.get("certificates.equivalence", on)[level]


def equivalence_label(level: str, on: date) -> str | None:
    """Chinese label of the equivalence, e.g. 大专; None when there is none."""
    code = equivalence(level, on)
    return None if code is None else EQUIVALENCE_LABELS[code]


def equivalence_uses(on: date) -> list[str]:
    """Policies applied by the equivalent education level (职称评审, 参军入伍 …); none
    before the rule took effect."""
    if not P.applies("certificates.equivalence_uses", on):
        return []
    return list(P.get("certificates.equivalence_uses", on))


# --- certificate query system （十八）: platform parameters ---


def verification_code_days(on: date) -> dict[str, int]:
    """The range of validity (days) a holder may choose for an online verification code
    (a platform setting: ``before: apply_first``)."""
    return dict(P.get("certificates.verification_code_days", on))


def check_verification_code_days(days: int, on: date) -> int:
    """Raise PolicyViolation unless ``days`` is within the range in force on ``on``."""
    bounds = verification_code_days(on)
    if (
        not isinstance(days, int)
        or isinstance(days, bool)
        or not (bounds["min"] <= days <= bounds["max"])
    ):
        c = P.cite("certificates.verification_code_days", on)
        raise PolicyViolation(
            "days",
            days,
            "verification_code_days",
            c.clause,
            f"有效期“{days}”天：应为{bounds['min']}至{bounds['max']}天之间的整数（依据{c.basis}）",
        )
    return days


def query_log_keep_from(today: date, on: date) -> date:
    """The earliest date whose query-log entries must still be kept on ``today``: entries
    on or after it are within the retention period and may not be deleted
    (``before: apply_first``: a retention period always holds)."""
    months = int(P.get("certificates.query_log_retention_months", on))
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    month += 1
    return date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


def batch_verify_max(on: date) -> int:
    """The most items one batch verification request may carry."""
    return int(P.get("certificates.batch_verify_max", on))


# --- performance-pay supplement （七） ---


@dataclass(frozen=True, slots=True)
class PaySupplement:
    revenue: Decimal
    rate: Decimal
    rate_min: Decimal
    rate_max: Decimal
    amount: Decimal
    excellent: bool
    clause: str
    steps: tuple[str, ...]


def pay_supplement(revenue: Number, rate: Number, excellent: bool, on: date) -> PaySupplement:
    """Performance-pay supplement from the year's social training revenue (（七）).

    The policy adds 5–20% of the year's social training revenue to the school's
    performance-pay total, whatever the unit's rating. The “不超过调控基数的5个百分点” for
    units rated excellent loosens something else — the growth control of per-capita
    excess performance pay — and is ``pay_growth_control``; it never raises this rate's
    cap. ``rate`` is a fraction (0.10 = 10%); the amount is rounded half-up to the cent.
    Before the rule took effect there is no supplement: ``PolicyViolation`` (field
    ``on``, rule ``not_in_force``).
    """
    for name in ("pay_supplement.rate_min", "pay_supplement.rate_max"):
        if not P.applies(name, on):
            raise _not_in_force(name, on, "按社会培训收入追加绩效工资总量的规定")
    revenue, rate = _dec(revenue), _dec(rate)
    low = _dec(P.get("pay_supplement.rate_min", on))
    high = _dec(P.get("pay_supplement.rate_max", on))
    clause = P.cite("pay_supplement.rate_max", on).clause
    steps = [f"当年社会培训收入：{revenue:,.2f} 元", f"追加比例范围：{_pct(low)}—{_pct(high)}"]
    if excellent:
        steps.append(
            f"绩效考核优秀：追加比例范围不变；可上浮的是超额绩效年人均水平的控制增幅（依据{clause}）"
        )
    if revenue < 0:
        raise PolicyViolation(
            "revenue", revenue, "non_negative", clause, f"社会培训收入“{revenue}”不能为负数"
        )
    if not low <= rate <= high:
        raise PolicyViolation(
            "rate",
            rate,
            "pay_supplement_rate",
            clause,
            f"追加比例“{_pct(rate)}”超出允许范围{_pct(low)}—{_pct(high)}（依据{clause}）",
        )
    amount = (revenue * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    steps.append(f"追加比例：{_pct(rate)}，在允许范围内")
    steps.append(
        f"追加绩效工资总量 = {revenue:,.2f} × {_pct(rate)} = {amount:,.2f} 元（依据{clause}）"
    )
    return PaySupplement(revenue, rate, low, high, amount, excellent, clause, tuple(steps))


@dataclass(frozen=True, slots=True)
class PayGrowthControl:
    control_base: Decimal
    growth: Decimal
    extra: Decimal
    extra_max: Decimal
    allowed_growth: Decimal
    ceiling: Decimal
    clause: str
    steps: tuple[str, ...]


def pay_growth_control(
    control_base: Number, growth: Number, excellent: bool, extra: Number, on: date
) -> PayGrowthControl:
    """The growth control of per-capita excess performance pay (（七）): a unit rated
    excellent may raise the control's growth by ``extra`` (a fraction of the control
    base, at most ``pay_supplement.excellent_extra_max``: 5 points); others may not.
    ``control_base`` is the per-capita control base (元), ``growth`` the growth the
    control allows; the ceiling is base × (1 + growth + extra), to the cent. This is not
    the training-revenue supplement (``pay_supplement``)."""
    name = "pay_supplement.excellent_extra_max"
    if not P.applies(name, on):
        raise _not_in_force(name, on, "考核优秀单位控制增幅上浮的规定")
    c = P.cite(name, on)
    base, growth, extra = _dec(control_base), _dec(growth), _dec(extra)
    most = _dec(c.value)
    if base < 0:
        raise PolicyViolation(
            "control_base", base, "non_negative", c.clause, f"调控基数“{base}”不能为负数"
        )
    if growth < 0:
        raise PolicyViolation(
            "control_growth",
            growth,
            "non_negative",
            c.clause,
            f"控制增幅“{_pct(growth)}”不能为负数",
        )
    if extra < 0 or (extra and not excellent):
        raise PolicyViolation(
            "growth_extra",
            extra,
            "growth_extra_excellent",
            c.clause,
            f"上浮“{_num(extra * 100)}”个百分点：只有绩效考核结果为优秀的单位，"
            f"控制增幅可适当上浮（依据{c.clause}）",
        )
    if extra > most:
        raise PolicyViolation(
            "growth_extra",
            extra,
            "growth_extra_max",
            c.clause,
            f"控制增幅上浮“{_num(extra * 100)}”个百分点：不超过调控基数的"
            f"{_num(most * 100)}个百分点（依据{c.clause}）",
        )
    allowed = growth + extra
    ceiling = (base * (1 + allowed)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    steps = (
        f"调控基数（人均）：{base:,.2f} 元",
        f"控制增幅：{_pct(growth)}",
        f"考核优秀上浮：{_num(extra * 100)}个百分点（至多{_num(most * 100)}个百分点）",
        f"超额绩效年人均水平上限 = {base:,.2f} × (1 + {_pct(allowed)}) = {ceiling:,.2f} 元"
        f"（依据{c.clause}）",
    )
    return PayGrowthControl(base, growth, extra, most, allowed, ceiling, c.clause, steps)


# --- labour education （五）, practical test weight （二十） ---


def labour_hours_ok(hours: Number, on: date) -> bool:
    """At least the required 学时 per school year of 劳模/劳动/工匠精神 education (（五））;
    no minimum before the rule took effect."""
    if not P.applies("education.labour_spirit_hours_min", on):
        return True
    return _dec(hours) >= _dec(P.get("education.labour_spirit_hours_min", on))


def labour_hours_shortfall(hours: Number, on: date) -> Decimal | None:
    """学时 short of the minimum per school year of 劳模/劳动/工匠精神 education (（五）);
    0 when met, None before the rule took effect. A standard to report against, not a
    refusal: a school records the hours it really gave."""
    name = "education.labour_spirit_hours_min"
    if not P.applies(name, on):
        return None
    return max(_dec(P.get(name, on)) - _dec(hours), Decimal(0))


def labour_hours_finding(hours: Number, on: date) -> str | None:
    """The finding for a school year's hours short of the minimum (（五）), e.g.
    “12学时，少于每学年16学时，差4学时（（五））”; None when met or before the rule."""
    short = labour_hours_shortfall(hours, on)
    if not short:
        return None
    c = P.cite("education.labour_spirit_hours_min", on)
    return (
        f"劳模精神、劳动精神、工匠精神专题教育{_num(_dec(hours))}学时，少于每学年{c.value}学时，"
        f"差{_num(short)}学时（{c.clause}）"
    )


def practical_weight_ok(weight: Number, on: date) -> bool:
    """Practical test weight (fraction) at least the minimum (（二十））; a weight
    within 0–1 before the rule took effect."""
    w = _dec(weight)
    name = "recruitment.practical_test_weight_min"
    low = _dec(P.get(name, on)) if P.applies(name, on) else Decimal(0)
    return low <= w <= 1


def check_practical_weight(weight: Number, on: date) -> None:
    """The weight is a fraction 0–1 on any date; at least the minimum once in force."""
    name = "recruitment.practical_test_weight_min"
    w = _dec(weight)
    if not 0 <= w <= 1:
        raise PolicyViolation(
            "practical_weight",
            weight,
            "range",
            P.history(name)[0].clause,
            f"实际操作能力测试比重“{weight}”应在0到1之间",
        )
    if not P.applies(name, on):
        return
    c = P.cite(name, on)
    if not practical_weight_ok(w, on):
        raise PolicyViolation(
            "practical_weight",
            weight,
            "practical_weight",
            c.clause,
            f"实际操作能力测试比重{_pct(w)}低于{_pct(_dec(c.value))}（依据{c.clause}）",
        )


# --- part-time registration of enterprise employees （十） ---


def check_part_time_duration(track: str, source: str, duration_months: int, on: date) -> None:
    """A 非全日制 registration of an enterprise employee must last at least a year (（十））;
    one enrolled before the rule took effect is not held to it."""
    _known("track", track, TRACK_LABELS, "学籍类型")
    _known("source", source, SOURCE_LABELS, "生源类别")
    name = "enrolment.part_time_enterprise_min_months"
    if track != "part_time" or source != "enterprise_employee" or not P.applies(name, on):
        return
    c = P.cite(name, on)
    if duration_months < c.value:
        raise PolicyViolation(
            "duration_months",
            duration_months,
            "part_time_duration",
            c.clause,
            f"企业在岗职工非全日制学籍的学习期限为{duration_months}个月，"
            f"应不少于{c.value}个月（依据{c.clause}）",
        )


# --- targets （二）（十二）（十四）（十六）（十七）（二十）（二十一）（四） ---


def target_citation(indicator: str, on: date) -> P.Citation | None:
    """The target value that applies on ``on``: in force, or the last one already ended
    (a target is judged after its period); None before the first was set."""
    _known("indicator", indicator, TARGETS, "指标")
    name = TARGETS[indicator]
    if P.applies(name, on):
        return P.cite(name, on)
    rows = [c for c in P.history(name) if c.start <= on]
    return rows[-1] if rows else None


# How the policy's words judge a target over its period (the figure judged is the
# indicator's value of one year):
#   maintain   — （二）“保持在…以上”: a floor in every year of the period, met or missed
#                each year; over the period met only if kept in every year;
#   cumulative — a count reached by the end of the period (（二）75万人次 “累计”,
#                （十二） 组建联盟) or of the plan when it has no end (（十四） 双优,
#                （十七） 教材): in progress until the end, then met or missed;
#   end        — （十六）“十四五末”: judged on the figure of the period's last year only.
TARGET_KINDS = {"maintain": "每年保持", "cumulative": "累计", "end": "期末"}
TARGET_KIND = {
    "students_in_school": "maintain",
    "employment_rate": "maintain",
    "major_industry_match": "end",
    "campus_network_coverage": "maintain",
}
TARGET_STATUS_LABELS = {
    "met": "达成",
    "not_met": "未达成",
    "in_progress": "进行中",
    "ended": "目标期已结束",
}
PERIOD_NAMES = {(2021, 2025): "“十四五”"}  # a target period by its years


def target_kind(indicator: str, on: date) -> str:
    """ "maintain", "cumulative" or "end" (see ``TARGET_KINDS``); ``on`` is unused (the
    kind is the reading of the clause's words) but kept for the uniform rule call."""
    _known("indicator", indicator, TARGETS, "指标")
    return TARGET_KIND.get(indicator, "cumulative")


def target_kind_label(indicator: str, on: date) -> str:
    """The kind in words with its period, e.g. “十四五”期间每年保持 or “十四五”末（2025年）;
    the bare kind before the target was set."""
    kind = target_kind(indicator, on)
    citation = target_citation(indicator, on)
    if citation is None or citation.end is None:
        return "计划期内累计" if kind == "cumulative" else TARGET_KINDS[kind]
    period = _period_name(citation)
    return {
        "maintain": f"{period}期间每年保持",
        "cumulative": f"{period}期间累计（{citation.end.year}年末判定）",
        "end": f"{period}末（{citation.end.year}年）判定",
    }[kind]


def target_period_name(indicator: str, on: date) -> str:
    """The name of the target's period on ``on`` (“十四五”), "" before it was set."""
    c = target_citation(indicator, on)
    return "" if c is None else _period_name(c)


def _period_name(citation: P.Citation) -> str:
    """“十四五” for 2021–2025, else “2021—2025年”."""
    end = citation.end.year if citation.end else None
    return PERIOD_NAMES.get((citation.start.year, end), f"{citation.start.year}—{end or ''}年")


def target_status(indicator: str, actual: Number, on: date) -> str | None:
    """The verdict on the figure of the year ending on ``on``: "met", "not_met",
    "in_progress" or "ended"; None before the target was set.

    - maintain: met or not_met in each year of the period;
    - cumulative: met as soon as reached; otherwise in progress until the period's last
      day, not_met on it (pass the cumulative count, e.g. training 2021–2025);
    - end: in progress before the period's last year, met or not_met on it;
    - a figure dated after the period ended is not judged against it: "ended" (the
      end-of-period verdict is ``target_period_verdict``).
    """
    c = target_citation(indicator, on)
    if c is None:
        return None
    if c.end is not None and on > c.end:
        return "ended"
    kind = target_kind(indicator, on)
    reached = _dec(actual) >= _dec(c.value)
    final = c.end is not None and on >= c.end
    if kind == "maintain":
        return "met" if reached else "not_met"
    if kind == "end" and c.end is not None and on.year < c.end.year:
        return "in_progress"
    if reached:
        return "met"
    return "not_met" if final else "in_progress"


@dataclass(frozen=True, slots=True)
class TargetVerdict:
    indicator: str
    kind: str
    status: str | None  # met / not_met / in_progress; None: no figure to judge
    final: bool  # the period is over on the date of the verdict
    year: int | None  # the year whose figure is judged (cumulative, end)
    value: Decimal | None  # that figure
    judged: tuple[int, ...]  # years of the period with a figure (maintain)
    missed: tuple[int, ...]  # years below the floor (maintain)
    citation: P.Citation


def target_period_verdict(indicator: str, figures: dict, on: date) -> TargetVerdict | None:
    """The verdict over the target's period from the figures of each year (year →
    figure or None), on ``on``: final once ``on`` reaches the period's end; figures of
    years after the period are ignored. maintain: not_met as soon as one year missed
    (naming the years), met at the end if kept in every year with a figure;
    cumulative: the latest figure of the period; end: the figure of the last year.
    None before the target was set."""
    c = target_citation(indicator, on)
    if c is None:
        return None
    kind = target_kind(indicator, on)
    last = min(on.year, c.end.year) if c.end else on.year
    years = sorted(
        int(y) for y, v in figures.items() if v is not None and c.start.year <= int(y) <= last
    )
    value_of = {int(y): v for y, v in figures.items()}
    final = c.end is not None and on >= c.end
    target = _dec(c.value)
    year = value = None
    missed: tuple[int, ...] = ()
    if kind == "maintain":
        missed = tuple(y for y in years if _dec(value_of[y]) < target)
        if missed:
            status = "not_met"
        elif not years:
            status = None
        else:
            status = "met" if final else "in_progress"
    else:
        if kind == "end":
            year = c.end.year if c.end else last
            year = year if year in years else None
        else:
            year = years[-1] if years else None
        value = None if year is None else _dec(value_of[year])
        if value is None:
            status = None if final else "in_progress"
        elif value >= target:
            status = "met" if kind == "cumulative" or final else "in_progress"
        else:
            status = "not_met" if final else "in_progress"
    return TargetVerdict(indicator, kind, status, final, year, value, tuple(years), missed, c)


# --- platform parameters: quality weights （二十四）, internship filing （二十一） ---


def quality_weights(on: date) -> dict[str, Decimal]:
    """Weights of the quality evaluation dimensions (platform parameters, sum 1; the
    platform's method, ``before: apply_first``, so earlier years are comparable)."""
    weights = {k: _dec(P.get(f"quality.weight.{k}", on)) for k in QUALITY_DIMENSIONS}
    if sum(weights.values()) != 1:
        raise ValueError(f"quality weights must sum to 1 on {on}: {weights}")
    return weights


QUALITY_MEASURES = {  # sub-measure → dimension （二十四）; benchmarks: quality.benchmarks
    "curriculum_compliance": "professional_ethics",
    "certificate_rate": "skill_level",
    "technician_share": "skill_level",
    "employment_rate": "employment_quality",
    "in_field_rate": "employment_quality",
    "agreements_per_100": "school_enterprise",
    "order_class_share": "school_enterprise",
    "part_time_teacher_share": "school_enterprise",
}


def quality_measure_score(measure: str, value: Number | None, on: date) -> Decimal | None:
    """0–100 for one sub-measure: 100 × min(value ÷ benchmark, 1), two decimals;
    no value (无数据) → None, never 0."""
    _known("measure", measure, QUALITY_MEASURES, "质量评价分项")
    if value is None:
        return None
    benchmark = _dec(P.get("quality.benchmarks", on)[measure])
    ratio = min(max(_dec(value), Decimal(0)) / benchmark, Decimal(1))
    return (ratio * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def quality_total(scores: dict, on: date) -> Decimal | None:
    """Weighted total 0–100 of the dimension scores present: Σ w·s ÷ Σ w over the
    dimensions with a score, so a dimension without data (None) is left out, not 0.
    No dimension with data → None."""
    weights = quality_weights(on)
    present = {k: _dec(v) for k, v in scores.items() if v is not None}
    for k in present:
        _known("dimension", k, QUALITY_DIMENSIONS, "质量评价维度")
    if not present:
        return None
    total = sum(weights[k] * v for k, v in present.items())
    share = sum(weights[k] for k in present)
    return (total / share).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def internship_filing_deadline(internship_start: date, on: date) -> date | None:
    """Latest date to file an internship plan starting on ``internship_start`` (（二十一））;
    None before the filing system took effect."""
    name = "management.internship_filing_lead_days"
    if not P.applies(name, on):
        return None
    return internship_start - timedelta(days=P.get(name, on))


def cross_province_partners(on: date) -> list[str]:
    """GB/T 2260 province codes of the cross-province enrolment partners (（九））; the
    first list also serves as the baseline of earlier years (``before: apply_first``)."""
    return list(P.get("enrolment.cross_province_partners", on))


def check_cross_province_quota(
    province: str, province_name: str, year: int, quota: int | None, enrolled: int, on: date
) -> None:
    """A student from a cross-province partner (（九）) is enrolled within the quota of the
    school's approved enrolment plan for ``year``: refused when none is approved
    (``quota`` None) or when ``enrolled`` (that year's intake from the province on file)
    has reached it. Chongqing and other provinces are not held to it (the text names only
    the partners), nor are enrolments before the partners were named."""
    name = "enrolment.cross_province_partners"
    if on < P.history(name)[0].start or province not in P.get(name, on):
        return None
    clause = P.cite(name, on).clause
    if quota is None:
        raise PolicyViolation(
            "home_province",
            province,
            "cross_province_quota",
            clause,
            f"生源省份“{province_name}”：{year}年未核定{province_name}跨省招生计划，"
            f"不得招收该省学生（跨省招生计划数须填入{year}年招生计划并经审批，依据{clause}）",
        )
    if enrolled >= quota:
        raise PolicyViolation(
            "home_province",
            province,
            "cross_province_quota",
            clause,
            f"跨省招生计划已满：{year}年{province_name}核定{quota}人，已招{enrolled}人（{clause}）",
        )
    return None


# --- workflows: filing deadlines （二十一）, enrolment qualification （九） ---

SCHOOL_STATUS_LABELS = {  # codes match schools.SchoolStatus
    "operating": "正常办学",
    "founding": "筹建期",
    "suspended": "暂停招生",
    "closed": "已撤销",
}


def days_after(start: date, parameter: str, on: date) -> date | None:
    """``start`` plus the number of days the parameter gives on ``on`` (step deadlines);
    None (no deadline) when the parameter does not apply on ``on``."""
    if not P.applies(parameter, on):
        return None
    return start + timedelta(days=int(P.get(parameter, on)))


def enrolment_plan_due(year: int, on: date) -> date | None:
    """Date by which a school submits its enrolment plan for ``year`` (（九））; None
    before the deadline was set."""
    if not P.applies("enrolment.plan_due", on):
        return None
    month, day = (int(x) for x in str(P.get("enrolment.plan_due", on)).split("-"))
    return date(year, month, day)


def check_internship_filing(
    internship_start: date, filed_on: date, cross_province: bool, on: date
) -> date | None:
    """A cross-province internship plan is filed at the latest ``lead days`` before it
    starts (（二十一））; returns that deadline (None for an internship in Chongqing, or
    before the filing system took effect)."""
    if not cross_province:
        return None
    deadline = internship_filing_deadline(internship_start, on)
    if deadline is not None and filed_on > deadline:
        c = P.cite("management.internship_filing_lead_days", on)
        raise PolicyViolation(
            "start_on",
            internship_start,
            "internship_filing_deadline",
            c.clause,
            f"跨省实习计划须在实习开始前{c.value}天备案：实习开始日期"
            f"{internship_start.isoformat()}，最迟应于{deadline.isoformat()}备案，"
            f"提交日期{filed_on.isoformat()}已超过期限（依据{c.basis}）",
        )
    return deadline


@dataclass(frozen=True, slots=True)
class Qualification:
    qualified: bool
    reasons: tuple[str, ...]
    clause: str


def enrolment_qualification(status: str, brochure_approved: bool, on: date) -> Qualification:
    """Whether a school qualifies for the year's enrolment list (（九） 定期清理公布招生资质):
    its status is one of ``enrolment.qualified_statuses`` and, when
    ``enrolment.qualification_requires_brochure``, its brochure for the year is approved.
    The status condition always holds (``before: apply_first``); the brochure condition
    only once brochure filing took effect."""
    _known("status", status, SCHOOL_STATUS_LABELS, "办学状态")
    c = P.cite("enrolment.qualified_statuses", on)
    reasons = []
    if status not in c.value:
        reasons.append(f"办学状态为“{SCHOOL_STATUS_LABELS[status]}”（依据{c.basis}）")
    brochure = "enrolment.qualification_requires_brochure"
    if P.applies(brochure, on):
        b = P.cite(brochure, on)
        if b.value and not brochure_approved:
            reasons.append(f"当年招生简章未备案通过（依据{b.basis}）")
    return Qualification(not reasons, tuple(reasons), c.clause)


# --- licensing and compliance （十四）（二十一） ---

AUTHORITY_LABELS = {"district": "区县人社局", "municipal": "市人社局"}
STANDARD_LABELS = {  # 达标 criteria, all "at least"; keys of licensing.standards.<tier>
    "students": "全日制在校生（人）",
    "full_time_teachers": "专任教师（人）",
    "integrated_share": "一体化教师占专任教师比例",
    "campus_network_coverage": "校园网覆盖率",
}
SHARE_CRITERIA = frozenset({"integrated_share", "campus_network_coverage"})


def licensing_authority(tier: str, on: date) -> str:
    """ "district" when the tier's licensing is delegated to the district bureau
    (（二十一） 技工学校), else "municipal" (also before the delegation took effect)."""
    _known("tier", tier, TIER_LABELS, "院校层级")
    name = "licensing.district_delegated_tiers"
    return "district" if P.applies(name, on) and tier in P.get(name, on) else "municipal"


def licensing_basis(on: date) -> str:
    """The basis a page cites for who licenses which tier: the delegation to the
    districts is the platform's reading of （二十一）“探索下放”."""
    name = "licensing.district_delegated_tiers"
    if not P.applies(name, on):
        return P.history(name)[0].clause
    return P.cite(name, on).basis


def founding_deadline(started_on: date, on: date) -> date | None:
    """Last day of the founding period that began on ``started_on`` (（二十一））; None
    (no limit) before the period was set."""
    if not P.applies("licensing.founding_period_years", on):
        return None
    years = int(P.get("licensing.founding_period_years", on))
    try:
        return started_on.replace(year=started_on.year + years) - timedelta(days=1)
    except ValueError:  # 29 February
        return started_on.replace(year=started_on.year + years, day=28)


def check_founding_period(started_on: date, submitted_on: date, on: date) -> date | None:
    """An application to found a school is accepted only within the founding period;
    returns the period's last day (None: no period on ``on``)."""
    deadline = founding_deadline(started_on, on)
    if deadline is not None and submitted_on > deadline:
        c = P.cite("licensing.founding_period_years", on)
        raise PolicyViolation(
            "founding_started_on",
            started_on,
            "founding_period",
            c.clause,
            f"筹建期自{started_on.isoformat()}起{c.value}年，已于{deadline.isoformat()}届满，"
            f"{submitted_on.isoformat()}不能再申请正式设立（依据{c.basis}）",
        )
    return deadline


@dataclass(frozen=True, slots=True)
class Criterion:
    name: str
    label: str
    required: Decimal
    actual: Decimal | None
    ok: bool

    @property
    def required_text(self) -> str:
        return _shown(self.name, self.required)

    @property
    def actual_text(self) -> str:
        return _shown(self.name, self.actual)


@dataclass(frozen=True, slots=True)
class StandardsResult:
    tier: str
    passed: bool
    criteria: tuple[Criterion, ...]
    clause: str
    failures: tuple[str, ...]


def _shown(name: str, x: Decimal | None) -> str:
    if x is None:
        return "无数据"
    return _pct(x) if name in SHARE_CRITERIA else _num(x)


def standards_check(tier: str, facts: dict, on: date) -> StandardsResult:
    """达标 check (（十四） 实施技工院校达标行动): each criterion of the tier's standard
    (``licensing.standards.<tier>``) against the school's actual figure in ``facts``;
    a missing figure fails its criterion. Before the standard took effect there is no
    criterion to meet: passed, no criteria, no clause."""
    _known("tier", tier, TIER_LABELS, "院校层级")
    name = f"licensing.standards.{tier}"
    if not P.applies(name, on):
        return StandardsResult(tier, True, (), "", ())
    c = P.cite(name, on)
    items, failures = [], []
    for name, required in c.value.items():
        required = _dec(required)
        raw = facts.get(name)
        actual = None if raw is None else _dec(raw)
        ok = actual is not None and actual >= required
        label = STANDARD_LABELS.get(name, name)
        items.append(Criterion(name, label, required, actual, ok))
        if not ok:
            failures.append(
                f"{label}为{_shown(name, actual)}，低于{TIER_LABELS[tier]}标准"
                f"{_shown(name, required)}（依据{c.basis}）"
            )
    return StandardsResult(tier, not failures, tuple(items), c.clause, tuple(failures))


def check_restore_enrolment(tier: str, facts: dict, on: date) -> StandardsResult:
    """Restoring enrolment needs the tier's standard met when
    ``licensing.restore_requires_standards`` (（十四） 恢复符合条件的技工院校招生)."""
    result = standards_check(tier, facts, on)
    name = "licensing.restore_requires_standards"
    if not P.applies(name, on):
        return result
    c = P.cite(name, on)
    if c.value and not result.passed:
        raise PolicyViolation(
            "status",
            "operating",
            "restore_requires_standards",
            c.clause,
            "未达到设置标准，不能恢复招生：" + "；".join(result.failures),
        )
    return result


# --- 双优计划 （十四） ---

DESIGNATION_CAPS = {
    "quality_school": "targets.quality_schools",
    "quality_major": "targets.quality_majors",
}
DESIGNATION_LABELS = {"quality_school": "优质技工院校", "quality_major": "优质专业"}


def designation_cap(kind: str, on: date) -> int | None:
    """The 双优计划 number of ``kind``; None (no cap) before the plan took effect."""
    _known("kind", kind, DESIGNATION_LABELS, "认定类型")
    if not P.applies(DESIGNATION_CAPS[kind], on):
        return None
    return int(P.get(DESIGNATION_CAPS[kind], on))


def designation_count(kind: str, designations: list, on: date) -> int:
    """How many of ``kind`` the 双优计划 counts among the designations of every round so
    far (（十四）: 15 所 and 40 个 over the plan, not per round-year): a school once, a
    major of a school once whatever its class levels and rounds. Each designation is a
    mapping with ``year``, ``school`` and, for majors, ``major``; designations of a year
    before the plan took effect are not counted."""
    _known("kind", kind, DESIGNATION_LABELS, "认定类型")
    first = P.history(DESIGNATION_CAPS[kind])[0].start.year
    keys = {
        d["school"] if kind == "quality_school" else (d["school"], d["major"])
        for d in designations
        if int(d["year"]) >= first
    }
    return len(keys)


def check_designation_cap(kind: str, designated: int, on: date) -> int | None:
    """Refuse one more designation when ``designated`` (``designation_count`` over
    every round of the plan) already reaches the 双优计划 number (15 schools, 40
    majors); returns how many remain after this one (None: no cap on ``on``)."""
    cap = designation_cap(kind, on)
    if cap is None:
        return None
    if designated >= cap:
        c = P.cite(DESIGNATION_CAPS[kind], on)
        raise PolicyViolation(
            "kind",
            designated,
            "designation_cap",
            c.clause,
            f"已认定{DESIGNATION_LABELS[kind]}{designated}个，达到“双优计划”创建数量"
            f"{cap}个（依据{c.clause}），不能再认定",
        )
    return cap - designated - 1


# --- range targets and their caps （十二）（二十）; bases and titles （四）（十七）（二十） ---

TARGET_MAX = {  # indicator → parameter of the upper end of a “3—5个” target
    "alliances": "targets.alliances_max",
    "integrated_bases_municipal": "targets.integrated_bases_municipal_max",
}
BASE_TARGETS = {  # (kind, level) of a designation → the indicator of its target
    ("ideology_base", "national"): "ideology_bases_national",
    ("ideology_base", "municipal"): "ideology_bases_municipal",
    ("integrated_base", "national"): "integrated_bases_national",
    ("integrated_base", "municipal"): "integrated_bases_municipal",
    ("digital_school", "national"): "digital_excellent_schools",
}


def _cap_citation(indicator: str, on: date) -> P.Citation | None:
    name = TARGET_MAX.get(indicator)
    if name is None:
        return None
    if P.applies(name, on):
        return P.cite(name, on)
    rows = [c for c in P.history(name) if c.start <= on]
    return rows[-1] if rows else None


def target_max(indicator: str, on: date) -> int | None:
    """The upper end of a range target (（十二） 3—5 联盟, （二十） 3—5 市级一体化基地)
    that applies on ``on`` (or the last one already ended); None for a floor only."""
    _known("indicator", indicator, TARGETS, "指标")
    c = _cap_citation(indicator, on)
    return None if c is None else int(c.value)


def target_above_max(indicator: str, actual: Number | None, on: date) -> int | None:
    """The upper end when ``actual`` exceeds it (the verdict says so), else None."""
    cap = target_max(indicator, on)
    if cap is None or actual is None or _dec(actual) <= cap:
        return None
    return cap


def base_cap(kind: str, level: str, on: date) -> int | None:
    """How many current designations of ``kind`` and ``level`` the policy allows at most
    on ``on`` (（二十） 建设3—5个市级一体化师资研修基地); None: no upper end then."""
    indicator = BASE_TARGETS.get((kind, level))
    if indicator is None or indicator not in TARGET_MAX:
        return None
    name = TARGET_MAX[indicator]
    return int(P.get(name, on)) if P.applies(name, on) else None


def check_base_cap(kind: str, level: str, current: int, on: date) -> int | None:
    """Refuse one more designation when ``current`` ones (designated and not withdrawn
    on ``on``) already reach the upper end; returns how many remain after this one."""
    cap = base_cap(kind, level, on)
    if cap is None:
        return None
    if current >= cap:
        indicator = BASE_TARGETS[(kind, level)]
        c = P.cite(TARGET_MAX[indicator], on)
        low = P.get(TARGETS[indicator], on) if P.applies(TARGETS[indicator], on) else None
        words = f"{low}—{cap}个" if low is not None else f"不超过{cap}个"
        raise PolicyViolation(
            "level",
            current,
            "base_cap",
            c.clause,
            f"已有现行{TARGET_LABELS[indicator]}{current}个，达到政策建设数量上限{cap}个"
            f"（{words}，依据{c.clause}），不能再认定",
        )
    return cap - current - 1


def alliance_period(on: date) -> dict[str, date] | None:
    """The period ({"start", "end"}) whose alliances count towards （十二） 3—5个
    (“十四五”), when ``on`` falls within it; None otherwise (no cap then)."""
    name = TARGET_MAX["alliances"]
    if not P.applies(name, on):
        return None
    c = P.cite(name, on)
    return {"start": c.start, "end": c.end or date.max}


def check_alliance_cap(founded: int, on: date) -> int | None:
    """Refuse one more alliance founded on ``on`` when ``founded`` alliances were
    already founded within the period (（十二） 组建3—5个); returns how many remain."""
    if alliance_period(on) is None:
        return None
    c = P.cite(TARGET_MAX["alliances"], on)
    cap = int(c.value)
    if founded >= cap:
        period = _period_name(c)
        low = P.get(TARGETS["alliances"], on)
        raise PolicyViolation(
            "founded_on",
            founded,
            "alliance_cap",
            c.clause,
            f"{period}期间已组建技工教育联盟（集团）{founded}个，达到政策组建数量上限{cap}个"
            f"（{low}—{cap}个，依据{c.clause}），不能再组建",
        )
    return cap - founded - 1


def interim_score(parts: dict, on: date) -> Decimal:
    """Interim 双优 candidate score, 0–100: 100 × Σ weight × part, each part a fraction
    0–1 already normalised (rates as they are; counts ÷ the largest among candidates);
    a missing part counts 0. Weights: ``designations.interim_weights`` (the platform's
    method, ``before: apply_first``)."""
    weights = {k: _dec(v) for k, v in P.get("designations.interim_weights", on).items()}
    total = Decimal(0)
    for name, w in weights.items():
        x = parts.get(name)
        total += w * (Decimal(0) if x is None else min(max(_dec(x), Decimal(0)), Decimal(1)))
    return (total * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- major catalogue adjustment （十六） ---


@dataclass(frozen=True, slots=True)
class MajorMatch:
    open_majors: int
    matched: int
    share: Decimal | None
    target: Decimal | None
    met: bool
    clause: str


def major_match(open_majors: int, matched: int, on: date) -> MajorMatch:
    """Share of a school's open majors mapped to a key industry chain against the
    target ``targets.major_industry_match_min`` (（十六））; no open major → None.
    Before the target was set: target None, not met, no clause."""
    c = target_citation("major_industry_match", on)
    target = None if c is None else _dec(c.value)
    share = (
        None
        if not open_majors
        else (_dec(matched) / _dec(open_majors)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    )
    met = share is not None and target is not None and share >= target
    return MajorMatch(open_majors, matched, share, target, met, "" if c is None else c.clause)


# --- online enrolment (招生报名) （九）（十） ---

SCHOOLING_LABELS = {  # codes match admissions.Schooling
    "junior": "初中",
    "senior": "普通高中",
    "vocational": "中等职业学校",
    "higher": "大专及以上",
}
ENTRY_POINT_LABELS = {"junior": "初中起点", "senior": "高中起点"}


def _entry_point_of(schooling: str) -> str:
    """The 入学起点 of an applicant's previous schooling: 初中 → junior, else senior."""
    _known("schooling", schooling, SCHOOLING_LABELS, "前置学历")
    return "junior" if schooling == "junior" else "senior"


def _age_on(birth: date, day: date) -> int:
    """Whole years of age on ``day`` (周岁)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def check_applicant_age(level: str, birth: date, year: int, on: date) -> int:
    """An applicant to ``level`` is at least the level's minimum age (周岁) on 1 September
    of the season's ``year`` (a platform default); returns the age."""
    _known("level", level, LEVEL_LABELS, "班级层次")
    c = P.cite("admissions.min_age", on)
    least = int(c.value[level])
    age = _age_on(birth, date(year, 9, 1))
    if age < least:
        raise PolicyViolation(
            "birth_date",
            birth.isoformat(),
            "applicant_age",
            c.clause,
            f"按{year}年9月1日计，申请人{age}周岁，报考{LEVEL_LABELS[level]}"
            f"须年满{least}周岁（{c.basis}）",
        )
    return age


def check_entry_point(level: str, schooling: str, on: date) -> str:
    """An applicant's previous schooling fits the entry points the level takes (a
    platform default: 预备技师（技师）班 高中起点); returns the entry point."""
    _known("level", level, LEVEL_LABELS, "班级层次")
    entry = _entry_point_of(schooling)
    c = P.cite("admissions.entry_points", on)
    taken = list(c.value[level])
    if entry not in taken:
        names = "、".join(ENTRY_POINT_LABELS[e] for e in taken)
        raise PolicyViolation(
            "schooling",
            schooling,
            "entry_point",
            c.clause,
            f"前置学历“{SCHOOLING_LABELS[schooling]}”：{LEVEL_LABELS[level]}招收{names}的学生"
            f"（{c.basis}）",
        )
    return entry


def course_months(level: str, entry_point: str, on: date) -> int:
    """The usual length (学制, months) of ``level`` from ``entry_point`` (a platform default):
    the 学籍 an admission becomes is registered with it."""
    _known("level", level, LEVEL_LABELS, "班级层次")
    _known("entry_point", entry_point, ENTRY_POINT_LABELS, "入学起点")
    return int(P.get("admissions.course_months", on)[level][entry_point])
