"""The staff pages of online enrolment at /admissions/ (（九）（十）, issue 16, slice E3).

A school (duty 招生) reviews the choices naming it and decides them, one by one or a
batch admission, enters offline applications, and on registration day turns its
confirmed admissions into 学籍 (the act's duty, as a background job), and revokes an
admission the applicant has not confirmed yet (``undo``). The district and the city read the
figures per school and major beside the plan; the city sets the season. Every change
calls an act of ``jigong.admissions.services``; every read starts from the scope
(``selectors.school_choices``, ``staff_selectors``)."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jigong.admissions import register_job, selectors, services, undo
from jigong.admissions import staff_selectors as S
from jigong.admissions.models import Channel, Choice, ChoiceState, Schooling
from jigong.core import acts, params, pii
from jigong.core.choices import Level
from jigong.core.models import Role
from jigong.core.viewsets import Col, Related, apply_errors, form_page
from jigong.standards.regions import PROVINCES
from jigong.students import views as student_views
from jigong.students.models import Source, Track

PER_PAGE = 50
DECIDE = {
    "admit": "admission.admit",
    "waitlist": "admission.waitlist",
    "refuse": "admission.refuse",
    "revoke": "admission.revoke",  # an admission not yet confirmed (undo.py)
}
BUREAUS = (Role.DISTRICT, Role.MUNICIPAL)


def _school_of(user):
    """The school of a school account that may decide (duty 招生), else 403."""
    acts.ensure_role(user, "admission.admit")
    if user.role != Role.SCHOOL or not user.school_id:
        raise PermissionDenied(_("只有学校账号办理招生录取。"))
    return user.school


def _today():
    return timezone.localdate()


def _applicant(choice) -> str:
    """The applicant as messages name them: masked name and reference."""
    return _("%(name)s（报名号%(ref)s）") % {
        "name": pii.mask_name(choice.application.name),
        "ref": choice.application.reference,
    }


def _messages_of(exc: ValidationError) -> str:
    return "；".join(str(m) for m in exc.messages)


# --- a school's applications ------------------------------------------------------------


@login_required
def index(request):
    """A school's choices (duty 招生); the bureaus go to their figures."""
    user = request.user
    if not user.is_superuser and user.role in BUREAUS:
        return redirect("admissions:overview")
    school = _school_of(user)
    season = S.current_season(_today())
    q = request.GET
    majors = list(school.majors.select_related("major").order_by("major__code", "level"))
    by_pk = {str(m.pk): m for m in majors}
    state = params.choice(q, "state", [c for c, _l in ChoiceState.choices], default="")
    track = params.choice(q, "track", [c for c, _l in Track.choices], default="")
    category = params.choice(q, "category", [c for c, _l in Source.choices], default="")
    channel = params.choice(q, "channel", [c for c, _l in Channel.choices], default="")
    major = params.choice(q, "major", list(by_pk), default="")
    text = params.text(q, "q", max_length=40, default="").strip()
    rows = selectors.school_choices(user=user, state=state or None)
    if season is not None:
        rows = rows.filter(application__season=season)
    if track:
        rows = rows.filter(track=track)
    if category:
        rows = rows.filter(application__category=category)
    if channel:
        rows = rows.filter(application__channel=channel)
    if major:
        rows = rows.filter(school_major=by_pk[major])
    if text:
        rows = rows.filter(
            Q(application__reference__iexact=text) | Q(application__name__contains=text)
        )
    rows = rows.select_related("application", "school_major__major").order_by(
        "application__created_at", "application__pk", "rank"
    )
    page = Paginator(rows, PER_PAGE).get_page(q.get("page"))
    labels = dict(Source.choices)
    for c in page.object_list:
        c.category_label = labels.get(c.application.category, c.application.category)
    lines = S.school_lines(user=user, school=school, year=season.year) if season else []
    return render(
        request,
        "admissions/staff_school.html",
        {
            "title": _("招生报名"),
            "subtitle": season or _("尚未设立招生季"),
            "season": season,
            "school": school,
            "lines": lines,
            "page": page,
            "filters": {
                "state": state,
                "track": track,
                "category": category,
                "channel": channel,
                "major": major,
                "q": text,
            },
            "states": ChoiceState.choices,
            "tracks": Track.choices,
            "categories": Source.choices,
            "channels": Channel.choices,
            "majors": majors,
            "next": request.get_full_path(),
            "may_enter": acts.role_may(user, "admission.enter"),
            "may_enrol": acts.role_may(user, "admission.enrol_cohort"),
        },
    )


def _back(request) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("admissions:index")


def _own_choice(user, pk) -> Choice:
    """A choice naming the user's school, else 404 (existence is not revealed)."""
    found = (
        selectors.school_choices(user=user)
        .select_related("application", "school_major__major")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404(_("未找到该报名志愿。"))
    return found


def _decide(user, choice, action: str, reason: str):
    if action == "admit":
        return services.choice_admit(actor=user, choice=choice)
    if action == "waitlist":
        return services.choice_waitlist(actor=user, choice=choice, reason=reason)
    if action == "revoke":
        return undo.choice_revoke(actor=user, choice=choice, reason=reason)
    return services.choice_refuse(actor=user, choice=choice, reason=reason)


@require_POST
@login_required
def decide(request, pk: int):
    action = request.POST.get("action", "")
    if action not in DECIDE:
        raise PermissionDenied(_("未知的操作。"))
    acts.ensure_role(request.user, DECIDE[action])
    _school_of(request.user)
    choice = _own_choice(request.user, pk)
    reason = request.POST.get("reason", "").strip()[:255]
    try:
        _decide(request.user, choice, action, reason)
    except ValidationError as exc:
        messages.error(request, f"{_applicant(choice)}：{_messages_of(exc)}")
    else:
        done = {
            "admit": _("已录取"),
            "waitlist": _("已列为候补"),
            "refuse": _("已作未录取处理"),
            "revoke": _("已撤销录取，名额已释放"),
        }[action]
        messages.success(request, f"{_applicant(choice)}：{done}")
    return redirect(_back(request))


class _Rollback(Exception):
    pass


@require_POST
@login_required
def batch_admit(request):
    """Admit the selected choices, each through the act, all or nothing: the first
    refusal rolls back the others and names its row and the rule."""
    _school_of(request.user)
    ids = []
    for raw in request.POST.getlist("choice"):
        if not raw.isdigit():
            raise PermissionDenied(_("未知的报名志愿。"))
        if int(raw) not in ids:
            ids.append(int(raw))
    if not ids:
        messages.error(request, _("请先勾选要录取的报名志愿。"))
        return redirect(_back(request))
    found = (
        selectors.school_choices(user=request.user)
        .select_related("application", "school_major__major")
        .in_bulk(ids)
    )
    if len(found) != len(ids):
        raise Http404(_("未找到该报名志愿。"))
    failed = None
    try:
        with transaction.atomic():
            for n, pk in enumerate(ids, start=1):
                choice = found[pk]
                try:
                    services.choice_admit(actor=request.user, choice=choice)
                except ValidationError as exc:
                    failed = (n, choice, exc)
                    raise _Rollback from exc
    except _Rollback:
        n, choice, exc = failed
        messages.error(
            request,
            _("批量录取未执行，所选各行均未录取：所选第%(n)s行 %(who)s：%(why)s")
            % {"n": n, "who": _applicant(choice), "why": _messages_of(exc)},
        )
    else:
        messages.success(request, _("已录取%(n)s人。") % {"n": len(ids)})
    return redirect(_back(request))


# --- offline entry -------------------------------------------------------------------------


class EntryForm(forms.Form):
    id_number = forms.CharField(label=gettext_lazy("身份证号"), max_length=18)
    name = forms.CharField(label=gettext_lazy("姓名"), max_length=32)
    phone = forms.CharField(label=gettext_lazy("联系电话"), max_length=20)
    category = forms.ChoiceField(label=gettext_lazy("报名类别"), choices=Source.choices)
    schooling = forms.ChoiceField(label=gettext_lazy("前置学历"), choices=Schooling.choices)
    home_province = forms.ChoiceField(
        label=gettext_lazy("生源省份"),
        required=False,
        choices=[("", gettext_lazy("按身份证号")), *PROVINCES.items()],
    )
    enterprise_code = forms.CharField(
        label=gettext_lazy("所在企业统一社会信用代码"),
        max_length=18,
        required=False,
        help_text=gettext_lazy("企业在岗职工报非全日制时必填"),
    )
    arrangement_months = forms.IntegerField(
        label=gettext_lazy("工学安排（月）"),
        required=False,
        min_value=0,
        max_value=120,
        help_text=gettext_lazy("企业在岗职工报非全日制时必填，不少于12个月（（十））"),
    )

    def __init__(self, *args, school, max_choices: int, **kw):
        super().__init__(*args, **kw)
        from jigong.schools.models import MajorStatus

        own = (
            school.majors.filter(status=MajorStatus.OPEN)
            .select_related("major")
            .order_by("major__code", "level")
        )
        self.max_choices = max_choices
        for i in range(1, max_choices + 1):
            field = forms.ModelChoiceField(
                label=_("志愿%(i)s 专业及层次") % {"i": i}, queryset=own, required=i == 1
            )
            field.label_from_instance = lambda sm: (
                f"{sm.major.code} {sm.major.name}（{Level(sm.level).label}）"
            )
            self.fields[f"choice{i}_school_major"] = field
            self.fields[f"choice{i}_track"] = forms.ChoiceField(
                label=_("志愿%(i)s 学习形式") % {"i": i},
                choices=[("", _("请选择")), *Track.choices],
                required=i == 1,
            )

    def clean(self):
        data = super().clean()
        for i in range(2, self.max_choices + 1):
            if data.get(f"choice{i}_school_major") and not data.get(f"choice{i}_track"):
                self.add_error(f"choice{i}_track", _("请选择学习形式"))
        return data

    def choices(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {"school_major": data[f"choice{i}_school_major"], "track": data[f"choice{i}_track"]}
            for i in range(1, self.max_choices + 1)
            if data.get(f"choice{i}_school_major")
        ]


def choice_errors(form, exc: ValidationError) -> None:
    """A service error keyed ``choices.<n>.<field>`` goes next to that choice's field."""
    if hasattr(exc, "error_dict"):
        rest = {}
        for key, errors in exc.error_dict.items():
            parts = key.split(".")
            name = f"choice{parts[1]}_{parts[2]}" if len(parts) == 3 else key
            if name in form.fields:
                form.add_error(name, errors)
            else:
                rest[key] = errors
        if rest:
            apply_errors(form, ValidationError(rest))
    else:
        apply_errors(form, exc)


@login_required
def enter(request):
    acts.ensure_role(request.user, "admission.enter")
    if request.user.role != Role.SCHOOL or not request.user.school_id:
        raise PermissionDenied(_("只有学校账号录入现场报名。"))
    school = request.user.school
    season = S.current_season(_today())
    if season is None:
        messages.error(request, _("尚未设立招生季，暂不能录入报名。"))
        return redirect("admissions:index")
    form = EntryForm(request.POST or None, school=school, max_choices=season.max_choices)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            app = services.application_enter(
                actor=request.user,
                school=school,
                season=season,
                id_number=d["id_number"],
                name=d["name"],
                phone=d["phone"],
                category=d["category"],
                schooling=d["schooling"],
                home_province=d["home_province"] or "",
                enterprise_code=d["enterprise_code"] or "",
                arrangement_months=d["arrangement_months"],
                choices=form.choices(),
            )
        except ValidationError as exc:
            choice_errors(form, exc)
        else:
            messages.success(
                request,
                _("已录入报名：%(name)s，报名号%(ref)s。")
                % {"name": pii.mask_name(app.name), "ref": app.reference},
            )
            return redirect("admissions:enter")  # the next applicant
    return render(
        request,
        "portal/form.html",
        {
            "title": _("录入现场报名（%(s)s）") % {"s": season},
            "form": form,
            "cancel_url": reverse("admissions:index"),
        },
    )


# --- registration day ------------------------------------------------------------------------


class RegisterForm(forms.Form):
    enrolled_on = forms.DateField(
        label=gettext_lazy("注册（入学）日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


@login_required
def register(request):
    """Registration day: the school's confirmed admissions become 学籍 in one step, as a
    background job (``register_job``): the page queues it and goes to its page."""
    user = request.user
    acts.ensure_role(user, "admission.enrol_cohort")
    if user.role != Role.SCHOOL or not user.school_id:
        raise PermissionDenied(_("只有学校账号办理新生注册。"))
    school = user.school
    season = S.current_season(_today())
    confirmed = selectors.school_choices(user=user, state=ChoiceState.CONFIRMED)
    if season is not None:
        confirmed = confirmed.filter(application__season=season)
    confirmed = confirmed.select_related("application", "school_major__major").order_by(
        "school_major__major__code", "school_major__level", "application__name", "pk"
    )
    default = datetime.date(season.year, 9, 1) if season else _today()
    form = RegisterForm(request.POST or None, initial={"enrolled_on": min(default, _today())})
    if request.method == "POST" and form.is_valid():
        try:
            job, new = register_job.register_job_submit(
                actor=user,
                school=school,
                enrolled_on=form.cleaned_data["enrolled_on"],
                season=season,
            )
        except ValidationError as exc:
            why = pii.mask_text(_messages_of(exc))
            apply_errors(form, ValidationError(_("未注册任何学籍：%(why)s") % {"why": why}))
        else:
            if not new:
                messages.warning(
                    request, _("本校新生注册学籍任务已在进行，未重复提交：请等待该任务完成。")
                )
            return redirect("jobs:file_detail", job.pk)
    page = Paginator(confirmed, PER_PAGE * 4).get_page(request.GET.get("page"))
    return render(
        request,
        "admissions/staff_register.html",
        {
            "title": _("新生注册学籍"),
            "subtitle": season,
            "form": form,
            "page": page,
            "running": register_job.pending_job(school),
            "enrolled": selectors.school_choices(user=user, state=ChoiceState.ENROLLED)
            .filter(application__season=season)
            .count()
            if season
            else 0,
        },
    )


# --- the district's and the city's figures; the city's season -------------------------------


class SeasonForm(forms.Form):
    year = params.YearField(label=gettext_lazy("招生年度"))
    opens_on = forms.DateField(
        label=gettext_lazy("报名开始日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    closes_on = forms.DateField(
        label=gettext_lazy("报名截止日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    max_choices = forms.TypedChoiceField(
        label=gettext_lazy("可填志愿数"), coerce=int, choices=[(i, i) for i in (1, 2, 3)]
    )


@login_required
def season(request):
    acts.ensure_role(request.user, "admission.season_set")
    today = _today()
    current = S.current_season(today)
    initial = (
        {
            "year": current.year,
            "opens_on": current.opens_on,
            "closes_on": current.closes_on,
            "max_choices": current.max_choices,
        }
        if current
        else {"year": today.year, "max_choices": 3}
    )

    def save(data):
        s = services.season_set(actor=request.user, **data)
        messages.success(request, _("已保存%(s)s。") % {"s": s})
        return reverse("admissions:overview") + f"?year={s.year}"

    return form_page(
        request,
        form=SeasonForm(request.POST or None, initial=initial),
        title=_("招生季设置"),
        cancel_url=reverse("admissions:overview"),
        save=save,
        template="admissions/staff_season.html",
        context={"seasons": S.seasons()},
    )


# The application a 学籍 was registered from, on its detail page (students is the lower
# layer: it does not import admissions).
student_views.registrations.add_related(
    Related(
        gettext_lazy("招生报名"),
        lambda obj, user: selectors.school_choices(user=user).filter(registration=obj),
        [
            Col("application__reference", gettext_lazy("报名号")),
            Col("application__channel", gettext_lazy("报名方式")),
            Col("rank", gettext_lazy("志愿序号")),
            Col("application__created_at", gettext_lazy("报名时间")),
            Col("decided_at", gettext_lazy("录取时间")),
        ],
    )
)
