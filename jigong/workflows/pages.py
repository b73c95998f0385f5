"""Pages of licensing (（二十一）), 双优 (（十四）), catalogue adjustment (（十六）), the
pay supplement (（七）), teachers (（二十）), curriculum (（四）（五）) and student aid.

Workflow items use ``WorkflowRegister`` (timeline, documents, buttons); the other
records are plain ``Register``s with create forms that call the services. Every read
starts from ``restrict()``; a record outside the user's scope answers 404.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jigong.core import acts, params
from jigong.core.errors import messages_of
from jigong.core.models import Role
from jigong.core.permissions import restrict, role_may
from jigong.core.viewsets import Col, Register, Related, form_page, get_or_404
from jigong.policy.formatting import percent
from jigong.workflows import aid_pages, catalogue, designations, licensing, records
from jigong.workflows import filters as F
from jigong.workflows import models as m
from jigong.workflows.views import (
    DUE,
    STATE,
    WorkflowRegister,
    _create_view,
    _edit_view,
    _form_page,
    _school_or_403,
)

# --- registers ----------------------------------------------------------------------

founding = WorkflowRegister(
    model=m.FoundingApplication,
    name="founding",
    prefix="founding-applications",
    list_selector=licensing.founding_list,
    get_selector=licensing.founding_get,
    filterset_class=F.FoundingApplicationFilterSet,
    columns=[
        Col("school", link=True),
        "school__tier",
        "school__district",
        Col("authority", gettext_lazy("审批机关")),
        "founding_started_on",
        STATE,
        DUE,
    ],
    detail_fields=[
        "school",
        "school__tier",
        "school__district",
        Col("authority", gettext_lazy("审批机关")),
        "founding_started_on",
        Col("founding_deadline", gettext_lazy("筹建期限至")),
        "planned_students",
        "summary",
        STATE,
        DUE,
        "created_at",
    ],
    extra={
        "create": ("workflows:founding_create", Role.SCHOOL, gettext_lazy("申请正式设立")),
        "edit_url_name": "workflows:founding_edit",
        "section": "workflows/_founding.html",
        "context": lambda obj, user: {
            "standards": licensing.standards_table(user=user, school_id=obj.school_id)
        },
    },
)


def _interim_weights(round_):
    """The interim score's weights for the round's year and their basis (平台设定)."""
    import datetime

    from jigong.policy import parameters as P

    c = P.cite("designations.interim_weights", datetime.date(round_.year, 12, 31))
    return {"weights": c.value, "basis": c.basis}


rounds = WorkflowRegister(
    model=m.DesignationRound,
    name="designation_round",
    prefix="designation-rounds",
    list_selector=designations.round_list,
    get_selector=designations.round_get,
    filterset_class=F.DesignationRoundFilterSet,
    columns=[Col("year", link=True), "kind", STATE, "note"],
    detail_fields=["year", "kind", "note", STATE, "created_at"],
    extra={
        "create": (
            "workflows:designation_round_create",
            Role.MUNICIPAL,
            gettext_lazy("新建认定批次"),
        ),
        "section": "workflows/_designation.html",
        "context": lambda obj, user: {
            "designated": designations.designated(user=user, designation_round=obj),
            "candidates": designations.round_candidates(user=user, designation_round=obj),
            "interim": _interim_weights(obj),
        },
    },
)


def _level_label(level: str):
    """A class level's label (高级工班) for the code a field stores without choices."""
    from jigong.core.choices import Level

    return Level(level).label if level in Level.values else level


def _level(o):
    """An adjustment's class level: the new major's, or the school major's it changes."""
    return _level_label(o.school_major.level if o.school_major_id else o.level)


adjustments = WorkflowRegister(
    model=m.MajorAdjustment,
    name="major_adjustment",
    prefix="major-adjustments",
    list_selector=catalogue.adjustment_list,
    get_selector=catalogue.adjustment_get,
    filterset_class=F.MajorAdjustmentFilterSet,
    columns=[
        Col("action", link=True),
        "school",
        Col(
            "major",
            gettext_lazy("专业"),
            render=lambda o: o.school_major.major if o.school_major_id else o.major,
        ),
        Col("level", gettext_lazy("班级层次"), render=_level),
        STATE,
        DUE,
    ],
    detail_fields=[
        "school",
        "school__district",
        "action",
        "school_major",
        "major",
        Col("level", gettext_lazy("班级层次（新开专业）"), render=lambda o: _level_label(o.level)),
        Col(
            "chains", gettext_lazy("对接产业链"), render=lambda o: [str(c) for c in o.chains.all()]
        ),
        "reason",
        STATE,
        DUE,
        "created_at",
    ],
    extra={
        "create": (
            "workflows:major_adjustment_create",
            Role.SCHOOL,
            gettext_lazy("申请专业设置调整"),
        ),
        "section": "workflows/_adjustment.html",
        "context": lambda obj, user: {"match": catalogue.school_match(school_id=obj.school_id)},
    },
)


def _pct(v):
    return None if v is None else percent(v, fixed=True)


other_revenue = Register(
    model=m.OtherTrainingRevenue,
    name="other_revenue",
    prefix="training-revenue/other",
    list_selector=records.other_revenue_list,
    get_selector=records.other_revenue_get,
    filterset_class=F.YearSchoolFilterSet,
    columns=[Col("description", link=True), "school", "year", "amount", "created_at"],
    list_actions=[(gettext_lazy("登记其他社会培训收入"), "workflows:other_revenue_create", "add")],
)

supplements = Register(
    model=m.PaySupplementCalc,
    name="supplement",
    prefix="pay-supplements",
    list_selector=records.supplement_list,
    get_selector=records.supplement_get,
    filterset_class=F.YearSchoolFilterSet,
    columns=[
        Col("school", link=True),
        "year",
        "revenue",
        Col("rate", render=lambda o: _pct(o.rate)),
        "excellent",
        "amount",
    ],
    detail_fields=[
        "school",
        "year",
        "revenue_records",
        "revenue_other",
        "revenue",
        "excellent",
        Col("rate", render=lambda o: _pct(o.rate)),
        "amount",
        "control_base",
        Col("control_growth", render=lambda o: _pct(o.control_growth)),
        Col("growth_extra", render=lambda o: _pct(o.growth_extra)),
        "growth_ceiling",
        "clause",
        Col("steps", gettext_lazy("计算过程"), render=lambda o: o.steps_text()),
        "calculated_at",
    ],
    list_actions=[
        (gettext_lazy("社会培训收入与测算"), "workflows:training_revenue", "view"),
        (gettext_lazy("导出Excel"), "workflows:supplement_export", "view"),
    ],
)

hirings = Register(
    model=m.TeacherHiring,
    name="hiring",
    prefix="teacher-hirings",
    list_selector=records.hiring_list,
    get_selector=records.hiring_get,
    filterset_class=F.SchoolFilterSet,
    columns=[
        Col("post", link=True),
        "school",
        "skill_post",
        Col("practical_weight", render=lambda o: _pct(o.practical_weight)),
        "positions",
        "hired",
        "announced_on",
    ],
    list_actions=[(gettext_lazy("登记教师招聘"), "workflows:hiring_create", "add")],
)

trainings = Register(
    model=m.IntegratedTraining,
    name="integrated_training",
    prefix="integrated-trainings",
    list_selector=records.training_list,
    get_selector=records.training_get,
    filterset_class=F.TeacherRecordFilterSet,
    columns=[
        Col("title", link=True),
        Col("teacher__name", gettext_lazy("教师"), mask="name"),
        "teacher__school",
        "level",
        "hours",
        "started_on",
        "online",
    ],
    list_actions=[
        (gettext_lazy("登记一体化师资培训"), "workflows:integrated_training_create", "add")
    ],
)

competitions = Register(
    model=m.TeacherCompetition,
    name="competition",
    prefix="teacher-competitions",
    list_selector=records.competition_list,
    get_selector=records.competition_get,
    filterset_class=F.TeacherRecordFilterSet,
    columns=[
        Col("name", link=True),
        Col("teacher__name", gettext_lazy("教师"), mask="name"),
        "teacher__school",
        "level",
        "year",
        "award",
    ],
    list_actions=[(gettext_lazy("登记教师大赛"), "workflows:competition_create", "add")],
)

curricula = Register(
    model=m.CurriculumRecord,
    name="curriculum",
    prefix="curriculum-records",
    list_selector=records.curriculum_list,
    get_selector=records.curriculum_get,
    filterset_class=F.YearSchoolFilterSet,
    columns=[
        Col("school", link=True),
        "year",
        "labour_course",
        "labour_spirit_hours",
        Col(
            "labour_finding",
            gettext_lazy("（五）专题教育学时"),
            render=lambda o: records.curriculum_finding(o) or gettext_lazy("达到要求"),
        ),
        "ideology_textbook",
        "chinese_textbook",
        "history_textbook",
    ],
    list_actions=[(gettext_lazy("填报课程情况"), "workflows:curriculum_create", "add")],
)


def _recipients(obj, user):
    return records.aid_recipients(user=user, programme=obj)


aid = Register(
    model=m.AidProgramme,
    name="aid",
    prefix="aid-programmes",
    list_selector=records.aid_programme_list,
    get_selector=records.aid_programme_get,
    filterset_class=F.YearSchoolFilterSet,
    columns=[
        Col("name", link=True),
        "school",
        "year",
        "kind",
        "amount_per_person",
        Col("recipients_count", gettext_lazy("受助人数")),
        Col("granted", gettext_lazy("发放金额（元）")),
    ],
    detail_fields=["school", "year", "name", "kind", "funder", "amount_per_person"],
    related=[
        Related(
            title=gettext_lazy("资助申请与发放"),
            rows=lambda obj, user: aid_pages.programme_figures(obj, user),
            columns=[
                Col("label", gettext_lazy("环节")),
                Col("count", gettext_lazy("人数")),
                Col("amount", gettext_lazy("金额（元）")),
            ],
        ),
        Related(
            title=gettext_lazy("资助申请"),
            rows=lambda obj, user: aid_pages.programme_applications(obj, user),
            columns=[
                Col("registration__person__name", gettext_lazy("学生姓名")),
                "amount_requested",
                "grounds",
                "applied_on",
                "amount_approved",
                "paid_on",
                Col("state", gettext_lazy("状态"), render=lambda o: o.get_state_display()),
            ],
            register="aid_application",
        ),
        Related(
            title=gettext_lazy("受助学生"),
            rows=_recipients,
            columns=[
                Col("registration__person__name", gettext_lazy("姓名")),
                Col("registration__school", gettext_lazy("学校")),
                "amount",
                "granted_on",
            ],
        ),
    ],
    actions=[
        (gettext_lazy("录入资助申请"), "workflows:aid_application_create", {Role.SCHOOL}),
        (gettext_lazy("提交区县审核"), "workflows:aid_applications_submit", {Role.SCHOOL}),
        (gettext_lazy("登记受助学生"), "workflows:aid_recipient_create"),
    ],
    list_actions=[(gettext_lazy("新建资助项目"), "workflows:aid_create", "add")],
)

REGISTERS_BY_KIND = {
    "founding": founding,
    "designation_round": rounds,
    "major_adjustment": adjustments,
}


# --- forms --------------------------------------------------------------------------


def _date(field):
    field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    return field


def _school_field(user, initial=None):
    from jigong.schools.models import School

    return forms.ModelChoiceField(
        label=_("学校"),
        queryset=restrict(user, School, "view").order_by("code"),
        initial=initial,
    )


def _teacher_field(user):
    from jigong.staff.models import Teacher

    return forms.ModelChoiceField(
        label=_("教师"),
        queryset=restrict(user, Teacher, "view")
        .select_related("school")
        .order_by("school", "name"),
    )


def record_form(model, names, *, user, school=True, teacher=False, data=None, initial=None):
    """A form of the model's fields; a school drop-down (scoped; fixed for a school
    user) and a teacher drop-down (scoped) when asked."""

    class RecordForm(forms.Form):
        pass

    form = RecordForm(data, initial=initial)
    if school and not (user.role == Role.SCHOOL and user.school_id):
        form.fields["school"] = _school_field(user)
    if teacher:
        form.fields["teacher"] = _teacher_field(user)
    for name, f in forms.fields_for_model(model, fields=names).items():
        if isinstance(f, forms.DateField):
            _date(f)
        form.fields[name] = f
    return form


def _school_of(user, data):
    if user.role == Role.SCHOOL:
        if not user.school_id:
            raise PermissionDenied(_("账号未关联学校。"))
        return user.school
    return data.pop("school")


def _record_create_view(model, names, register, save, title, *, teacher=False, school=True):
    @login_required
    def view(request):
        if not role_may(request.user, model, "add"):
            raise PermissionDenied(_("您的角色无权新增“%(m)s”。") % {"m": model._meta.verbose_name})
        form = record_form(
            model,
            names,
            user=request.user,
            school=school,
            teacher=teacher,
            data=request.POST or None,
        )

        def run(data):
            data = dict(data)
            if school:
                data["school"] = _school_of(request.user, data)
            obj = save(actor=request.user, **data)
            messages.success(request, _("已保存。"))
            return register.detail_url(obj.pk)

        return form_page(
            request,
            form=form,
            title=str(title),
            cancel_url=register.list_url(),
            save=run,
            register=register,
        )

    return view


other_revenue_create = _record_create_view(
    m.OtherTrainingRevenue,
    ["year", "amount", "description"],
    other_revenue,
    records.other_revenue_create,
    gettext_lazy("登记其他社会培训收入"),
)
hiring_create = _record_create_view(
    m.TeacherHiring,
    [
        "post",
        "skill_post",
        "practical_weight",
        "skill_level_required",
        "positions",
        "announced_on",
        "hired",
    ],
    hirings,
    records.hiring_create,
    gettext_lazy("登记教师招聘"),
)
integrated_training_create = _record_create_view(
    m.IntegratedTraining,
    ["title", "organiser", "level", "hours", "started_on", "ended_on", "online"],
    trainings,
    records.training_create,
    gettext_lazy("登记一体化师资培训"),
    teacher=True,
    school=False,
)
competition_create = _record_create_view(
    m.TeacherCompetition,
    ["name", "level", "year", "award"],
    competitions,
    records.competition_create,
    gettext_lazy("登记教师职业能力大赛"),
    teacher=True,
    school=False,
)
curriculum_create = _record_create_view(
    m.CurriculumRecord,
    [
        "year",
        "labour_course",
        "labour_spirit_hours",
        "ideology_textbook",
        "chinese_textbook",
        "history_textbook",
        "note",
    ],
    curricula,
    records.curriculum_set,
    gettext_lazy("填报劳动教育与思政课程"),
)
aid_create = _record_create_view(
    m.AidProgramme,
    ["year", "name", "kind", "funder", "amount_per_person"],
    aid,
    records.aid_programme_create,
    gettext_lazy("新建资助项目"),
)


class RecipientForm(forms.Form):
    id_number = forms.CharField(label=gettext_lazy("学生身份证号"), max_length=18)
    amount = forms.DecimalField(label=gettext_lazy("资助金额（元）"), required=False, min_value=0)
    granted_on = _date(forms.DateField(label=gettext_lazy("发放日期"), required=False))


@login_required
def aid_recipient_create(request, pk: int):
    from jigong.students.models import Registration

    programme = get_or_404(records.aid_programme_get, user=request.user, pk=pk, action="change")
    form = RecipientForm(request.POST or None)

    def save(data):
        number = data["id_number"].strip().upper()
        reg = (
            Registration.objects.restrict(request.user, "view")
            .filter(school=programme.school)
            .by_id_number(number, "person__id_number")
            .order_by("-enrolled_on")
            .first()
        )
        if reg is None:
            raise ValidationError(
                {"id_number": [_("身份证号“%(n)s”：本校没有该学生的学籍") % {"n": number}]}
            )
        records.aid_recipient_add(
            actor=request.user,
            programme=programme,
            registration=reg,
            amount=data["amount"],
            granted_on=data["granted_on"],
        )
        return aid.detail_url(programme.pk)

    return form_page(
        request,
        form=form,
        title=_("登记受助学生：%(p)s") % {"p": programme},
        cancel_url=aid.detail_url(programme.pk),
        save=save,
        register=aid,
    )


# --- licensing: founding application, compliance page ---------------------------------

FOUNDING_FIELDS = ["founding_started_on", "planned_students", "summary"]


def _founding_form(request, initial=None):
    return record_form(
        m.FoundingApplication,
        FOUNDING_FIELDS,
        user=request.user,
        school=False,
        data=request.POST or None,
        initial=initial,
    )


founding_create = _create_view(
    m.FoundingApplication,
    FOUNDING_FIELDS,
    founding,
    licensing.founding_create,
    gettext_lazy("申请正式设立"),
    make_form=_founding_form,
)
founding_edit = _edit_view(
    m.FoundingApplication,
    FOUNDING_FIELDS,
    founding,
    licensing.founding_get,
    licensing.founding_update,
    "application",
    make_form=_founding_form,
)


@login_required
def compliance(request):
    """达标 check of every school in scope, criterion by criterion, with the enrolment
    suspension/restoration forms for the licensing authority."""
    from jigong.schools.models import School

    if not role_may(request.user, School, "view"):
        raise PermissionDenied(_("您的角色无权查看达标检查。"))
    rows = licensing.standards_table(user=request.user)
    return render(
        request,
        "workflows/compliance.html",
        {
            "title": _("达标检查与招生暂停/恢复"),
            "rows": rows,
            "passed": sum(r["result"].passed for r in rows),
        },
    )


@require_POST
@login_required
def enrolment_status(request, pk: int, action: str):
    from jigong.schools.models import School

    school = get_or_404(
        School.objects.restrict(request.user, "view").get, pk=pk, message=_("未找到该学校。")
    )
    fn = {"suspend": licensing.enrolment_suspend, "restore": licensing.enrolment_restore}.get(
        action
    )
    if fn is None:
        raise Http404(_("未知的操作"))
    try:
        fn(actor=request.user, school=school, reason=request.POST.get("reason", ""))
    except ValidationError as exc:  # PermissionDenied (not the licensing authority): 403
        for msg in messages_of(exc):
            messages.error(request, f"{school}：{msg}")
    else:
        messages.success(
            request,
            _("“%(s)s”办学状态已变更为“%(st)s”") % {"s": school, "st": school.get_status_display()},
        )
    return redirect("workflows:compliance")


# --- 双优: rounds and designating --------------------------------------------------------


class RoundForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2022, max_value=2100)
    kind = forms.ChoiceField(label=gettext_lazy("认定类型"), choices=m.DesignationKind.choices)
    note = forms.CharField(label=gettext_lazy("说明"), max_length=255, required=False)


@login_required
def designation_round_create(request):
    acts.ensure_role(request.user, acts.get("designation_round.create"))  # refused before the form
    form = RoundForm(request.POST or None, initial={"year": timezone.localdate().year})

    def save(data):
        r = designations.round_create(actor=request.user, **data)
        return rounds.detail_url(r.pk)

    return form_page(
        request,
        form=form,
        title=_("新建认定批次"),
        cancel_url=rounds.list_url(),
        save=save,
        register=rounds,
    )


@require_POST
@login_required
def designate(request, pk: int):
    from jigong.schools.models import School, SchoolMajor

    try:
        r = designations.round_get(user=request.user, pk=pk, action="change")
        key = int(request.POST.get("key", ""))
        if r.kind == m.DesignationKind.QUALITY_SCHOOL:
            target = {"school": School.objects.restrict(request.user, "view").get(pk=key)}
        else:
            target = {
                "school_major": SchoolMajor.objects.restrict(request.user, "view")
                .select_related("school", "major")
                .get(pk=key)
            }
    except (ObjectDoesNotExist, ValueError) as exc:
        raise Http404(_("未找到该记录。")) from exc
    try:
        designations.designate(actor=request.user, designation_round=r, **target)
    except ValidationError as exc:  # PermissionDenied: 403
        for msg in messages_of(exc):
            messages.error(request, msg)
    else:
        messages.success(request, _("已认定：%(t)s") % {"t": next(iter(target.values()))})
    return redirect(rounds.detail_url(r.pk))


# --- catalogue adjustment -------------------------------------------------------------


@login_required
def major_adjustment_create(request):
    from jigong.reference.models import IndustryChain, Major
    from jigong.schools.models import SchoolMajor

    school = _school_or_403(request.user)
    form = forms.Form(request.POST or None)
    form.fields["action"] = forms.ChoiceField(
        label=_("调整类型"), choices=m.AdjustmentAction.choices
    )
    form.fields["school_major"] = forms.ModelChoiceField(
        label=_("本校专业（暂停、撤销或恢复招生）"),
        queryset=SchoolMajor.objects.restrict(request.user, "view")
        .filter(school=school)
        .select_related("major"),
        required=False,
    )
    form.fields["major"] = forms.ModelChoiceField(
        label=_("新开专业（专业目录）"), queryset=Major.objects.order_by("code"), required=False
    )
    from jigong.core.choices import Level

    form.fields["level"] = forms.ChoiceField(
        label=_("班级层次（新开专业）"), choices=[("", "—"), *Level.choices], required=False
    )
    form.fields["chains"] = forms.ModelMultipleChoiceField(
        label=_("对接产业链（新开专业）"),
        queryset=IndustryChain.objects.order_by("-year", "code"),
        required=False,
    )
    form.fields["reason"] = forms.CharField(label=_("调整理由"), widget=forms.Textarea)

    def save(data):
        data = dict(data)
        item = catalogue.adjustment_create(
            actor=request.user,
            school=school,
            chains=list(data.pop("chains") or ()),
            documents=request.FILES.getlist("documents"),
            **data,
        )
        messages.success(request, _("已保存草稿，核对后请提交。"))
        return adjustments.detail_url(item.pk)

    return _form_page(
        request,
        title=_("申请专业设置调整"),
        form=form,
        register=adjustments,
        cancel_url=adjustments.list_url(),
        save=save,
        documents=True,
    )


# --- training revenue and the supplement --------------------------------------------


def _year(request, default=None) -> int:
    return params.year(request.GET, default=default or timezone.localdate().year)


@login_required
def training_revenue(request):
    from jigong.training.selectors import latest_year

    if not role_may(request.user, m.PaySupplementCalc, "view"):
        raise PermissionDenied(_("您的角色无权查看培训收入。"))
    year = _year(request, latest_year(user=request.user))
    rows = records.revenue_table(user=request.user, year=year)
    return render(
        request,
        "workflows/training_revenue.html",
        {
            "title": _("%(y)s年社会培训收入与绩效工资追加") % {"y": year},
            "year": year,
            "rows": rows,
            "register": supplements,
        },
    )


class SupplementForm(forms.Form):
    rate = forms.DecimalField(
        label=gettext_lazy("追加比例（%）"), min_value=0, max_value=100, decimal_places=2
    )
    excellent = forms.BooleanField(label=gettext_lazy("绩效考核优秀"), required=False)
    control_base = forms.DecimalField(
        label=gettext_lazy("调控基数（人均，元，选填）"),
        required=False,
        min_value=0,
        decimal_places=2,
        help_text=gettext_lazy(
            "（七）考核优秀的单位，调控超额绩效年人均水平的控制增幅可上浮（不超过调控基数的5个百分点）；"
            "追加比例始终为5%—20%"
        ),
    )
    control_growth = forms.DecimalField(
        label=gettext_lazy("控制增幅（%，选填）"), required=False, min_value=0, decimal_places=2
    )
    growth_extra = forms.DecimalField(
        label=gettext_lazy("考核优秀上浮（百分点，选填）"),
        required=False,
        min_value=0,
        decimal_places=2,
    )


def _fraction(x):
    return None if x is None else x / 100


@login_required
def supplement_calculate(request, school_pk: int, year: int):
    from jigong.schools.models import School

    school = get_or_404(
        School.objects.restrict(request.user, "view").get,
        pk=school_pk,
        message=_("未找到该学校。"),
    )
    form = SupplementForm(request.POST or None, initial={"rate": 10})

    def save(data):
        calc = records.supplement_calculate(
            actor=request.user,
            school=school,
            year=year,
            rate=data["rate"] / 100,
            excellent=data["excellent"],
            control_base=data.get("control_base"),
            control_growth=_fraction(data.get("control_growth")),
            growth_extra=_fraction(data.get("growth_extra")),
        )
        return supplements.detail_url(calc.pk)

    return form_page(
        request,
        form=form,
        title=_("%(s)s%(y)s年绩效工资追加测算") % {"s": school, "y": year},
        cancel_url=reverse("workflows:training_revenue") + f"?year={year}",
        save=save,
        register=supplements,
    )


@login_required
def supplement_export(request):
    if not role_may(request.user, m.PaySupplementCalc, "view"):
        raise PermissionDenied(_("您的角色无权导出绩效工资追加测算。"))
    data = records.supplement_export(user=request.user, year=params.year(request.GET))
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = "attachment; filename=pay-supplements.xlsx"
    return response


@login_required
def part_time_teachers(request):
    from jigong.staff.models import Teacher

    if not role_may(request.user, Teacher, "view"):
        raise PermissionDenied(_("您的角色无权查看教师。"))
    return render(
        request,
        "workflows/part_time_teachers.html",
        {
            "title": _("企业兼职教师"),
            "page": Paginator(records.part_time_teachers(user=request.user), 50).get_page(
                request.GET.get("page")
            ),
        },
    )
