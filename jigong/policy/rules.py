"""Rules of 渝人社发〔2022〕32号 as pure functions of plain values and a date ``on``.

Every figure is read from ``parameters`` by date; nothing here hard-codes a number of
the policy. A broken rule raises ``PolicyViolation`` with a Chinese message citing the
clause; a date with no figure in force raises ``ParameterNotInForce``.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from jigong.policy import parameters as P

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
    return f"{format((x * 100).normalize(), 'f')}%"


def _num(x: Decimal) -> str:
    return format(x.normalize(), "f")


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
    policy's date; before it they are not allowed.
    """
    _known("tier", tier, TIER_LABELS, "院校层级")
    standard = set(P.get("classes.levels_standard", on)[tier])
    try:
        explored = set(P.get("classes.levels_explored", on)[tier])
    except P.ParameterNotInForce:
        explored = set()
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
        clause = P.cite("classes.levels_standard", on).clause
        raise PolicyViolation(
            "level",
            level,
            "level_for_tier",
            clause,
            f"班级层次“{LEVEL_LABELS[level]}”不在{TIER_LABELS[tier]}可开设的层次内（依据{clause}）",
        )
    return status


# --- certificate equivalence （十八） ---


def equivalence(level: str, on: date) -> str:
    """Education level a graduate of ``level`` counts as: secondary / junior_college / bachelor."""
    _known("level", level, LEVEL_LABELS, "班级层次")
    return P.get("certificates.equivalence", on)[level]


def equivalence_label(level: str, on: date) -> str:
    """Chinese label of the equivalence, e.g. 大专."""
    return EQUIVALENCE_LABELS[equivalence(level, on)]


def equivalence_uses(on: date) -> list[str]:
    """Policies applied by the equivalent education level (职称评审, 参军入伍 …)."""
    return list(P.get("certificates.equivalence_uses", on))


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
    performance-pay total. For units rated excellent it allows "调控超额绩效年人均水平的
    控制增幅可适当上浮（不超过调控基数的5个百分点）". Strictly that sentence loosens the
    cap on the per-capita growth of performance pay, measured against the control base,
    which the platform does not model; the platform reads it as raising the rate cap by
    at most 5 percentage points (20% → 25%) for excellent units, the minimum unchanged.
    ``rate`` is a fraction (0.10 = 10%); the amount is rounded half-up to the cent.
    """
    revenue, rate = _dec(revenue), _dec(rate)
    low = _dec(P.get("pay_supplement.rate_min", on))
    high = _dec(P.get("pay_supplement.rate_max", on))
    clause = P.cite("pay_supplement.rate_max", on).clause
    steps = [f"当年社会培训收入：{revenue:,.2f} 元", f"追加比例范围：{_pct(low)}—{_pct(high)}"]
    if excellent:
        extra = _dec(P.get("pay_supplement.excellent_extra_max", on))
        high += extra
        steps.append(f"绩效考核优秀：比例上限上浮{_num(extra * 100)}个百分点，至{_pct(high)}")
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


# --- labour education （五）, practical test weight （二十） ---


def labour_hours_ok(hours: Number, on: date) -> bool:
    """At least the required 学时 per school year of 劳模/劳动/工匠精神 education (（五））."""
    return _dec(hours) >= _dec(P.get("education.labour_spirit_hours_min", on))


def check_labour_hours(hours: Number, on: date) -> None:
    if not labour_hours_ok(hours, on):
        c = P.cite("education.labour_spirit_hours_min", on)
        raise PolicyViolation(
            "hours",
            hours,
            "labour_hours",
            c.clause,
            f"劳模精神、劳动精神、工匠精神专题教育“{hours}”学时少于每学年{c.value}学时（依据{c.clause}）",
        )


def practical_weight_ok(weight: Number, on: date) -> bool:
    """Practical test weight (fraction) at least the minimum (（二十））."""
    w = _dec(weight)
    return _dec(P.get("recruitment.practical_test_weight_min", on)) <= w <= 1


def check_practical_weight(weight: Number, on: date) -> None:
    c = P.cite("recruitment.practical_test_weight_min", on)
    w = _dec(weight)
    if not 0 <= w <= 1:
        raise PolicyViolation(
            "practical_weight",
            weight,
            "range",
            c.clause,
            f"实际操作能力测试比重“{weight}”应在0到1之间",
        )
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
    """A 非全日制 registration of an enterprise employee must last at least a year (（十））."""
    _known("track", track, TRACK_LABELS, "学籍类型")
    _known("source", source, SOURCE_LABELS, "生源类别")
    if track != "part_time" or source != "enterprise_employee":
        return
    c = P.cite("enrolment.part_time_enterprise_min_months", on)
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


def target_citation(indicator: str, on: date) -> P.Citation:
    """The target value that applies on ``on``: in force, or the last one already ended."""
    _known("indicator", indicator, TARGETS, "指标")
    name = TARGETS[indicator]
    rows = [c for c in P.history(name) if c.start <= on]
    if not rows:
        raise P.ParameterNotInForce(name, on, "；".join(c.period for c in P.history(name)))
    return rows[-1]


def target_status(indicator: str, actual: Number, on: date) -> str:
    """ "met", "not_met" or "in_progress" for an at-least target on ``on``.

    Met as soon as ``actual`` reaches the target; while the target's period runs (or has
    no end) it is otherwise "in_progress"; after the period it is "not_met". For
    ``training_person_times`` pass the 2021–2025 cumulative count.
    """
    c = target_citation(indicator, on)
    if _dec(actual) >= _dec(c.value):
        return "met"
    return "in_progress" if c.end is None or on <= c.end else "not_met"


# --- platform parameters: quality weights （二十四）, internship filing （二十一） ---


def quality_weights(on: date) -> dict[str, Decimal]:
    """Weights of the quality evaluation dimensions (platform parameters, sum 1)."""
    weights = {k: _dec(P.get(f"quality.weight.{k}", on)) for k in QUALITY_DIMENSIONS}
    if sum(weights.values()) != 1:
        raise ValueError(f"quality weights must sum to 1 on {on}: {weights}")
    return weights


def internship_filing_deadline(internship_start: date, on: date) -> date:
    """Latest date to file an internship plan starting on ``internship_start`` (（二十一））."""
    return internship_start - timedelta(days=P.get("management.internship_filing_lead_days", on))


def cross_province_partners(on: date) -> list[str]:
    """GB/T 2260 province codes of the cross-province enrolment partners (（九））."""
    return list(P.get("enrolment.cross_province_partners", on))
