"""The indicator catalogue: every figure the platform tracks against 渝人社发〔2022〕32号.

Each `Indicator` states its Chinese name, unit, numerator and denominator in words, the
source tables, the policy clause and the target parameter (`jigong.policy.rules.TARGETS`)
where the policy sets one. Its definition *as a query* is the `aggregates` it declares
over its source model: `Indicator.query(user, years)` gives the queryset (start:
``restrict(user, "view")``), and `str(query.query)` its SQL.

Every indicator is computed at school grain (and major grain where meaningful) for a run
of years in ONE query; `selectors.compute` rolls school-grain figures up to the city,
一区两群 group, 区县 and tier. Ratios roll up as Σ numerator ÷ Σ denominator.

Periods. For year Y:
  flow      — rows dated within Y (1 Jan–31 Dec);
  snapshot  — the state on 31 Dec Y, or today while Y is the current year;
  cumulative — rows from the target period's first year up to Y (training 2021–2025).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jigong.policy import parameters as P
from jigong.policy import rules

COUNT, RATIO = "count", "ratio"
FLOW, SNAPSHOT, CUMULATIVE = "flow", "snapshot", "cumulative"
TECHNICIAN_SKILL_LEVEL = 2  # 二级/技师 (certificates.SkillLevel.LEVEL_2)


def today() -> datetime.date:
    return timezone.localdate()


def year_start(y: int) -> datetime.date:
    return datetime.date(y, 1, 1)


def year_end(y: int) -> datetime.date:
    return datetime.date(y, 12, 31)


def as_of(y: int) -> datetime.date:
    """The snapshot date of year ``y``: 31 Dec, or today during the current year."""
    return min(year_end(y), today())


def span(y: int) -> tuple[datetime.date, datetime.date]:
    return year_start(y), year_end(y)


def training_period() -> tuple[int, int]:
    """First and last year of the cumulative training target (“十四五”: 2021–2025)."""
    c = P.history(rules.TARGETS["training_person_times"])[0]
    return c.start.year, (c.end or datetime.date.max).year


def trend_years(year: int) -> list[int]:
    """Years shown as a trend: from the “十四五” start to ``year`` (at least to its end)."""
    first, last = training_period()
    return list(range(first, max(year, last) + 1)) if year >= first else [year]


def cross_province_partners(y: int) -> list[str]:
    """Partner provinces (（九）) at the end of ``y``; before the policy took effect,
    its first list (the parameter's ``before: apply_first``: a baseline for those years)."""
    return rules.cross_province_partners(year_end(y))


def _plan_start() -> int:
    """First year of the 双优计划 (（十四））: designations count over the plan from it."""
    return P.history(rules.TARGETS["quality_schools"])[0].start.year


def _school_and_major():
    """A designated major as the plan counts it: a school's major, whatever its level."""
    from django.db.models import CharField, Value
    from django.db.models.functions import Cast, Concat

    return Concat(
        Cast("school_major__school_id", CharField()),
        Value("-"),
        Cast("school_major__major_id", CharField()),
        output_field=CharField(),
    )


def _partner_codes() -> list[str]:
    return list(P.history("enrolment.cross_province_partners")[-1].value)


@dataclass(frozen=True)
class Indicator:
    """One indicator. ``num(y)``/``den(y)`` are aggregate expressions for year ``y`` over
    the rows of ``model`` kept by ``base(years)``; ``annotate(years)`` adds the
    annotations (Exists subqueries) they refer to."""

    code: str
    name: str
    unit: str
    kind: str  # COUNT or RATIO
    period: str  # FLOW, SNAPSHOT or CUMULATIVE
    numerator: str
    denominator: str | None
    sources: tuple[str, ...]
    clause: str
    model: str  # app label.Model the query starts from (restrict(user, "view"))
    school_path: str
    num: Callable[[int], object]
    den: Callable[[int], object] | None = None
    base: Callable[[list[int]], Q] = lambda years: Q()
    annotate: Callable[[list[int]], dict] | None = None
    major_path: str | None = None
    target: str | None = None  # key of jigong.policy.rules.TARGETS
    note: str = ""
    grain: Callable | None = field(default=None, repr=False)  # custom grain (distinct sets)
    # computed with the other members of its family in one query (families.py); ``cell``
    # folds one group of the family query into this indicator
    family: str | None = None
    cell: Callable | None = field(default=None, repr=False)
    # rows of no school (a 规划教材 without a lead school) count for the whole city only
    citywide: bool = False

    @property
    def is_ratio(self) -> bool:
        return self.kind == RATIO

    @property
    def by_major(self) -> bool:
        return self.major_path is not None

    def get_model(self):
        from django.apps import apps

        return apps.get_model(self.model)

    def query(self, user, years: list[int], dim: str = "school"):
        """The queryset of this indicator for ``user`` and ``years`` at ``dim`` grain
        (``school`` or ``major``): values(key) annotated n<year>[, d<year>]."""
        from jigong.core.permissions import restrict

        years = [y for y in years if self.num(y) is not None]
        qs = restrict(user, self.get_model(), "view")
        key = self.school_path if dim == "school" else self.major_path
        if not years:
            return qs.none().values(key)
        if self.annotate:
            qs = qs.annotate(**self.annotate(years))
        qs = qs.filter(self.base(years))
        aggregates = {}
        for y in years:
            aggregates[f"n{y}"] = self.num(y)
            if self.den is not None:
                aggregates[f"d{y}"] = self.den(y)
        return qs.values(key).annotate(**aggregates).order_by()

    def target_citation(self, on: datetime.date):
        """The target citation applying on ``on``, or None (no target, or not yet set)."""
        return rules.target_citation(self.target, on) if self.target else None

    def definition(self) -> str:
        if self.denominator:
            return _("%(n)s ÷ %(d)s") % {"n": self.numerator, "d": self.denominator}
        return str(self.numerator)


# --- query helpers ---------------------------------------------------------------


def _in(field_name: str, y: int) -> Q:
    return Q(**{f"{field_name}__range": span(y)})


def _within(field_name: str, years: list[int]) -> Q:
    return Q(**{f"{field_name}__range": (year_start(min(years)), year_end(max(years)))})


def _registered_at(y: int) -> Q:
    """A registration in school on the snapshot date of ``y`` (enrolled, not yet left)."""
    d = as_of(y)
    return Q(enrolled_on__lte=d) & (Q(left_on__isnull=True) | Q(left_on__gt=d))


def _registered_base(years: list[int]) -> Q:
    first = as_of(min(years))
    return Q(enrolled_on__lte=as_of(max(years))) & (Q(left_on__isnull=True) | Q(left_on__gt=first))


def _count(q: Q | None = None):
    return Count("pk", filter=q) if q is not None else Count("pk")


def _transferred_in():
    from jigong.students.models import Status, StatusChange

    return Exists(
        StatusChange.objects.filter(registration=OuterRef("pk"), status=Status.TRANSFERRED_IN)
    )


def _new_base(years: list[int]) -> Q:
    return _within("enrolled_on", years) & Q(transfer=False)


def _new_annotate(years: list[int]) -> dict:
    return {"transfer": _transferred_in()}


def _graduated_base(years: list[int]) -> Q:
    return Q(status="graduated") & _within("left_on", years)


def _certified(y: int, level: int | None = None):
    from jigong.certificates.models import SkillCertificate

    certs = SkillCertificate.objects.filter(person=OuterRef("person_id"), issued_on__range=span(y))
    if level is not None:
        certs = certs.filter(level=level)
    return Exists(certs)


def _teacher_active(y: int) -> Q:
    d = as_of(y)
    return Q(hired_on__lte=d) & (Q(left_on__isnull=True) | Q(left_on__gt=d))


def _agreement_active(y: int) -> Q:
    return Q(started_on__lte=year_end(y)) & (
        Q(ended_on__isnull=True) | Q(ended_on__gte=year_start(y))
    )


def _school_running(y: int) -> Q:
    d = as_of(y)
    return Q(status__in=("operating", "suspended")) & (
        Q(founded_on__isnull=True) | Q(founded_on__lte=d)
    )


def _key_chain():
    from jigong.schools.models import SchoolMajor

    through = SchoolMajor.chains.through
    return Exists(
        through.objects.filter(schoolmajor=OuterRef("pk"), industrychain__cluster__is_key=True)
    )


def _cumulative(y: int):
    first, last = training_period()
    if y < first:
        return None
    return _count(Q(year__gte=first, year__lte=min(y, last)))


def _alliance_grain(user, years: list[int], dim: str):
    """Alliances (（十二）) with at least one member school in the scope, founded by the
    snapshot date; at school grain a set of alliance ids (a distinct count rolls up as a
    union, not a sum)."""
    from jigong.cooperation.models import AllianceMember
    from jigong.core.permissions import restrict
    from jigong.schools.models import School

    rows = (
        restrict(user, AllianceMember, "view")
        .filter(school__in=restrict(user, School, "view").values("pk"))
        .values_list("school_id", "alliance_id", "alliance__founded_on", "joined_on")
    )
    out: dict[int, dict] = {y: {} for y in years}
    for school_id, alliance_id, founded, joined in rows:
        for y in years:
            d = as_of(y)
            if founded <= d and joined <= d:
                out[y].setdefault(school_id, (set(), None))[0].add(alliance_id)
    return out


def _designation_current(y: int) -> Q:
    """A base or title designated by the snapshot date of ``y`` and not withdrawn then."""
    d = as_of(y)
    return Q(designated_on__lte=d) & (Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=d))


def _textbooks_from() -> datetime.date:
    """（十七）'s textbooks count from the policy's date (the target's first value)."""
    return P.history(rules.TARGETS["planned_textbooks"])[0].start


def _textbook_counted(y: int) -> Q:
    """A textbook approved from the policy's date up to the snapshot date of ``y`` and
    not withdrawn by then."""
    d = as_of(y)
    return Q(approved_on__gte=_textbooks_from(), approved_on__lte=d) & (
        Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=d)
    )


def _base_indicator(code, name, kind, level, clause, words, *, unit=None, distinct=False):
    return Indicator(
        code=code,
        name=name,
        unit=unit or _("个"),
        kind=COUNT,
        period=SNAPSHOT,
        numerator=words,
        denominator=None,
        sources=("workflows_basedesignation",),
        clause=clause,
        model="workflows.BaseDesignation",
        school_path="school_id",
        base=lambda ys: Q(kind=kind, level=level),
        num=(
            (lambda y: Count("school_id", distinct=True, filter=_designation_current(y)))
            if distinct
            else (lambda y: _count(_designation_current(y)))
        ),
        target=code,
    )


def _textbook_indicator(code, name, kind, unit, words):
    return Indicator(
        code=code,
        name=name,
        unit=unit,
        kind=COUNT,
        period=CUMULATIVE,
        numerator=words,
        denominator=None,
        sources=("workflows_textbook",),
        clause="（十七）",
        model="workflows.Textbook",
        school_path="school_id",
        base=lambda ys: Q(kind=kind),
        num=lambda y: _count(_textbook_counted(y)),
        target=code,
        citywide=kind == "planned",
    )


_CURRENT_WORDS = "年末（当年为今日）现有的%(n)s数：认定日期不晚于统计日且未撤销"
_TEXTBOOK_WORDS = "自政策施行之日（%(d)s）起至年末（当年为今日）登记的%(n)s数，已停用的不计"


def _target_register_indicators() -> list[Indicator]:
    """（四）（十七）（二十）: bases and titles current at year end, textbooks cumulative."""
    bases = [
        ("ideology_bases_national", "ideology_base", "national", "（四）"),
        ("ideology_bases_municipal", "ideology_base", "municipal", "（四）"),
        ("integrated_bases_national", "integrated_base", "national", "（二十）"),
        ("integrated_bases_municipal", "integrated_base", "municipal", "（二十）"),
    ]
    items = [
        _base_indicator(
            code,
            rules.TARGET_LABELS[code],
            kind,
            level,
            clause,
            _(_CURRENT_WORDS) % {"n": rules.TARGET_LABELS[code]},
        )
        for code, kind, level, clause in bases
    ]
    items.append(
        _base_indicator(
            "digital_excellent_schools",
            _("国家级数字化资源建设与应用优秀院校"),
            "digital_school",
            "national",
            "（十七）",
            _(
                "年末（当年为今日）持有国家级技工教育数字化资源建设与应用优秀院校称号的学校数（未撤销，同一学校只计一次）"
            ),
            unit=_("所"),
            distinct=True,
        )
    )
    items += [
        _textbook_indicator(
            "planned_textbooks",
            _("技工教育规划教材"),
            "planned",
            _("种"),
            _(_TEXTBOOK_WORDS)
            % {"n": "规划教材（未指定牵头学校的只计入全市）", "d": _textbooks_from().isoformat()},
        ),
        _textbook_indicator(
            "school_textbooks",
            _("校本教材"),
            "school",
            _("本"),
            _(_TEXTBOOK_WORDS) % {"n": "校本教材", "d": _textbooks_from().isoformat()},
        ),
    ]
    return items


def _aid_indicators() -> list[Indicator]:
    """（二十一） 学生资助: the recipients paid in the year (a paid application registers its
    recipient, as does a recipient recorded directly) and the amounts paid; no target."""

    def paid(y: int) -> Q:
        return _in("granted_on", y)

    common = {
        "kind": COUNT,
        "period": FLOW,
        "denominator": None,
        "sources": ("workflows_aidrecipient", "workflows_aidprogramme"),
        "clause": "（二十一）",
        "model": "workflows.AidRecipient",
        "school_path": "programme__school_id",
        "base": lambda ys: Q(granted_on__year__gte=min(ys), granted_on__year__lte=max(ys)),
    }
    return [
        Indicator(
            code="aid_recipients",
            name=_("受助学生人次"),
            unit=_("人次"),
            numerator=_("发放日期在当年的受助学生记录数（一名学生受一个资助项目资助为一人次）"),
            num=lambda y: _count(paid(y)),
            **common,
        ),
        Indicator(
            code="aid_amount",
            name=_("学生资助金额"),
            unit=_("元"),
            numerator=_("发放日期在当年的受助学生资助金额合计"),
            num=lambda y: Sum("amount", filter=paid(y)),
            **common,
        ),
    ]


# --- （九） online enrolment ---------------------------------------------------------


def _season_years(years: list[int]) -> Q:
    return Q(application__season__year__gte=min(years), application__season__year__lte=max(years))


def _held(y: int) -> Q:
    from jigong.admissions.models import HOLDS_PLACE

    return Q(application__season__year=y, state__in=HOLDS_PLACE)


def _plan_fulfilment_grain(user, years: list[int], dim: str):
    """{year: {school id: (places held, approved quota)}}: the choices of the year's
    season holding a place (admitted, confirmed, enrolled) and the quota of the school's
    approved plan of that year, both in the user's scope."""
    from jigong.admissions.models import HOLDS_PLACE, Choice
    from jigong.core.permissions import restrict
    from jigong.workflows.models import EnrolmentPlanLine

    out: dict[int, dict] = {y: {} for y in years}
    held = (
        restrict(user, Choice, "view")
        .filter(_season_years(years), state__in=HOLDS_PLACE)
        .values_list("school_id", "application__season__year")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for school_id, y, n in held:
        out[y][school_id] = (n, 0)
    quota = (
        restrict(user, EnrolmentPlanLine, "view")
        .filter(plan__year__gte=min(years), plan__year__lte=max(years), plan__state="approved")
        .values_list("plan__school_id", "plan__year")
        .annotate(q=Sum("quota"))
        .order_by()
    )
    for school_id, y, q in quota:
        out[y][school_id] = (out[y].get(school_id, (0, 0))[0], q)
    return out


def _entry_tier():
    """The school's tier on the registration's entry date (``schools.selectors.tier_on``
    as a subquery): the tier before the earliest change after that date, else today's."""
    from django.db.models import F, Subquery
    from django.db.models.functions import Coalesce

    from jigong.schools.models import TierChange

    later = TierChange.objects.filter(
        school_id=OuterRef("school_id"), effective_on__gt=OuterRef("enrolled_on")
    ).order_by("effective_on", "pk")
    return Coalesce(Subquery(later.values("from_tier")[:1]), F("school__tier"))


# 高中毕业生 among entrants: 应届高中毕业生, and 往届毕业生 entering at the senior entry point
# (高中/中职 schooling; the 学籍 keeps the entry point, not the school attended).
SENIOR_GRADUATE = Q(source="senior_graduate") | Q(source="previous_graduate", entry_point="senior")
_TECHNICIAN_SHARES = (
    (
        "technician_entrants_senior_share",
        _("技师学院新生中高中毕业生占比"),
        SENIOR_GRADUATE,
        _("当年入学的技师学院新生中，生源为应届高中毕业生、或以高中起点入学的往届毕业生的人数"),
    ),
    (
        "technician_entrants_veteran_share",
        _("技师学院新生中退役军人占比"),
        Q(source="veteran"),
        _("当年入学的技师学院新生中，生源为退役军人的人数"),
    ),
    (
        "technician_entrants_poverty_share",
        _("技师学院新生中脱贫家庭新成长劳动力占比"),
        Q(source="poverty_family"),
        _("当年入学的技师学院新生中，生源为脱贫家庭新成长劳动力的人数"),
    ),
)


def _technician_entrant_base(years: list[int]) -> Q:
    return _new_base(years) & Q(entry_tier="technician_college")


def _choice_province_indicator(code, name, numerator, province_q, *, held: bool):
    def num(y: int):
        q = Q(application__season__year=y) & province_q(y)
        return _count(q & _held(y) if held else q)

    return Indicator(
        code=code,
        name=name,
        unit=_("人次"),
        kind=COUNT,
        period=FLOW,
        numerator=numerator,
        denominator=None,
        sources=("admissions_choice", "admissions_application", "admissions_season"),
        clause="（九）",
        model="admissions.Choice",
        school_path="school_id",
        major_path="school_major__major_id",
        base=_season_years,
        num=num,
        note=_("按志愿计：一名考生的每个志愿计一人次，计入志愿所填学校。"),
    )


def _admission_indicators(partners: list[str]) -> list[Indicator]:
    """（九）: plan fulfilment, the shares among 技师学院 entrants, and applications and
    admissions from the partner provinces. The policy sets no figure for them."""
    from jigong.standards.regions import PROVINCES

    items = [
        Indicator(
            code="plan_fulfilment",
            name=_("招生计划完成率"),
            unit=_("比例"),
            kind=RATIO,
            period=FLOW,
            numerator=_("当年招生季已录取、已确认和已注册学籍的志愿数（占用计划名额）"),
            denominator=_("学校当年已批准招生计划的计划数之和"),
            sources=(
                "admissions_choice",
                "admissions_application",
                "admissions_season",
                "workflows_enrolmentplan",
                "workflows_enrolmentplanline",
            ),
            clause="（九）",
            model="admissions.Choice",
            school_path="school_id",
            num=lambda y: _count(_held(y)),
            grain=_plan_fulfilment_grain,
            note=_("只计网上和现场报名录取的名额；无已批准计划的学校分母为0。"),
        )
    ]
    for code, name, counted, words in _TECHNICIAN_SHARES:
        items.append(
            Indicator(
                code=code,
                name=name,
                unit=_("比例"),
                kind=RATIO,
                period=FLOW,
                numerator=words,
                denominator=_("当年入学、入学之日学校为技师学院的学籍数（转学转入的不计）"),
                sources=(*_REG, "students_statuschange", "schools_tierchange", "schools_school"),
                clause="（九）",
                model="students.Registration",
                school_path="school_id",
                major_path="major_id",
                annotate=lambda ys: {**_new_annotate(ys), "entry_tier": _entry_tier()},
                base=_technician_entrant_base,
                num=lambda y, counted=counted: _count(_in("enrolled_on", y) & counted),
                den=lambda y: _count(_in("enrolled_on", y)),
                note=_(
                    "学校层级按入学日期判断（层次变更记录）；意见要求扩大该比例，未设具体目标值。"
                ),
            )
        )

    def partner(y: int) -> Q:
        return Q(application__home_province__in=cross_province_partners(y))

    items += [
        _choice_province_indicator(
            "enrol_applications_cross_province",
            _("跨省报名人次（云南、贵州、四川）"),
            _("当年招生季、生源省份为跨省招生合作省份的报名志愿数"),
            partner,
            held=False,
        ),
        _choice_province_indicator(
            "enrol_admitted_cross_province",
            _("跨省录取人次（云南、贵州、四川）"),
            _("当年招生季、生源省份为跨省招生合作省份且已录取（含已确认、已注册学籍）的志愿数"),
            partner,
            held=True,
        ),
    ]
    for code in partners:
        province = PROVINCES.get(code, code)
        words = {"p": province, "c": code}
        items += [
            _choice_province_indicator(
                f"enrol_applications_cross_province_{code}",
                _("跨省报名人次（%(p)s）") % words,
                _("当年招生季、生源省份为%(p)s（%(c)s）的报名志愿数") % words,
                lambda y, code=code: Q(application__home_province=code),
                held=False,
            ),
            _choice_province_indicator(
                f"enrol_admitted_cross_province_{code}",
                _("跨省录取人次（%(p)s）") % words,
                _("当年招生季、生源省份为%(p)s（%(c)s）且已录取（含已确认、已注册学籍）的志愿数")
                % words,
                lambda y, code=code: Q(application__home_province=code),
                held=True,
            ),
        ]
    return items


# --- the catalogue ---------------------------------------------------------------

_IN_SCHOOL_WORDS = _("年末（当年为今日）在校的学籍数：入学日期不晚于统计日且未离校（含休学）")
_REG = ("students_registration",)


def _indicators() -> list[Indicator]:
    from jigong.employment.models import COUNTED_AS_EMPLOYED
    from jigong.indicators import families as F

    partners = _partner_codes()
    from jigong.standards.regions import PROVINCES

    items = [
        Indicator(
            code="students_in_school",
            family="registrations",
            cell=F.in_school(),
            name=_("在校生规模"),
            unit=_("人"),
            kind=COUNT,
            period=SNAPSHOT,
            numerator=_IN_SCHOOL_WORDS,
            denominator=None,
            sources=_REG,
            clause="（二）",
            model="students.Registration",
            school_path="school_id",
            major_path="major_id",
            base=_registered_base,
            num=lambda y: _count(_registered_at(y)),
            target="students_in_school",
        ),
        Indicator(
            code="students_in_school_full_time",
            family="registrations",
            cell=F.in_school(lambda r: r["track"] == "full_time"),
            name=_("全日制在校生"),
            unit=_("人"),
            kind=COUNT,
            period=SNAPSHOT,
            numerator=_("全日制学籍中年末在校的人数"),
            denominator=None,
            sources=_REG,
            clause="（二十一）",
            model="students.Registration",
            school_path="school_id",
            major_path="major_id",
            base=lambda ys: _registered_base(ys) & Q(track="full_time"),
            num=lambda y: _count(_registered_at(y)),
        ),
        Indicator(
            code="students_in_school_part_time",
            family="registrations",
            cell=F.in_school(lambda r: r["track"] == "part_time"),
            name=_("非全日制在校生"),
            unit=_("人"),
            kind=COUNT,
            period=SNAPSHOT,
            numerator=_("非全日制学籍中年末在校的人数"),
            denominator=None,
            sources=_REG,
            clause="（二十一）",
            model="students.Registration",
            school_path="school_id",
            major_path="major_id",
            base=lambda ys: _registered_base(ys) & Q(track="part_time"),
            num=lambda y: _count(_registered_at(y)),
        ),
        Indicator(
            code="new_enrolment",
            family="registrations",
            cell=F.enrolled(),
            name=_("招生人数"),
            unit=_("人"),
            kind=COUNT,
            period=FLOW,
            numerator=_("当年入学的学籍数（转学转入的学籍不重复计算）"),
            denominator=None,
            sources=(*_REG, "students_statuschange"),
            clause="（九）",
            model="students.Registration",
            school_path="school_id",
            major_path="major_id",
            annotate=_new_annotate,
            base=_new_base,
            num=lambda y: _count(_in("enrolled_on", y)),
        ),
        Indicator(
            code="graduates",
            family="registrations",
            cell=F.graduated(),
            name=_("毕业生人数"),
            unit=_("人"),
            kind=COUNT,
            period=FLOW,
            numerator=_("当年离校且学籍状态为“毕业”的学籍数（不含结业）"),
            denominator=None,
            sources=_REG,
            clause="（八）",
            model="students.Registration",
            school_path="school_id",
            major_path="major_id",
            base=_graduated_base,
            num=lambda y: _count(_in("left_on", y)),
        ),
    ]
    for level, label in rules.LEVEL_LABELS.items():
        items.append(
            Indicator(
                code=f"graduates_{level}",
                family="registrations",
                cell=F.graduated(lambda r, level=level: r["level"] == level),
                name=_("毕业生人数（%(l)s）") % {"l": label},
                unit=_("人"),
                kind=COUNT,
                period=FLOW,
                numerator=_("当年毕业、班级层次为“%(l)s”的学籍数") % {"l": label},
                denominator=None,
                sources=_REG,
                clause="（八）",
                model="students.Registration",
                school_path="school_id",
                major_path="major_id",
                base=lambda ys, level=level: _graduated_base(ys) & Q(level=level),
                num=lambda y: _count(_in("left_on", y)),
            )
        )
    items += [
        Indicator(
            code="employment_rate",
            family="employment",
            cell=F.employment,
            name=_("毕业生就业率"),
            unit=_("比例"),
            kind=RATIO,
            period=FLOW,
            numerator=_("当年毕业生中去向为就业、升学、参军入伍、自主创业的人数"),
            denominator=_("当年毕业且已登记就业去向的毕业生人数"),
            sources=("employment_employmentoutcome",),
            clause="（二）",
            model="employment.EmploymentOutcome",
            school_path="school_id",
            major_path="registration__major_id",
            base=lambda ys: Q(graduation_year__gte=min(ys), graduation_year__lte=max(ys)),
            num=lambda y: _count(Q(graduation_year=y, status__in=COUNTED_AS_EMPLOYED)),
            den=lambda y: _count(Q(graduation_year=y)),
            target="employment_rate",
            note=_(
                "计入就业的去向见 employment.models.COUNTED_AS_EMPLOYED；"
                "未登记去向的毕业生不计入分母。"
            ),
        ),
        Indicator(
            code="training_person_times",
            family="training",
            cell=F.training_year,
            name=_("职业技能培训人次（当年）"),
            unit=_("人次"),
            kind=COUNT,
            period=FLOW,
            numerator=_("当年的培训记录数（一条记录为一人次）"),
            denominator=None,
            sources=("training_trainingrecord",),
            clause="（七）",
            model="training.TrainingRecord",
            school_path="school_id",
            base=lambda ys: Q(year__gte=min(ys), year__lte=max(ys)),
            num=lambda y: _count(Q(year=y)),
        ),
        Indicator(
            code="training_person_times_cumulative",
            family="training",
            cell=F.training_cumulative,
            name=_("职业技能培训人次（“十四五”累计）"),
            unit=_("人次"),
            kind=COUNT,
            period=CUMULATIVE,
            numerator=_("“十四五”首年至当年（至多至2025年）的培训记录数"),
            denominator=None,
            sources=("training_trainingrecord",),
            clause="（二）",
            model="training.TrainingRecord",
            school_path="school_id",
            base=lambda ys: Q(
                year__gte=training_period()[0], year__lte=min(max(ys), training_period()[1])
            ),
            num=_cumulative,
            target="training_person_times",
        ),
        Indicator(
            code="graduate_skill_certificates",
            family="registrations",
            cell=F.graduated(num="c"),
            name=_("毕业生当年获职业技能等级证书人数"),
            unit=_("人"),
            kind=COUNT,
            period=FLOW,
            numerator=_("当年毕业生中，毕业年度内取得职业技能等级证书（任一等级）的人数"),
            denominator=None,
            sources=(*_REG, "certificates_skillcertificate"),
            clause="（八）",
            model="students.Registration",
            school_path="school_id",
            major_path="major_id",
            annotate=lambda ys: {f"cert{y}": _certified(y) for y in ys},
            base=_graduated_base,
            num=lambda y: _count(_in("left_on", y) & Q(**{f"cert{y}": True})),
            note=_("按毕业生所在学校统计，无论证书由哪家评价机构颁发。"),
        ),
        Indicator(
            code="graduate_skill_certificate_rate",
            family="registrations",
            cell=F.graduated(num="c", ratio=True),
            name=_("毕业生当年取证率"),
            unit=_("比例"),
            kind=RATIO,
            period=FLOW,
            numerator=_("当年毕业生中，毕业年度内取得职业技能等级证书的人数"),
            denominator=_("当年毕业生人数"),
            sources=(*_REG, "certificates_skillcertificate"),
            clause="（八）",
            model="students.Registration",
            school_path="school_id",
            major_path="major_id",
            annotate=lambda ys: {f"cert{y}": _certified(y) for y in ys},
            base=_graduated_base,
            num=lambda y: _count(_in("left_on", y) & Q(**{f"cert{y}": True})),
            den=lambda y: _count(_in("left_on", y)),
        ),
        Indicator(
            code="technician_certificate_share",
            family="registrations",
            cell=F.graduated(lambda r: r["tcol"], num="tc", ratio=True),
            name=_("技师学院毕业生毕业年度取得技师证书的比例"),
            unit=_("比例"),
            kind=RATIO,
            period=FLOW,
            numerator=_("技师学院当年毕业生中，毕业年度内取得二级/技师职业技能等级证书的人数"),
            denominator=_("技师学院当年毕业生人数"),
            sources=(*_REG, "certificates_skillcertificate", "schools_school"),
            clause="（八）",
            model="students.Registration",
            school_path="school_id",
            major_path="major_id",
            annotate=lambda ys: {f"tech{y}": _certified(y, TECHNICIAN_SKILL_LEVEL) for y in ys},
            base=lambda ys: _graduated_base(ys) & Q(school__tier="technician_college"),
            num=lambda y: _count(_in("left_on", y) & Q(**{f"tech{y}": True})),
            den=lambda y: _count(_in("left_on", y)),
            note=_("其他层级学校无技师学院毕业生，分母为0，显示“无数据”。"),
        ),
        Indicator(
            code="major_industry_match",
            name=_("专业设置与重点产业匹配度"),
            unit=_("比例"),
            kind=RATIO,
            period=SNAPSHOT,
            numerator=_("招生状态的开设专业中，对接至少一条重点产业集群产业链的专业数"),
            denominator=_("招生状态的开设专业数（开设年度不晚于当年）"),
            sources=(
                "schools_schoolmajor",
                "schools_schoolmajor_chains",
                "reference_industrychain",
                "reference_industrycluster",
            ),
            clause="（十六）",
            model="schools.SchoolMajor",
            school_path="school_id",
            major_path="major_id",
            annotate=lambda ys: {"key_chain": _key_chain()},
            base=lambda ys: Q(status="open", opened_year__lte=max(ys)),
            num=lambda y: _count(Q(opened_year__lte=y, key_chain=True)),
            den=lambda y: _count(Q(opened_year__lte=y)),
            target="major_industry_match",
            note=_("专业状态和产业链对接为当前登记值，历史年度按开设年度回溯。"),
        ),
        Indicator(
            code="quality_schools",
            name=_("优质技工院校"),
            unit=_("所"),
            kind=COUNT,
            period=SNAPSHOT,
            numerator=_("“双优计划”各批次截至当年累计认定的优质院校数（同一学校只计一次）"),
            denominator=None,
            sources=("schools_schooldesignation",),
            clause="（十四）",
            model="schools.SchoolDesignation",
            school_path="school_id",
            base=lambda ys: Q(kind="quality_school", year__gte=_plan_start(), year__lte=max(ys)),
            num=lambda y: Count("school_id", distinct=True, filter=Q(year__lte=y)),
            target="quality_schools",
        ),
        Indicator(
            code="quality_majors",
            name=_("优质专业"),
            unit=_("个"),
            kind=COUNT,
            period=SNAPSHOT,
            numerator=_(
                "“双优计划”各批次截至当年累计认定的优质专业数（同一学校的同一专业在不同班级层次认定只计一次）"
            ),
            denominator=None,
            sources=("schools_qualitymajordesignation", "schools_schoolmajor"),
            clause="（十四）",
            model="schools.QualityMajorDesignation",
            school_path="school_major__school_id",
            major_path="school_major__major_id",
            base=lambda ys: Q(year__gte=_plan_start(), year__lte=max(ys)),
            num=lambda y: Count(_school_and_major(), distinct=True, filter=Q(year__lte=y)),
            target="quality_majors",
        ),
        Indicator(
            code="alliances",
            name=_("技工教育联盟（集团）"),
            unit=_("个"),
            kind=COUNT,
            period=SNAPSHOT,
            numerator=_("年末已成立、且有范围内学校为成员的联盟（集团）数（去重）"),
            denominator=None,
            sources=("cooperation_alliance", "cooperation_alliancemember"),
            clause="（十二）",
            model="cooperation.AllianceMember",
            school_path="school_id",
            num=lambda y: _count(),
            grain=_alliance_grain,
            target="alliances",
        ),
        Indicator(
            code="cooperation_agreements",
            name=_("校企合作协议"),
            unit=_("项"),
            kind=COUNT,
            period=FLOW,
            numerator=_("当年内有效（已开始且未结束）的校企合作协议数"),
            denominator=None,
            sources=("cooperation_cooperationagreement",),
            clause="（十二）",
            model="cooperation.CooperationAgreement",
            school_path="school_id",
            base=lambda ys: (
                Q(started_on__lte=year_end(max(ys)))
                & (Q(ended_on__isnull=True) | Q(ended_on__gte=year_start(min(ys))))
            ),
            num=lambda y: _count(_agreement_active(y)),
        ),
        Indicator(
            code="order_named_class_students",
            family="registrations",
            cell=F.in_school(lambda r: r["coop"]),
            name=_("订单班、冠名班在校生"),
            unit=_("人"),
            kind=COUNT,
            period=SNAPSHOT,
            numerator=_("年末在校、且学籍关联订单班或冠名班协议的学生数"),
            denominator=None,
            sources=(*_REG, "cooperation_cooperationagreement"),
            clause="（十三）",
            model="students.Registration",
            school_path="school_id",
            major_path="major_id",
            base=lambda ys: (
                _registered_base(ys) & Q(cooperation__kind__in=("order_class", "named_class"))
            ),
            num=lambda y: _count(_registered_at(y)),
        ),
        Indicator(
            code="apprenticeship_registrations",
            family="registrations",
            cell=F.enrolled(
                lambda r: r["track"] == "part_time" and r["source"] == "enterprise_employee",
                new=False,
            ),
            name=_("企业职工非全日制学籍注册"),
            unit=_("人"),
            kind=COUNT,
            period=FLOW,
            numerator=_("当年入学的非全日制学籍中，生源为企业在岗职工的学籍数（新型学徒制通道）"),
            denominator=None,
            sources=_REG,
            clause="（十）",
            model="students.Registration",
            school_path="school_id",
            major_path="major_id",
            base=lambda ys: (
                _within("enrolled_on", ys) & Q(track="part_time", source="enterprise_employee")
            ),
            num=lambda y: _count(_in("enrolled_on", y)),
        ),
        Indicator(
            code="part_time_teacher_share",
            name=_("兼职教师占比"),
            unit=_("比例"),
            kind=RATIO,
            period=SNAPSHOT,
            numerator=_("年末在职的兼职教师数"),
            denominator=_("年末在职的教师数（专任与兼职）"),
            sources=("staff_teacher",),
            clause="（二十）",
            model="staff.Teacher",
            school_path="school_id",
            num=lambda y: _count(_teacher_active(y) & Q(kind="part_time")),
            den=lambda y: _count(_teacher_active(y)),
        ),
        Indicator(
            code="integrated_teacher_share",
            name=_("一体化教师占比"),
            unit=_("比例"),
            kind=RATIO,
            period=SNAPSHOT,
            numerator=_("年末在职的专任教师中具备一体化教学资格的人数"),
            denominator=_("年末在职的专任教师数"),
            sources=("staff_teacher",),
            clause="（二十）",
            model="staff.Teacher",
            school_path="school_id",
            base=lambda ys: Q(kind="full_time"),
            num=lambda y: _count(_teacher_active(y) & Q(integrated_qualified=True)),
            den=lambda y: _count(_teacher_active(y)),
        ),
        Indicator(
            code="campus_network_coverage",
            name=_("校园网覆盖率"),
            unit=_("比例"),
            kind=RATIO,
            period=SNAPSHOT,
            numerator=_("办学中（正常办学、暂停招生）学校的校园网覆盖率之和"),
            denominator=_("办学中的学校数（即各校覆盖率的平均值）"),
            sources=("schools_school",),
            clause="（二十一）",
            model="schools.School",
            school_path="id",
            num=lambda y: Sum("campus_network_coverage", filter=_school_running(y)),
            den=lambda y: _count(_school_running(y)),
            target="campus_network_coverage",
            note=_("覆盖率为学校当前登记值；平均值达到100%即每所学校均达到100%。"),
        ),
        Indicator(
            code="cross_province_enrolment",
            family="registrations",
            cell=F.cross_province,
            name=_("跨省招生（云南、贵州、四川）"),
            unit=_("人"),
            kind=COUNT,
            period=FLOW,
            numerator=_("当年入学、生源省份为跨省招生合作省份的学籍数"),
            denominator=None,
            sources=(*_REG, "students_person", "students_statuschange"),
            clause="（九）",
            model="students.Registration",
            school_path="school_id",
            major_path="major_id",
            annotate=_new_annotate,
            base=_new_base,
            num=lambda y: _count(
                _in("enrolled_on", y) & Q(person__home_province__in=cross_province_partners(y))
            ),
        ),
    ]
    for code in partners:
        province = PROVINCES.get(code, code)
        items.append(
            Indicator(
                code=f"cross_province_enrolment_{code}",
                family="registrations",
                cell=F.enrolled(lambda r, code=code: r["p"] == code),
                name=_("跨省招生（%(p)s）") % {"p": province},
                unit=_("人"),
                kind=COUNT,
                period=FLOW,
                numerator=_("当年入学、生源省份为%(p)s（%(c)s）的学籍数")
                % {"p": province, "c": code},
                denominator=None,
                sources=(*_REG, "students_person", "students_statuschange"),
                clause="（九）",
                model="students.Registration",
                school_path="school_id",
                major_path="major_id",
                annotate=_new_annotate,
                base=lambda ys, code=code: _new_base(ys) & Q(person__home_province=code),
                num=lambda y: _count(_in("enrolled_on", y)),
            )
        )
    items += _target_register_indicators()
    items += _aid_indicators()
    items += _admission_indicators(partners)
    return items


class _Catalogue(dict):
    """code → Indicator, built on first use (after the apps are loaded)."""

    def _load(self):
        if not super().__len__():
            for ind in _indicators():
                super().__setitem__(ind.code, ind)

    def __getitem__(self, key):
        self._load()
        return super().__getitem__(key)

    def __contains__(self, key):
        self._load()
        return super().__contains__(key)

    def __iter__(self):
        self._load()
        return super().__iter__()

    def __len__(self):
        self._load()
        return super().__len__()

    def values(self):
        self._load()
        return super().values()

    def items(self):
        self._load()
        return super().items()

    def keys(self):
        self._load()
        return super().keys()

    def get(self, key, default=None):
        self._load()
        return super().get(key, default)


CATALOGUE: dict[str, Indicator] = _Catalogue()

# The targets table: indicators compared with a target of the policy, in clause order.
TARGET_INDICATORS = (
    "students_in_school",
    "employment_rate",
    "training_person_times_cumulative",
    "ideology_bases_national",
    "ideology_bases_municipal",
    "alliances",
    "quality_schools",
    "quality_majors",
    "major_industry_match",
    "planned_textbooks",
    "school_textbooks",
    "digital_excellent_schools",
    "integrated_bases_national",
    "integrated_bases_municipal",
    "campus_network_coverage",
)
