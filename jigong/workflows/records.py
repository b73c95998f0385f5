"""Registers of the remaining clauses: training revenue and the performance-pay
supplement (（七）), teacher hiring, 一体化 training and competitions (（二十）),
labour education and unified textbooks (（四）（五）), student aid (（二十一）).

Selectors start from ``restrict(user, …)``; services write through
``jigong.core.services`` (scope-checked, validated, audited) and turn the policy's
rules (``PolicyViolation``) into Chinese ``ValidationError``s keyed by field.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jigong.core import services as core
from jigong.core.acts import ALL_STAFF, UNSET, Unset, act, given
from jigong.core.errors import from_standard
from jigong.core.filters import filtered
from jigong.policy import rules
from jigong.workflows import filters as F
from jigong.workflows.models import (
    AidProgramme,
    AidRecipient,
    CurriculumRecord,
    IntegratedTraining,
    OtherTrainingRevenue,
    PaySupplementCalc,
    TeacherCompetition,
    TeacherHiring,
)


def _policy(fn, *args, date_field=None):
    """Run a rule; its violation is the user's error. A refusal for the date itself (field
    ``on``: the rule is not in force then) goes on ``date_field`` when given."""
    try:
        return fn(*args)
    except rules.PolicyViolation as exc:
        if exc.field == "on" and date_field:
            raise ValidationError({date_field: [exc.message]}) from exc
        raise from_standard(exc) from exc


def _list(model, *, user, filters, filterset, related=("school__district",)):
    qs = model.objects.restrict(user, "view").select_related(*related)
    return filtered(qs, filterset, user=user, filters=filters)


def _getter(model, related=("school__district",)):
    def get(*, user, pk, action="view"):
        return model.objects.restrict(user, action).select_related(*related).get(pk=pk)

    return get


# --- training revenue and the supplement （七） ---------------------------------------


def social_revenue_query(*, user, year: int):
    """(school_id, sum of revenue) of the social training records in scope for ``year``,
    read from the covering index ``training_rec_revenue``. The schools in scope are named
    as a list too: joined only, a district's sum read the whole city's year (0.19 s on the
    full world, 7 ms so)."""
    from jigong.schools.models import School
    from jigong.training.models import TrainingRecord

    return (
        TrainingRecord.objects.restrict(user, "view")
        .filter(year=year, is_social=True, school__in=School.objects.restrict(user, "view"))
        .values_list("school_id")
        .annotate(s=Sum("revenue"))
        .order_by()
    )


def revenue_by_school(*, user, year: int) -> dict[int, dict]:
    """Social training revenue per school in scope for ``year``: the sum of
    TrainingRecord.revenue where is_social, plus OtherTrainingRevenue."""
    records = dict(social_revenue_query(user=user, year=year))
    other = dict(
        OtherTrainingRevenue.objects.restrict(user, "view")
        .filter(year=year)
        .values_list("school_id")
        .annotate(s=Sum("amount"))
        .order_by()
    )
    out = {}
    for sid in set(records) | set(other):
        r, o = records.get(sid) or Decimal(0), other.get(sid) or Decimal(0)
        out[sid] = {"records": r, "other": o, "total": r + o}
    return out


def revenue_table(*, user, year: int) -> list[dict]:
    from jigong.schools.models import School

    revenue = revenue_by_school(user=user, year=year)
    calcs = {
        c.school_id: c for c in PaySupplementCalc.objects.restrict(user, "view").filter(year=year)
    }
    zero = {"records": Decimal(0), "other": Decimal(0), "total": Decimal(0)}
    return [
        {"school": s, **revenue.get(s.pk, zero), "calc": calcs.get(s.pk)}
        for s in School.objects.restrict(user, "view").select_related("district").order_by("code")
    ]


def other_revenue_list(*, user, filters=None):
    return _list(OtherTrainingRevenue, user=user, filters=filters, filterset=F.YearSchoolFilterSet)


other_revenue_get = _getter(OtherTrainingRevenue)


@act(
    "other_revenue.register",
    label=_lazy("登记其他社会培训收入"),
    roles=ALL_STAFF,
    model="workflows.othertrainingrevenue",
    clause="（七）",
    channels=("page",),
    event="create",
)
def other_revenue_create(*, actor, school, year: int, amount, description: str):
    """Social training revenue not captured by training records (培训包 projects …)."""
    return core.create(
        actor,
        OtherTrainingRevenue,
        school=school,
        year=year,
        amount=amount,
        description=description,
    )


def supplement_list(*, user, filters=None):
    return _list(PaySupplementCalc, user=user, filters=filters, filterset=F.YearSchoolFilterSet)


supplement_get = _getter(PaySupplementCalc)


@act(
    "pay_supplement.calculate",
    label=_lazy("绩效工资追加测算"),
    roles=ALL_STAFF,
    model="workflows.paysupplementcalc",
    clause="（七）",
    channels=("page",),
    event="create",
)
def supplement_calculate(
    *,
    actor,
    school,
    year: int,
    rate,
    excellent: bool,
    control_base=None,
    control_growth=None,
    growth_extra=None,
    on: datetime.date | None = None,
) -> PaySupplementCalc:
    """Compute (or recompute) the school's supplement for ``year`` with
    ``rules.pay_supplement`` from the revenue in the actor's scope; keeps the steps.
    The rate stays within 5–20% whatever the rating. Given ``control_base`` (and
    ``control_growth``, ``growth_extra``), also the separate growth control of
    per-capita excess performance pay (``rules.pay_growth_control``: +≤5 points for
    优秀 only)."""
    from jigong.core.permissions import ensure

    on = on or min(datetime.date(year, 12, 31), timezone.localdate())
    probe = PaySupplementCalc(school=school, year=year)
    ensure(actor, "add", probe)
    revenue = revenue_by_school(user=actor, year=year).get(
        school.pk, {"records": Decimal(0), "other": Decimal(0), "total": Decimal(0)}
    )
    result = _policy(rules.pay_supplement, revenue["total"], rate, excellent, on, date_field="year")
    steps = [
        _("培训记录社会培训收入：%(a)s 元") % {"a": f"{revenue['records']:,.2f}"},
        _("其他社会培训收入：%(a)s 元") % {"a": f"{revenue['other']:,.2f}"},
        *result.steps,
    ]
    growth = None
    if control_base is not None:
        growth = _policy(
            rules.pay_growth_control,
            control_base,
            control_growth or 0,
            excellent,
            growth_extra or 0,
            on,
            date_field="year",
        )
        steps += list(growth.steps)
    fields = {
        "control_base": growth.control_base if growth else None,
        "control_growth": growth.growth if growth else None,
        "growth_extra": growth.extra if growth else None,
        "growth_ceiling": growth.ceiling if growth else None,
        "rate": result.rate,
        "excellent": excellent,
        "revenue_records": revenue["records"],
        "revenue_other": revenue["other"],
        "revenue": result.revenue,
        "amount": result.amount,
        "steps": steps,
        "clause": result.clause,
    }
    with transaction.atomic():
        existing = (
            PaySupplementCalc.objects.select_for_update().filter(school=school, year=year).first()
        )
        if existing is not None:
            return core.update(actor, existing, **fields)
        return core.create(actor, PaySupplementCalc, school=school, year=year, **fields)


def supplement_export(*, user, year: int | None = None) -> bytes:
    """The supplements in the user's scope as .xlsx (xlsxwriter), one row per school
    and year with the calculation steps."""
    import io

    import xlsxwriter

    qs = PaySupplementCalc.objects.restrict(user, "view").select_related("school__district")
    if year:
        qs = qs.filter(year=year)
    buf = io.BytesIO()
    from jigong.core.cells import neutralise, xlsx_options

    book = xlsxwriter.Workbook(buf, xlsx_options(in_memory=True))
    sheet = book.add_worksheet(_("绩效工资追加测算"))
    money = book.add_format({"num_format": "#,##0.00"})
    pct = book.add_format({"num_format": "0.00%"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    head = [
        _("学校代码"),
        _("学校名称"),
        _("所在区县"),
        _("年度"),
        _("培训记录收入（元）"),
        _("其他社会培训收入（元）"),
        _("社会培训收入合计（元）"),
        _("绩效考核优秀"),
        _("追加比例"),
        _("追加绩效工资总量（元）"),
        _("依据"),
        _("计算过程"),
    ]
    sheet.write_row(0, 0, head, book.add_format({"bold": True}))
    for i, c in enumerate(qs.order_by("year", "school__code"), 1):
        sheet.write_string(i, 0, neutralise(c.school.code))
        sheet.write_string(i, 1, neutralise(c.school.name))
        sheet.write_string(i, 2, neutralise(c.school.district.name))
        sheet.write_number(i, 3, c.year)
        sheet.write_number(i, 4, float(c.revenue_records), money)
        sheet.write_number(i, 5, float(c.revenue_other), money)
        sheet.write_number(i, 6, float(c.revenue), money)
        sheet.write_string(i, 7, _("是") if c.excellent else _("否"))
        sheet.write_number(i, 8, float(c.rate), pct)
        sheet.write_number(i, 9, float(c.amount), money)
        sheet.write_string(i, 10, f"渝人社发〔2022〕32号{c.clause}")
        sheet.write_string(i, 11, neutralise("\n".join(c.steps)), wrap)
    sheet.set_column(0, 0, 10)
    sheet.set_column(1, 1, 28)
    sheet.set_column(4, 10, 16)
    sheet.set_column(11, 11, 80)
    book.close()
    return buf.getvalue()


# --- teachers （二十） ------------------------------------------------------------------


def hiring_list(*, user, filters=None):
    return _list(TeacherHiring, user=user, filters=filters, filterset=F.SchoolFilterSet)


hiring_get = _getter(TeacherHiring)


@act(
    "teacher_hiring.register",
    label=_lazy("登记教师招聘"),
    roles=ALL_STAFF,
    model="workflows.teacherhiring",
    clause="（二十）",
    channels=("page",),
    event="create",
)
def hiring_create(
    *,
    actor,
    school,
    post: str,
    skill_post: bool,
    practical_weight,
    positions: int,
    announced_on: datetime.date,
    skill_level_required: str = "",
    hired: int = 0,
):
    """A hiring record; for a skill post the practical test must weigh at least the
    minimum (（二十） 原则上不低于50%)."""
    from jigong.core.permissions import ensure

    if actor is not None:
        ensure(actor, "add", TeacherHiring(school=school))
    on = announced_on or timezone.localdate()
    weight = Decimal(str(practical_weight))
    if not 0 <= weight <= 1 or skill_post:
        _policy(rules.check_practical_weight, weight, on, date_field="announced_on")
    return core.create(
        actor,
        TeacherHiring,
        school=school,
        post=post,
        skill_post=skill_post,
        practical_weight=weight,
        skill_level_required=skill_level_required,
        positions=positions,
        announced_on=announced_on,
        hired=hired,
    )


def part_time_teachers(*, user):
    """兼职教师 from enterprises (（二十） 面向社会和企业聘用高技能人才担任兼职教师)."""
    from jigong.staff.models import Teacher, TeacherKind

    return (
        Teacher.objects.restrict(user, "view")
        .filter(kind=TeacherKind.PART_TIME)
        .select_related("school", "enterprise")
        .order_by("school__code", "name")
    )


TEACHER_RELATED = ("teacher__school__district",)


def training_list(*, user, filters=None):
    return _list(
        IntegratedTraining,
        user=user,
        filters=filters,
        filterset=F.TeacherRecordFilterSet,
        related=TEACHER_RELATED,
    )


training_get = _getter(IntegratedTraining, TEACHER_RELATED)


def competition_list(*, user, filters=None):
    return _list(
        TeacherCompetition,
        user=user,
        filters=filters,
        filterset=F.TeacherRecordFilterSet,
        related=TEACHER_RELATED,
    )


competition_get = _getter(TeacherCompetition, TEACHER_RELATED)


def _in_scope(actor, model, ref, field: str, message):
    """The record ``ref`` (an instance or a pk) as the actor may use it: a record that
    does not exist is a rule's refusal on ``field``; another school's is out of scope,
    as on the pages (PermissionDenied)."""
    pk = getattr(ref, "pk", ref)
    try:
        return model.objects.restrict(actor, "view").get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        if model.objects.filter(pk=pk).exists():
            from jigong.core.permissions import ensure

            ensure(actor, "view", model.objects.get(pk=pk))
        raise ValidationError({field: [message % {"pk": pk}]}) from None


def _teacher(actor, teacher):
    from jigong.staff.models import Teacher

    return _in_scope(actor, Teacher, teacher, "teacher", _("教师编号“%(pk)s”不存在"))


@act(
    "integrated_training.register",
    label=_lazy("登记一体化师资培训"),
    roles=ALL_STAFF,
    model="workflows.integratedtraining",
    clause="（二十）",
    channels=("page",),
    event="create",
)
def training_create(
    *,
    actor,
    teacher,
    title: str,
    organiser: str,
    level: str,
    hours: int,
    started_on: datetime.date,
    ended_on: datetime.date,
    online: bool = False,
) -> IntegratedTraining:
    """一体化师资培训 a teacher of the actor's scope attended."""
    return core.create(
        actor,
        IntegratedTraining,
        teacher=_teacher(actor, teacher),
        title=title,
        organiser=organiser,
        level=level,
        hours=hours,
        started_on=started_on,
        ended_on=ended_on,
        online=online,
    )


@act(
    "teacher_competition.register",
    label=_lazy("登记教师职业能力大赛"),
    roles=ALL_STAFF,
    model="workflows.teachercompetition",
    clause="（二十）",
    channels=("page",),
    event="create",
)
def competition_create(
    *, actor, teacher, name: str, level: str, year: int, award: str = ""
) -> TeacherCompetition:
    """A teacher's entry in a teacher competition."""
    return core.create(
        actor,
        TeacherCompetition,
        teacher=_teacher(actor, teacher),
        name=name,
        level=level,
        year=year,
        award=award,
    )


# --- labour education and 思政 （四）（五） -----------------------------------------------


def curriculum_list(*, user, filters=None):
    return _list(CurriculumRecord, user=user, filters=filters, filterset=F.YearSchoolFilterSet)


curriculum_get = _getter(CurriculumRecord)


@act(
    "curriculum.set",
    label=_lazy("填报劳动教育与思政课程"),
    roles=ALL_STAFF,
    model="workflows.curriculumrecord",
    clause="（四）（五）",
    channels=("page",),
)
def curriculum_set(
    *,
    actor,
    school,
    year: int,
    labour_spirit_hours,
    labour_course: bool | Unset = UNSET,
    ideology_textbook: bool | Unset = UNSET,
    chinese_textbook: bool | Unset = UNSET,
    history_textbook: bool | Unset = UNSET,
    note: str | Unset = UNSET,
):
    """The school's curriculum for a school year (created, or the given fields changed),
    with the hours of 劳模/劳动/工匠精神 education it really gave: fewer than the
    minimum (（五） 不少于每学年16学时) are recorded and show as a finding
    (``curriculum_finding``: the district's list, the evaluation), not refused."""
    from jigong.core.permissions import ensure

    if actor is not None:
        ensure(actor, "add", CurriculumRecord(school=school))
    fields = given(
        labour_course=labour_course,
        ideology_textbook=ideology_textbook,
        chinese_textbook=chinese_textbook,
        history_textbook=history_textbook,
        note=note,
    )
    try:
        datetime.date(year, 9, 1)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValidationError({"year": [_("学年“%(y)s”不是有效年份") % {"y": year}]}) from exc
    try:
        negative = Decimal(str(labour_spirit_hours)) < 0
    except ArithmeticError:
        negative = False  # not a number: the model's field says so
    if negative:
        raise ValidationError(
            {"labour_spirit_hours": [_("学时“%(h)s”不能为负数") % {"h": labour_spirit_hours}]}
        )
    with transaction.atomic():
        row = CurriculumRecord.objects.select_for_update().filter(school=school, year=year).first()
        if row is not None:
            return core.update(actor, row, labour_spirit_hours=labour_spirit_hours, **fields)
        return core.create(
            actor,
            CurriculumRecord,
            school=school,
            year=year,
            labour_spirit_hours=labour_spirit_hours,
            **fields,
        )


def curriculum_finding(record) -> str | None:
    """The （五） finding of a curriculum record: hours short of the minimum, or None."""
    return rules.labour_hours_finding(record.labour_spirit_hours, datetime.date(record.year, 9, 1))


# --- student aid （二十一） -------------------------------------------------------------


def aid_programme_list(*, user, filters=None):
    qs = (
        AidProgramme.objects.restrict(user, "view")
        .select_related("school__district")
        .annotate(recipients_count=Count("recipients"), granted=Sum("recipients__amount"))
        .order_by("-year", "school__code", "name")
    )
    return filtered(qs, F.YearSchoolFilterSet, user=user, filters=filters)


aid_programme_get = _getter(AidProgramme)


@act(
    "aid_programme.create",
    label=_lazy("新建资助项目"),
    roles=ALL_STAFF,
    model="workflows.aidprogramme",
    clause="（二十一）",
    channels=("page",),
    event="create",
)
def aid_programme_create(
    *, actor, school, year: int, name: str, kind: str, funder: str, amount_per_person
) -> AidProgramme:
    """A student-aid programme of a school for a year."""
    return core.create(
        actor,
        AidProgramme,
        school=school,
        year=year,
        name=name,
        kind=kind,
        funder=funder,
        amount_per_person=amount_per_person,
    )


def aid_recipients(*, user, programme):
    return (
        AidRecipient.objects.restrict(user, "view")
        .filter(programme=programme)
        .select_related("registration__person", "registration__school")
    )


@act(
    "aid_recipient.add",
    label=_lazy("登记受助学生"),
    roles=ALL_STAFF,
    model="workflows.aidrecipient",
    clause="（二十一）",
    channels=("page",),
    event="create",
)
def aid_recipient_add(*, actor, programme, registration, amount=None, granted_on=None):
    """Register a recipient: a registration in the actor's scope, of a programme in its
    scope (another school's programme or student is out of scope), once per programme."""
    from jigong.core.permissions import ensure
    from jigong.students.models import Registration

    ensure(actor, "change", programme)
    reg = _in_scope(actor, Registration, registration, "registration", _("学籍编号“%(pk)s”不存在"))
    if AidRecipient.objects.filter(programme=programme, registration=reg).exists():
        raise ValidationError(
            {"registration": [_("“%(r)s”已是“%(p)s”的受助学生") % {"r": reg, "p": programme}]}
        )
    return core.create(
        actor,
        AidRecipient,
        programme=programme,
        registration=reg,
        amount=programme.amount_per_person if amount is None else amount,
        granted_on=granted_on or timezone.localdate(),
    )
