"""Acts of online enrolment (招生报名, （九）（十）, issue 16).

- ``admission.season_set``: the city opens a season (dates, number of choices);
- ``admission.apply``: anyone applies on the public form (anonymous: the page guards the
  form like /verify/); ``admission.enter``: a school's 招生 clerk enters an offline
  application naming only its own school. One function (``check_application``) holds
  the rules of both;
- ``admission.admit`` / ``admission.waitlist`` / ``admission.refuse``: the school a choice
  names decides it, within the approved plan line (locked while counting);
- ``admission.confirm``: the applicant (the page checks the proof) confirms one admitted
  choice; the application's other open choices are released;
- ``admission.enrol_cohort``: on registration day the school's confirmed choices become
  学籍 through ``registration.enrol``'s bulk path, each remembering its choice.
"""

from __future__ import annotations

import datetime
import re
import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jigong.admissions.models import (
    Application,
    Channel,
    Choice,
    ChoiceState,
    Schooling,
    Season,
)
from jigong.core import cells, pii
from jigong.core import services as core
from jigong.core.acts import MUNICIPAL, SCHOOL, act
from jigong.core.models import AuditLog, Duty
from jigong.core.permissions import ensure
from jigong.policy import rules
from jigong.policy.rules import PolicyViolation
from jigong.schools.models import MajorStatus, SchoolMajor, SchoolStatus
from jigong.schools.selectors import tier_on
from jigong.standards import idcard, uscc
from jigong.standards.errors import StandardError
from jigong.students.models import Source, Track
from jigong.workflows.models import EnrolmentPlanLine, OfferedTracks, QualificationEntry
from jigong.workflows.selectors import BROCHURE_ACCEPTED

APPLICATION_ID = "admissions.application.id_number"  # the sealed column's associated data
NOBODY = frozenset()  # the public form: the page's guard and the applicant's proof
CLAUSE = "（九）（十）"
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
PHONE = re.compile(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}")
# the choices' values, once (an enum's ``values`` builds its list at each call)
TRACK_VALUES = frozenset(Track.values)
SOURCE_VALUES = frozenset(Source.values)
SCHOOLING_VALUES = frozenset(Schooling.values)
ALREADY_APPLIED = _lazy("该身份证号本招生季已有报名，请凭报名号查询")


def today() -> datetime.date:
    return timezone.localdate()


def new_reference(year: int) -> str:
    """报名号: ``BM<year>-`` and 10 random base32 characters (50 bits: unguessable)."""
    return f"BM{year}-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(10))


def masked(number: str) -> str:
    return pii.mask_text(number or "")


# --- the season ------------------------------------------------------------------------


@act(
    "admission.season_set",
    label=_lazy("设置招生季"),
    roles=MUNICIPAL,
    model="admissions.season",
    clause=CLAUSE,
)
def season_set(
    *,
    actor,
    year: int,
    opens_on: datetime.date,
    closes_on: datetime.date,
    max_choices: int = 3,
) -> Season:
    """Open (or change) the city's season of ``year``."""
    if opens_on > closes_on:
        raise ValidationError(
            {
                "closes_on": [
                    _("报名截止日期“%(c)s”早于开始日期“%(o)s”") % {"c": closes_on, "o": opens_on}
                ]
            }
        )
    season = Season.objects.filter(year=year).first()
    values = {"opens_on": opens_on, "closes_on": closes_on, "max_choices": max_choices}
    if season is None:
        return core.create(actor, Season, year=year, **values)
    return core.update(actor, season, **values)


# --- applying --------------------------------------------------------------------------


@dataclass
class Checked:
    """An application's values as checked: ready to write."""

    id_number: str
    birth: datetime.date
    name: str
    phone: str
    category: str
    schooling: str
    home_province: str
    enterprise_code: str
    arrangement_months: int | None
    choices: list[dict]  # {"school_major", "school", "track"} in rank order


# What the rules of a choice read of its school major, school and major (the rest of
# each model's fields is left deferred).
FACT_FIELDS = {
    "sm": ("id", "school_id", "major_id", "level", "status"),
    "s": ("id", "code", "name", "tier", "status", "district_id"),
    "m": ("id", "code", "name"),
}
TRACKS = (Track.FULL_TIME, Track.PART_TIME)
_facts_sql: dict[tuple[str, int], tuple[str, dict]] = {}


def _fact_columns(model, wanted) -> list:
    """``model``'s concrete fields named in ``wanted``, in the model's order (from_db's)."""
    return [f for f in model._meta.concrete_fields if f.attname in wanted]


def _choice_facts_sql(n: int) -> tuple[str, dict]:
    """The statement of ``choice_facts`` for ``n`` school majors (built once per
    database vendor and ``n``) and the fields each alias reads."""
    key = (connection.vendor, n)
    if key in _facts_sql:
        return _facts_sql[key]
    from jigong.reference.models import Major
    from jigong.schools.models import School, TierChange
    from jigong.workflows.models import BrochureFiling, EnrolmentPlan, QualificationList

    q = connection.ops.quote_name

    def t(model) -> str:
        return q(model._meta.db_table)

    def c(alias: str, model, name: str) -> str:
        return f"{alias}.{q(model._meta.get_field(name).column)}"

    fields = {
        "sm": _fact_columns(SchoolMajor, FACT_FIELDS["sm"]),
        "s": _fact_columns(School, FACT_FIELDS["s"]),
        "m": _fact_columns(Major, FACT_FIELDS["m"]),
    }
    select = ", ".join(f"{alias}.{q(f.column)}" for alias, fs in fields.items() for f in fs)
    line, plan, entry, ql, tc, bf = (
        EnrolmentPlanLine,
        EnrolmentPlan,
        QualificationEntry,
        QualificationList,
        TierChange,
        BrochureFiling,
    )
    accepted = ", ".join(["%s"] * len(BROCHURE_ACCEPTED))
    sql = (
        f"SELECT {select}, "
        # quota: its line in an approved plan of the year
        f"(SELECT {c('l', line, 'quota')} FROM {t(line)} l "
        f"INNER JOIN {t(plan)} p ON {c('p', plan, 'id')} = {c('l', line, 'plan')} "
        f"WHERE {c('l', line, 'school_major')} = {c('sm', SchoolMajor, 'id')} "
        f"AND {c('p', plan, 'year')} = %s AND {c('p', plan, 'state')} = %s LIMIT 1), "
        # qualified on the latest published list (workflows.selectors.published_lists)
        f"EXISTS (SELECT 1 FROM {t(entry)} e "
        f"WHERE {c('e', entry, 'school')} = {c('sm', SchoolMajor, 'school')} "
        f"AND {c('e', entry, 'qualified')} = %s "
        f"AND {c('e', entry, 'qualification_list')} = (SELECT {c('ql', ql, 'id')} FROM {t(ql)} ql "
        f"WHERE {c('ql', ql, 'state')} = %s ORDER BY {c('ql', ql, 'year')} DESC LIMIT 1)), "
        # the tier before the earliest change taking effect later (schools.selectors.tier_on)
        f"(SELECT {c('tc', tc, 'from_tier')} FROM {t(tc)} tc "
        f"WHERE {c('tc', tc, 'school')} = {c('sm', SchoolMajor, 'school')} "
        f"AND {c('tc', tc, 'effective_on')} > %s "
        f"ORDER BY {c('tc', tc, 'effective_on')}, {c('tc', tc, 'id')} LIMIT 1), "
        # an accepted brochure of the year offering each track (workflows.offered_tracks)
        + ", ".join(
            f"EXISTS (SELECT 1 FROM {t(bf)} b "
            f"WHERE {c('b', bf, 'school')} = {c('sm', SchoolMajor, 'school')} "
            f"AND {c('b', bf, 'year')} = %s AND {c('b', bf, 'state')} IN ({accepted}) "
            f"AND {c('b', bf, 'tracks')} IN (%s, %s))"
            for _track in TRACKS
        )
        + f" FROM {t(SchoolMajor)} sm "
        f"INNER JOIN {t(School)} s ON {c('s', School, 'id')} = {c('sm', SchoolMajor, 'school')} "
        f"INNER JOIN {t(Major)} m ON {c('m', Major, 'id')} = {c('sm', SchoolMajor, 'major')} "
        f"WHERE {c('sm', SchoolMajor, 'id')} IN ({', '.join(['%s'] * n)})"
    )
    _facts_sql[key] = (sql, fields)
    return sql, fields


def choice_facts(school_major_ids, year: int, on: datetime.date) -> dict[int, SchoolMajor]:
    """{pk → school major} of ``school_major_ids`` as stored now, with its school and
    major, and what the rules of a choice read, in one statement whatever the number of
    choices: ``quota`` (its line in an approved plan of ``year``; None: no line),
    ``qualified`` (its school is qualified on the latest published qualification list),
    ``tier_before`` (the school's tier before its earliest change taking effect after
    ``on``, as ``tier_on``; None: its tier now) and ``tracks`` (the ``Track`` values
    the school's accepted brochures of ``year`` offer, as ``offered_tracks``). Nothing
    is cached: a publication, a suspension or a plan decided a moment ago is seen. A
    statement built once from the models' tables and columns, not a queryset: composing
    and compiling that queryset took most of an application's time (bench enrol)."""
    from jigong.reference.models import Major
    from jigong.schools.models import School

    ids = list(dict.fromkeys(school_major_ids))
    if not ids:
        return {}
    sql, fields = _choice_facts_sql(len(ids))
    ops = connection.ops
    params = [year, "approved", True, "published", ops.adapt_datefield_value(on)]
    for track in TRACKS:
        params += [year, *BROCHURE_ACCEPTED, *OfferedTracks.offering(track)]
    params += ids
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    db = connection.alias
    names = {alias: [f.attname for f in fs] for alias, fs in fields.items()}
    cut = (len(names["sm"]), len(names["sm"]) + len(names["s"]))
    end = cut[1] + len(names["m"])
    school_field = SchoolMajor._meta.get_field("school")
    major_field = SchoolMajor._meta.get_field("major")
    out = {}
    for row in rows:
        sm = SchoolMajor.from_db(db, names["sm"], row[: cut[0]])
        school_field.set_cached_value(sm, School.from_db(db, names["s"], row[cut[0] : cut[1]]))
        major_field.set_cached_value(sm, Major.from_db(db, names["m"], row[cut[1] : end]))
        sm.quota, qualified, sm.tier_before, *offers = row[end:]
        sm.qualified = bool(qualified)
        sm.tracks = {track for track, yes in zip(TRACKS, offers, strict=True) if yes}
        out[sm.pk] = sm
    return out


def approved_line(school_major, year: int, *, lock: bool = False):
    """The plan line of ``school_major`` in its school's approved plan of ``year``, or None;
    ``lock`` locks it for the rest of the transaction (places counted in turn)."""
    rows = EnrolmentPlanLine.objects.filter(
        plan__school_id=school_major.school_id,
        plan__year=year,
        plan__state="approved",
        school_major=school_major,
    )
    if lock:
        rows = rows.select_for_update(of=("self",))
    return rows.first()


def _choice_errors(
    sm, track: str, season: Season, on: datetime.date, qualified, quotas, tiers
) -> list[str]:
    """The rules one choice breaks (the school, its major at the level, the plan)."""
    school = sm.school
    level = rules.LEVEL_LABELS.get(sm.level, sm.level)
    what = _("%(s)s%(m)s（%(l)s）") % {"s": school.name, "m": sm.major.name, "l": level}
    if track not in TRACK_VALUES:
        return [_("学习形式“%(t)s”：应为全日制或非全日制") % {"t": track}]
    if school.status in (SchoolStatus.SUSPENDED, SchoolStatus.CLOSED):
        return [
            _(
                "“%(w)s”：学校当前状态为“%(st)s”，暂停招生或已撤销的学校不得招生（依据（九）（二十一））"
            )
            % {"w": what, "st": school.get_status_display()}
        ]
    if school.pk not in qualified:
        return [
            _("“%(w)s”：学校不在最新公布的招生资质名单上（具备招生资质的学校方可招生，依据（九））")
            % {"w": what}
        ]
    try:
        rules.check_level_for_tier(tiers[school.pk], sm.level, on)
    except PolicyViolation as exc:
        return [f"“{what}”：{exc.message}"]
    if sm.status != MajorStatus.OPEN:
        return [_("“%(w)s”：学校未开设该专业的该层次或已停招") % {"w": what}]
    if not quotas.get(sm.pk):
        return [
            _("“%(w)s”：%(y)s年经批准的招生计划中没有该专业该层次的计划数（依据（九））")
            % {"w": what, "y": season.year}
        ]
    return []


def check_application(
    *,
    season: Season,
    id_number: str,
    name: str,
    phone: str,
    category: str,
    schooling: str,
    home_province: str = "",
    enterprise_code: str = "",
    arrangement_months=None,
    choices: list[dict],
    school=None,
) -> Checked:
    """The rules of an application, online or entered by ``school`` (then every choice
    must name it): raises one ValidationError with every broken rule, keyed by field
    (a choice's as ``choices.<rank>.school_major``)."""
    on = today()
    errors: dict[str, list[str]] = {}

    def add(key, message):
        errors.setdefault(key, []).append(str(message))

    if not season.is_open(on):
        add(
            "season",
            _("%(s)s的报名时间为%(o)s至%(c)s，当前不在报名时间内")
            % {"s": season, "o": season.opens_on, "c": season.closes_on},
        )
    number = birth = None
    try:
        number = idcard.validate(str(id_number or "")[:40])
        birth = idcard.birth_date(number)
    except StandardError as exc:
        add("id_number", masked(exc.message))
    name = (name or "").strip()
    if not name:
        add("name", _("姓名不能为空"))
    elif len(name) > 32:
        add("name", _("姓名不能超过32个字符"))
    elif "\x00" in name:
        add("name", _("姓名含有空字符（\\x00），请删除后重试"))
    elif cells.formula_error(name):
        add("name", _("姓名：%(e)s") % {"e": cells.formula_error(name)})
    phone = (phone or "").strip()
    if not PHONE.fullmatch(phone):
        add(
            "phone",
            _("联系电话“%(p)s”：应为11位手机号码或带区号的固定电话") % {"p": phone[:20]},
        )
    if category not in SOURCE_VALUES:
        add("category", _("报名类别“%(c)s”：应为（九）列明的招生对象之一") % {"c": category})
    if schooling not in SCHOOLING_VALUES:
        add(
            "schooling",
            _("前置学历“%(s)s”：应为初中、普通高中、中等职业学校或大专及以上") % {"s": schooling},
        )
    province = (home_province or (number or "")[:2]).strip()
    if province and not re.fullmatch(r"[1-8]\d", province):
        add("home_province", _("生源省份“%(p)s”：应为两位省级行政区划代码") % {"p": province})

    choices = list(choices or [])
    if not choices:
        add("choices", _("至少填报1个志愿"))
    elif len(choices) > season.max_choices:
        add(
            "choices",
            _("本招生季最多可填%(n)s个志愿，填报了%(k)s个")
            % {"n": season.max_choices, "k": len(choices)},
        )
    # read as stored now (a school suspended since the page was drawn is suspended)
    picked = [c["school_major"].pk for c in choices if c.get("school_major") is not None]
    stored = choice_facts(picked, season.year, on) if picked else {}
    qualified = {sm.school_id for sm in stored.values() if sm.qualified}
    quotas = {pk: sm.quota for pk, sm in stored.items() if sm.quota is not None}
    tiers = {sm.school_id: sm.tier_before or sm.school.tier for sm in stored.values()}
    offered = {sm.school_id: sm.tracks for sm in stored.values() if sm.tracks}
    seen = set()
    ready = []
    part_time = False
    for rank, choice in enumerate(choices[: season.max_choices], start=1):
        key = f"choices.{rank}.school_major"
        sm = choice.get("school_major")
        sm = stored.get(sm.pk) if sm is not None else None
        track = choice.get("track") or Track.FULL_TIME
        if sm is None:
            add(key, _("志愿%(r)s：请选择学校和专业") % {"r": rank})
            continue
        if school is not None and sm.school_id != school.pk:
            add(key, _("志愿%(r)s：学校只能录入本校的志愿") % {"r": rank})
            continue
        if (sm.pk, track) in seen:
            add(key, _("志愿%(r)s：与前面的志愿重复") % {"r": rank})
            continue
        seen.add((sm.pk, track))
        part_time = part_time or track == Track.PART_TIME
        found = _choice_errors(sm, track, season, on, qualified, quotas, tiers)
        tracks = offered.get(sm.school_id)
        if not found and tracks and track not in tracks:  # what its brochures offer
            add(
                f"choices.{rank}.track",
                _("志愿%(r)s：学习形式“%(t)s”：%(s)s%(y)s年备案的招生简章未招收%(t)s学生")
                % {"r": rank, "t": Track(track).label, "s": sm.school.name, "y": season.year},
            )
            continue
        if not found and birth is not None:
            try:
                rules.check_applicant_age(sm.level, birth, season.year, on)
            except PolicyViolation as exc:
                found.append(exc.message)
        if not found and schooling in SCHOOLING_VALUES:
            try:
                rules.check_entry_point(sm.level, schooling, on)
            except PolicyViolation as exc:
                found.append(exc.message)
        for message in found:
            add(key, _("志愿%(r)s：%(m)s") % {"r": rank, "m": message})
        ready.append({"school_major": sm, "school": sm.school, "track": track})

    code = (enterprise_code or "").strip().upper()
    months = arrangement_months
    if part_time and category == Source.ENTERPRISE_EMPLOYEE:
        # （十）: a 非全日制 enterprise employee names the employer and an arrangement of a year
        if not code:
            add(
                "enterprise_code",
                _("企业在岗职工报考非全日制，须填写所在企业统一社会信用代码（依据（十））"),
            )
        else:
            try:
                code = uscc.validate(code)
            except StandardError as exc:
                add("enterprise_code", exc.message)
        try:
            months = int(months)
        except (TypeError, ValueError):
            add(
                "arrangement_months",
                _("工学安排（月）“%(m)s”：企业在岗职工报考非全日制须填写工学安排月数（依据（十））")
                % {"m": months if months is not None else ""},
            )
        else:
            try:
                rules.check_part_time_duration(Track.PART_TIME, category, months, on)
            except PolicyViolation as exc:
                add("arrangement_months", _("工学安排：%(m)s") % {"m": exc.message})
    elif code or months not in (None, ""):
        code, months = code if code else "", None if months in (None, "") else months
        if code:
            try:
                code = uscc.validate(code)
            except StandardError as exc:
                add("enterprise_code", exc.message)
        if months is not None:
            try:
                months = int(months)
            except (TypeError, ValueError):
                add("arrangement_months", _("工学安排（月）“%(m)s”：应为整数") % {"m": months})
    if errors:
        raise ValidationError(errors)
    return Checked(
        id_number=number,
        birth=birth,
        name=name,
        phone=phone,
        category=category,
        schooling=schooling,
        home_province=province,
        enterprise_code=code,
        arrangement_months=months,
        choices=ready,
    )


def _already_applied() -> ValidationError:
    return ValidationError({"id_number": [str(ALREADY_APPLIED)]})


def _write_application(actor, season: Season, checked: Checked, *, school=None) -> Application:
    """Insert the application and its choices; one audit row (the choices in it)."""
    app = Application(
        season=season,
        reference=new_reference(season.year),
        id_number=checked.id_number,
        name=checked.name,
        phone=checked.phone,
        category=checked.category,
        schooling=checked.schooling,
        home_province=checked.home_province,
        enterprise_code=checked.enterprise_code,
        arrangement_months=checked.arrangement_months,
        channel=Channel.OFFLINE if school is not None else Channel.ONLINE,
        entered_by_school=school,
    )
    try:
        with transaction.atomic():  # two submissions of one ID at once: one wins
            app.save()
    except IntegrityError:  # one application per ID number and season
        digest = pii.digest(checked.id_number)
        if Application.objects.filter(season=season, id_number_hmac=digest).exists():
            raise _already_applied() from None
        raise
    # checked rows, no model instances (the state and the rest take their defaults)
    rows = [
        (app.pk, rank, c["school"].pk, c["school_major"].pk, c["track"])
        for rank, c in enumerate(checked.choices, start=1)
    ]
    core.bulk_insert(
        Choice, ["application_id", "rank", "school_id", "school_major_id", "track"], rows
    )
    after = core.snapshot(app)
    after["choices"] = [
        {"rank": rank, "school_major": sm, "track": track} for _a, rank, _s, sm, track in rows
    ]
    core.audit(
        actor,
        AuditLog.Action.CREATE,
        app,
        after=after,
        message=app.reference,
        school_id=school.pk if school is not None else None,
        district_id=school.district_id if school is not None else None,
    )
    return app


@act(
    "admission.apply",
    label=_lazy("网上招生报名"),
    roles=NOBODY,
    anonymous=True,
    model="admissions.application",
    clause=CLAUSE,
    event="create",
)
def application_submit(
    *,
    actor=None,
    season: Season,
    id_number: str,
    name: str,
    phone: str,
    category: str,
    schooling: str,
    home_province: str = "",
    enterprise_code: str = "",
    arrangement_months: int | None = None,
    choices: list[dict],
) -> Application:
    """An applicant's application on the public form (the page guards it)."""
    checked = check_application(
        season=season,
        id_number=id_number,
        name=name,
        phone=phone,
        category=category,
        schooling=schooling,
        home_province=home_province,
        enterprise_code=enterprise_code,
        arrangement_months=arrangement_months,
        choices=choices,
    )
    return _write_application(actor, season, checked)


@act(
    "admission.enter",
    label=_lazy("录入现场报名"),
    roles=SCHOOL,
    duty=Duty.ENROLMENT,
    model="admissions.application",
    clause=CLAUSE,
    channels=("page", "import"),
    event="create",
)
def application_enter(
    *,
    actor,
    school,
    season: Season,
    id_number: str,
    name: str,
    phone: str,
    category: str,
    schooling: str,
    home_province: str = "",
    enterprise_code: str = "",
    arrangement_months: int | None = None,
    choices: list[dict],
) -> Application:
    """A school's clerk enters an offline application; its choices name only that school."""
    if actor is not None:
        ensure(actor, "add", Choice(school=school))
    checked = check_application(
        season=season,
        id_number=id_number,
        name=name,
        phone=phone,
        category=category,
        schooling=schooling,
        home_province=home_province,
        enterprise_code=enterprise_code,
        arrangement_months=arrangement_months,
        choices=choices,
        school=school,
    )
    return _write_application(actor, season, checked, school=school)


# --- deciding: admit, wait-list, refuse -----------------------------------------------

OPEN = (ChoiceState.SUBMITTED, ChoiceState.WAITLISTED)


def _naming(choice_pk: int, error: ValidationError) -> ValidationError:
    """``error`` of one refused choice of a cohort, each message led by the choice."""
    choice = Choice.objects.select_related("application", "school", "school_major__major").get(
        pk=choice_pk
    )
    who = describe(choice)
    return ValidationError(
        {field: [f"{who}：{m}" for m in msgs] for field, msgs in error.message_dict.items()}
    )


def describe(choice: Choice) -> str:
    """报名号, the applicant masked, the choice's rank, school, major and level."""
    sm = choice.school_major
    return _("报名号%(ref)s（%(n)s）志愿%(r)s“%(s)s%(m)s（%(l)s）”") % {
        "ref": choice.application.reference,
        "n": pii.mask_name(choice.application.name),
        "r": choice.rank,
        "s": choice.school.name,
        "m": sm.major.name,
        "l": rules.LEVEL_LABELS.get(sm.level, sm.level),
    }


def _locked(choice: Choice) -> Choice:
    """The choice as stored, locked for the rest of the act (one decision at a time)."""
    return (
        Choice.objects.select_for_update(of=("self",))
        .select_related("application__season", "school", "school_major__major")
        .get(pk=choice.pk)
    )


def _state_error(choice: Choice, verb: str) -> ValidationError:
    return ValidationError(
        {
            "state": [
                _("%(c)s当前为“%(st)s”，不能%(v)s")
                % {"c": describe(choice), "st": choice.get_state_display(), "v": verb}
            ]
        }
    )


def admission_refusals(choice: Choice, on: datetime.date) -> list[str]:
    """Why the school may not admit ``choice`` now (the plan line locked while counting)."""
    from jigong.admissions import selectors
    from jigong.standards.regions import PROVINCES
    from jigong.workflows.selectors import approved_cross_province_quota

    school, sm = choice.school, choice.school_major
    year = choice.application.season.year
    what = describe(choice)
    if school.status in (SchoolStatus.SUSPENDED, SchoolStatus.CLOSED):
        return [
            _("%(c)s：学校当前状态为“%(st)s”，暂停招生期间不得录取（依据（九）（二十一））")
            % {"c": what, "st": school.get_status_display()}
        ]
    try:
        rules.check_level_for_tier(tier_on(school, on), sm.level, on)
    except PolicyViolation as exc:
        return [f"{what}：{exc.message}"]
    if sm.status != MajorStatus.OPEN:
        return [_("%(c)s：学校已停招该专业的该层次") % {"c": what}]
    line = approved_line(sm, year, lock=True)
    quota = line.quota if line is not None else 0
    held = selectors.held(school_major=sm, year=year)
    if held >= quota:
        return [
            _(
                "%(c)s：招生计划已满，%(y)s年经批准的该专业该层次计划数%(q)s人，已占%(h)s人（依据（九））"
            )
            % {"c": what, "y": year, "q": quota, "h": held}
        ]
    province = choice.application.home_province
    if province not in rules.cross_province_partners(on):
        return []  # Chongqing and other provinces: no quota to count (（九） names three)
    try:
        rules.check_cross_province_quota(
            province=province,
            province_name=PROVINCES.get(province, province),
            year=year,
            quota=approved_cross_province_quota(school.pk, year, province, True),
            enrolled=selectors.cross_province_held(school=school, year=year, province=province),
            on=on,
        )
    except PolicyViolation as exc:
        return [f"{what}：{exc.message}"]
    return []


def _decide(actor, choice: Choice, state: str, reason: str = "") -> Choice:
    return core.update(actor, choice, state=state, reason=reason, decided_at=timezone.now())


@act(
    "admission.admit",
    label=_lazy("录取"),
    roles=SCHOOL,
    duty=Duty.ENROLMENT,
    model="admissions.choice",
    clause=CLAUSE,
    channels=("page", "import"),
)
def choice_admit(*, actor, choice: Choice) -> Choice:
    """Admit a submitted or wait-listed choice within the approved plan line."""
    choice = _locked(choice)
    if choice.state not in OPEN:
        raise _state_error(choice, _("录取"))
    refused = admission_refusals(choice, today())
    if refused:
        raise ValidationError({"state": refused})
    return _decide(actor, choice, ChoiceState.ADMITTED)


@act(
    "admission.waitlist",
    label=_lazy("列入候补"),
    roles=SCHOOL,
    duty=Duty.ENROLMENT,
    model="admissions.choice",
    clause=CLAUSE,
    channels=("page", "import"),
)
def choice_waitlist(*, actor, choice: Choice, reason: str = "") -> Choice:
    """Wait-list a submitted choice (it holds no place)."""
    choice = _locked(choice)
    if choice.state != ChoiceState.SUBMITTED:
        raise _state_error(choice, _("列入候补"))
    return _decide(actor, choice, ChoiceState.WAITLISTED, (reason or "").strip())


@act(
    "admission.refuse",
    label=_lazy("不予录取"),
    roles=SCHOOL,
    duty=Duty.ENROLMENT,
    model="admissions.choice",
    clause=CLAUSE,
    reason=True,
    channels=("page", "import"),
)
def choice_refuse(*, actor, choice: Choice, reason: str) -> Choice:
    """Refuse a submitted or wait-listed choice, with the reason the applicant reads."""
    choice = _locked(choice)
    if choice.state not in OPEN:
        raise _state_error(choice, _("不予录取"))
    return _decide(actor, choice, ChoiceState.REFUSED, reason)


# --- the applicant confirms one admission ---------------------------------------------


def locked_choices(application: Application) -> list[Choice]:
    """The application's choices in rank order, locked (confirm, withdraw, registration
    day: one of them happens first)."""
    return list(
        Choice.objects.select_for_update(of=("self",))
        .select_related("application__season", "school", "school_major__major")
        .filter(application=application)
        .order_by("rank")
    )


@act(
    "admission.confirm",
    label=_lazy("确认录取"),
    roles=NOBODY,
    anonymous=True,
    own_scope=True,
    model="admissions.choice",
    clause=CLAUSE,
)
def admission_confirm(*, actor=None, application: Application, choice: Choice) -> Choice:
    """The applicant (the page checked the proof) confirms an admitted choice; the
    application's other open or admitted choices are released (their places freed)."""
    rows = locked_choices(application)
    mine = next((c for c in rows if c.pk == choice.pk), None)
    if mine is None:
        raise ValidationError(
            {"choice": [_("该志愿不属于报名号%(r)s") % {"r": application.reference}]}
        )
    confirmed = [c for c in rows if c.state in (ChoiceState.CONFIRMED, ChoiceState.ENROLLED)]
    if confirmed:
        raise ValidationError(
            {
                "choice": [
                    _("%(c)s：已确认录取，每个报名只能确认一次") % {"c": describe(confirmed[0])}
                ]
            }
        )
    if mine.state != ChoiceState.ADMITTED:
        raise _state_error(mine, _("确认录取"))
    for other in rows:
        if other.pk != mine.pk and other.state in (*OPEN, ChoiceState.ADMITTED):
            core.update(
                actor,
                other,
                state=ChoiceState.RELEASED,
                reason=_("已确认志愿%(r)s") % {"r": mine.rank},
                audit_message=application.reference,
            )
    return core.update(
        actor,
        mine,
        state=ChoiceState.CONFIRMED,
        audit_message=application.reference,
    )


# --- registration day: the cohort becomes 学籍 -------------------------------------------


def _mark_enrolled(pairs: list[tuple[int, int]]) -> None:
    """Set each choice enrolled with its registration: one UPDATE … FROM (VALUES …) per
    chunk (no model instances; a cohort has tens of thousands)."""
    table = connection.ops.quote_name(Choice._meta.db_table)
    state = ChoiceState.ENROLLED.value
    pg = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        for chunk in core.chunked(pairs, 450):  # 2 parameters each: below SQLite's 999
            if pg:
                values = ",".join(["(%s::bigint, %s::bigint)"] * len(chunk))
                sql = (
                    f"UPDATE {table} AS c SET state = %s, registration_id = v.r "
                    f"FROM (VALUES {values}) AS v(c, r) WHERE c.id = v.c"
                )
            else:
                values = ",".join(["(%s, %s)"] * len(chunk))
                sql = (
                    f"UPDATE {table} SET state = %s, registration_id = v.column2 "
                    f"FROM (VALUES {values}) AS v WHERE {table}.id = v.column1"
                )
            cursor.execute(sql, [state, *(x for pair in chunk for x in pair)])


@act(
    "admission.enrol_cohort",
    label=_lazy("录取新生注册学籍"),
    roles=SCHOOL,
    duty=Duty.RECORDS,
    model="admissions.choice",
    clause="（九）（二十一）",
    event="create",
)
def cohort_enrol(*, actor, school, enrolled_on: datetime.date, choices=None, season=None) -> int:
    """Register the school's confirmed choices of the season (``season``, else the one of
    ``enrolled_on``'s year; or exactly ``choices``) as 学籍 through the enrolment act's
    bulk path (``registrations_bulk_create``: its rules and messages, all or nothing):
    major and level of the choice, its track, 生源类别 = the application's category,
    入学起点 from the schooling, 学制 the level's usual length (platform default)."""
    from jigong.reference.models import Major
    from jigong.students import services as students
    from jigong.students.models import Registration

    if actor is not None:
        ensure(actor, "add", Registration(school=school))
    locked = Choice.objects.select_for_update(of=("self",))
    if choices is not None:
        given = list(
            locked.filter(pk__in=[c.pk for c in choices]).select_related(
                "application", "school", "school_major__major"
            )
        )
        for c in given:
            if actor is not None:
                ensure(actor, "change", c)
            if c.school_id != school.pk:
                raise PermissionDenied(_("%(c)s不是本校的志愿") % {"c": describe(c)})
            if c.state != ChoiceState.CONFIRMED:
                raise _state_error(c, _("注册学籍（须为“已确认”）"))
        chosen = Choice.objects.filter(pk__in=[c.pk for c in given])
    else:
        year = season.year if season is not None else enrolled_on.year
        chosen = locked.filter(
            school=school, state=ChoiceState.CONFIRMED, application__season__year=year
        )
    # plain tuples, no model instances (a cohort has tens of thousands)
    rows = list(
        chosen.order_by("pk").values_list(
            "pk",
            "track",
            "school_major__major_id",
            "school_major__level",
            "application__id_number_enc",
            "application__id_number_hmac",
            "application__name",
            "application__category",
            "application__schooling",
            "application__home_province",
        )
    )
    if not rows:
        raise ValidationError({"choices": [_("没有待注册学籍的已确认录取")]})
    majors = Major.objects.in_bulk({r[2] for r in rows})
    open_id = pii.opener(APPLICATION_ID)
    derived: dict[tuple, tuple] = {}  # (level, schooling) → (入学起点, 学制)
    items, numbers = [], []
    for _pk, track, major, level, enc, _hmac, name, category, schooling, province in rows:
        if (level, schooling) not in derived:
            try:
                entry = rules.check_entry_point(level, schooling, enrolled_on)
                derived[level, schooling] = (entry, rules.course_months(level, entry, enrolled_on))
            except PolicyViolation as exc:
                raise ValidationError({exc.field: [exc.message]}) from exc
        entry, months = derived[level, schooling]
        number = open_id(enc)
        numbers.append(number)
        items.append(
            {
                "school": school,
                "major": majors[major],
                "level": level,
                "entry_point": entry,
                "duration_months": months,
                "track": track,
                "source": category,
                "enrolled_on": enrolled_on,
                "id_number": number,
                "name": name,
                "home_province": province,
            }
        )
    try:
        n = students.registrations_bulk_create(
            actor=actor, items=items, message=_("录取新生注册学籍（%(n)s人）") % {"n": len(items)}
        )
    except ValidationError as exc:
        index = getattr(exc, "item_index", None)
        if index is None:
            raise
        raise _naming(rows[index][0], exc) from exc
    # each choice's registration: the person's new 学籍 at this school on this day (the
    # application's keyed hash is the person's)
    persons = students.person_pks(
        {number: bytes(r[5]) for number, r in zip(numbers, rows, strict=True)}
    )
    found = {}
    for chunk in core.chunked(sorted(set(persons.values())), 900):
        for pk, person, major, level, track in (
            Registration.objects.filter(
                school=school, enrolled_on=enrolled_on, person_id__in=chunk, admission__isnull=True
            )
            .order_by("pk")
            .values_list("pk", "person_id", "major_id", "level", "track")
        ):
            found[(person, major, level, track)] = pk
    pairs = [
        (r[0], found[(persons[number], r[2], r[3], r[1])])
        for number, r in zip(numbers, rows, strict=True)
    ]
    _mark_enrolled(pairs)
    core.audit(
        actor,
        AuditLog.Action.UPDATE,
        object_type=Choice._meta.label_lower,
        after={"state": ChoiceState.ENROLLED.value, "count": len(pairs)},
        message=_("%(s)s录取新生注册学籍%(n)s人") % {"s": school.name, "n": n},
        school_id=school.pk,
        district_id=school.district_id,
    )
    return n
