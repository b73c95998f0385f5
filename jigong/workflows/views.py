"""Pages of the workflows: registers (list/detail with timeline and action buttons),
create/edit forms, the transition endpoint, document download, the enrolment-plan
roll-up and the public qualification list."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jigong.core import acts, params
from jigong.core.errors import messages_of
from jigong.core.models import Role
from jigong.core.viewsets import (
    Col,
    Register,
    RegisterDetailView,
    as_col,
    detail_masks,
    form_page,
    get_or_404,
    show,
)
from jigong.workflows import documents as docs
from jigong.workflows import selectors, services
from jigong.workflows.flows import EDITABLE
from jigong.workflows.models import (
    BrochureFiling,
    EnrolmentPlan,
    InternshipFiling,
    QualificationList,
    item_model,
)

# --- registers with a workflow detail page ---------------------------------------


class WorkflowDetailView(RegisterDetailView):
    """The register's detail page plus the timeline, documents and the action buttons
    of the transitions the user may take now."""

    def handle(self, request, pk: int):
        reg, user = self.register, request.user
        obj = get_or_404(reg.get_selector, user=user, pk=pk)
        cols = [as_col(c) for c in (reg.detail_fields or reg.columns)]
        masks = detail_masks(user)
        fields = [(c.heading(reg.model), show(c.value(obj, masked=masks))) for c in cols]
        actions = []
        edit = reg.extra.get("edit_url_name")
        if (
            edit
            and obj.state in EDITABLE
            and _is_school(user)
            and obj.workflow.available(obj, user)
        ):
            actions.append((reg.extra.get("edit_label", _("编辑")), reverse(edit, args=[obj.pk])))
        context = {
            "register": reg,
            "title": str(obj),
            "object": obj,
            "fields": fields,
            "related": [],
            "actions": actions,
            "transitions": [
                {
                    "t": t,
                    "url": reverse(
                        "workflows:transition", args=[obj.workflow.kind, obj.pk, t.name]
                    ),
                    "inputs": _inputs(type(obj), t),
                }
                for t in obj.workflow.available(obj, user)
            ],
            "steps": selectors.timeline(user=user, item=obj),
            "section": reg.extra.get("section"),
        }
        extra = reg.extra.get("context")
        if extra:
            context.update(extra(obj, user))
        return render(request, "workflows/detail.html", context)


def _inputs(model, t) -> list[dict]:
    """The fields a transition takes (``Transition.inputs``), for its form."""
    out = []
    for name in t.inputs:
        f = model._meta.get_field(name)
        kind = "date" if f.get_internal_type() == "DateField" else "number"
        out.append({"name": name, "label": f.verbose_name, "type": kind})
    return out


def _input_values(model, t, post) -> dict:
    """The transition's inputs read from the POST, each cleaned by its model field's form
    field; a bad value is a ValidationError naming the field and the value."""
    values, errors = {}, {}
    for name in t.inputs:
        f = model._meta.get_field(name)
        raw = post.get(name, "")
        try:
            values[name] = f.formfield(required=False).clean(raw)
        except ValidationError as exc:
            errors[name] = [
                _("%(f)s“%(v)s”：%(m)s") % {"f": f.verbose_name, "v": raw[:40], "m": m}
                for m in exc.messages
            ]
    if errors:
        raise ValidationError(errors)
    return values


class WorkflowRegister(Register):
    """A register whose detail page is the workflow page; its list page offers the
    "new" button (``extra["create"] = (url name, role, label)``) to that role."""

    def __init__(self, **kwargs):
        kwargs.setdefault("list_template", "workflows/list.html")
        super().__init__(**kwargs)

    def detail_view(self):
        return WorkflowDetailView(self)


def _is_school(user) -> bool:
    return user.is_superuser or user.role == Role.SCHOOL


STATE = Col("state", gettext_lazy("状态"))
DUE = Col("due_on", gettext_lazy("办理期限"))

plans = WorkflowRegister(
    model=EnrolmentPlan,
    name="enrolment_plan",
    prefix="enrolment-plans",
    list_selector=selectors.plan_list,
    get_selector=selectors.plan_get,
    filterset_class=selectors.F.EnrolmentPlanFilterSet,
    columns=[
        Col("year", link=True),
        "school",
        "school__district",
        Col("quota", gettext_lazy("计划数合计")),
        STATE,
        DUE,
    ],
    detail_fields=["school", "school__district", "year", "note", STATE, DUE, "created_at"],
    extra={
        "create": ("workflows:plan_create", Role.SCHOOL, gettext_lazy("新建招生计划")),
        "summary": True,
        "section": "workflows/_plan.html",
        "edit_url_name": "workflows:plan_edit",
        "edit_label": gettext_lazy("填写分专业计划"),
        "context": lambda obj, user: {
            "lines": selectors.plan_lines(user=user, plan=obj),
            "cross_province": selectors.cross_province(user=user, plan=obj),
        },
    },
)

brochures = WorkflowRegister(
    model=BrochureFiling,
    name="brochure",
    prefix="brochure-filings",
    list_selector=selectors.brochure_list,
    get_selector=selectors.brochure_get,
    filterset_class=selectors.F.BrochureFilingFilterSet,
    columns=[Col("title", link=True), "year", "school", "total_quota", STATE, DUE],
    detail_fields=[
        "school",
        "school__district",
        "year",
        "title",
        "total_quota",
        "target_groups",
        "tracks",
        "cross_province",
        "contact",
        STATE,
        DUE,
        "published_on",
        "created_at",
    ],
    extra={
        "edit_url_name": "workflows:brochure_edit",
        "create": ("workflows:brochure_create", Role.SCHOOL, gettext_lazy("新建招生简章备案")),
    },
)

internships = WorkflowRegister(
    model=InternshipFiling,
    name="internship",
    prefix="internship-filings",
    list_selector=selectors.internship_list,
    get_selector=selectors.internship_get,
    filterset_class=selectors.F.InternshipFilingFilterSet,
    columns=[
        Col("title", link=True),
        "school",
        "enterprise",
        Col("province_name", gettext_lazy("实习省份")),
        "start_on",
        STATE,
        DUE,
    ],
    detail_fields=[
        "school",
        "school__district",
        "title",
        "enterprise",
        Col("province_name", gettext_lazy("实习地点（省份）")),
        Col("cross_province", gettext_lazy("跨省实习")),
        "location",
        "start_on",
        "end_on",
        "students",
        "majors",
        STATE,
        DUE,
        "created_at",
    ],
    extra={
        "edit_url_name": "workflows:internship_edit",
        "create": ("workflows:internship_create", Role.SCHOOL, gettext_lazy("新建实习计划备案")),
    },
)


def _qualification_rule(obj) -> dict:
    """The conditions of the list in force when it was computed (platform settings)."""
    from jigong.policy import parameters as P
    from jigong.policy import rules

    on = timezone.localdate(obj.computed_at) if obj.computed_at else timezone.localdate()
    statuses = P.cite("enrolment.qualified_statuses", on)
    brochure = "enrolment.qualification_requires_brochure"
    needs = P.applies(brochure, on) and bool(P.get(brochure, on))
    return {
        "statuses": "、".join(rules.SCHOOL_STATUS_LABELS.get(s, s) for s in statuses.value),
        "brochure": needs,
        "basis": statuses.basis,
    }


qualification_lists = WorkflowRegister(
    model=QualificationList,
    name="qualification",
    prefix="qualification-lists",
    list_selector=selectors.qualification_list_list,
    get_selector=selectors.qualification_list_get,
    filterset_class=selectors.F.QualificationListFilterSet,
    columns=[
        Col("year", link=True),
        Col("schools", gettext_lazy("学校数")),
        Col("qualified", gettext_lazy("具备资质")),
        STATE,
        "computed_at",
        "published_at",
    ],
    detail_fields=["year", STATE, "computed_at", "published_at"],
    extra={
        "create": (
            "workflows:qualification_create",
            Role.MUNICIPAL,
            gettext_lazy("生成招生资质名单"),
        ),
        "section": "workflows/_qualification.html",
        "context": lambda obj, user: {
            "entries": selectors.qualification_entries(user=user, qualification_list=obj),
            "rule": _qualification_rule(obj),
        },
    },
)

REGISTERS_BY_KIND = {
    "enrolment_plan": plans,
    "brochure": brochures,
    "internship": internships,
    "qualification": qualification_lists,
}


# --- transitions and documents -----------------------------------------------------


@require_POST
@login_required
def transition(request, kind: str, pk: int, action: str):
    """Take one transition; errors come back as messages on the item's page."""
    try:
        model = item_model(kind)
        item = model.objects.restrict(request.user, "view").get(pk=pk)
    except (LookupError, ObjectDoesNotExist) as exc:
        raise Http404(_("未找到该记录。")) from exc
    back = selectors.item_url(item)
    try:
        t = item.workflow.transition(action)
        services.transition(
            actor=request.user,
            item=item,
            action=action,
            comment=request.POST.get("comment", ""),
            documents=request.FILES.getlist("documents"),
            values=_input_values(model, t, request.POST) if t.inputs else None,
        )
    except ValueError as exc:
        raise Http404(str(exc)) from exc
    # A role or scope refusal is a 403 with its message (the page offers only the
    # transitions the user may take), so the permission matrix sees it.
    except ValidationError as exc:
        for m in messages_of(exc):
            messages.error(request, m)
    else:
        messages.success(
            request,
            _("已执行“%(a)s”，当前状态：%(s)s") % {"a": t.label, "s": item.get_state_display()},
        )
    return redirect(back)


@login_required
def document_download(request, pk: int):
    try:
        d = selectors.document_get(user=request.user, pk=pk)
        path_ = docs.path_of(d.path)
    except (ObjectDoesNotExist, ValueError) as exc:
        raise Http404(_("未找到该附件。")) from exc
    if not path_.exists():
        raise Http404(_("未找到该附件。"))
    response = FileResponse(
        open(path_, "rb"),  # noqa: SIM115 (FileResponse closes it)
        as_attachment=True,
        filename=d.name,
        content_type=docs.CONTENT_TYPES.get(d.ext, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- forms ---------------------------------------------------------------------------


def _date(field):
    field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    return field


BROCHURE_FIELDS = [
    "year",
    "title",
    "total_quota",
    "target_groups",
    "tracks",
    "cross_province",
    "contact",
]
INTERNSHIP_FIELDS = [
    "title",
    "enterprise",
    "province",
    "location",
    "start_on",
    "end_on",
    "students",
    "majors",
]


def _model_form(model, names):
    class ItemForm(forms.Form):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields.update(forms.fields_for_model(model, fields=names))
            for name in ("start_on", "end_on"):
                if name in self.fields:
                    _date(self.fields[name])
            if "tracks" in self.fields:  # said each time, never taken by default
                field = model._meta.get_field("tracks")
                self.fields["tracks"] = forms.ChoiceField(
                    label=field.verbose_name,
                    choices=[("", _("请选择")), *field.choices],
                    help_text=field.help_text,
                )
            if "province" in self.fields:
                from jigong.standards.regions import PROVINCES

                self.fields["province"] = forms.ChoiceField(
                    label=model._meta.get_field("province").verbose_name,
                    choices=sorted(PROVINCES.items()),
                    initial="50",
                )

    return ItemForm


def _form_page(request, *, documents=False, **kwargs):
    """`form_page` on the workflow form template, with the upload field if `documents`."""
    return form_page(
        request,
        template="workflows/form.html",
        context={
            "documents": documents,
            "upload_limit": docs._mb(docs.max_bytes()),
            "accept": ",".join(f".{e}" for e in docs.TYPES),
        },
        **kwargs,
    )


def _school_or_403(user):
    if not (user.role == Role.SCHOOL and user.school_id):
        raise PermissionDenied(_("只有学校管理员可以报送该事项。"))
    return user.school


def _school_editor_or_403(user, item):
    """Only the school edits its own items (their update acts say so too); the
    bureaus review them through transitions, so they get no edit form at all."""
    if not _is_school(user):
        raise PermissionDenied(_("只有学校可以修改“%(i)s”。") % {"i": item})


def _item_form(model, names):
    """The default form factory of the create/edit views: (request, initial) -> form."""

    def make(request, initial=None):
        return _model_form(model, names)(request.POST or None, initial=initial)

    return make


def _create_view(model, names, register, create, title, *, make_form=None):
    make_form = make_form or _item_form(model, names)

    @login_required
    def view(request):
        school = _school_or_403(request.user)
        form = make_form(request)

        def save(data):
            item = create(
                actor=request.user,
                school=school,
                documents=request.FILES.getlist("documents"),
                **data,
            )
            messages.success(request, _("已保存草稿，核对后请提交。"))
            return register.detail_url(item.pk)

        return _form_page(
            request,
            title=title,
            form=form,
            register=register,
            cancel_url=register.list_url(),
            save=save,
            documents=True,
        )

    return view


def _edit_view(model, names, register, get, update, target: str, *, make_form=None):
    """The edit page of a draft item: ``update`` is the kind's act, taking the item as
    the argument ``target``."""
    make_form = make_form or _item_form(model, names)

    @login_required
    def view(request, pk: int):
        item = get_or_404(get, user=request.user, pk=pk, action="change")
        _school_editor_or_403(request.user, item)
        form = make_form(request, initial={n: getattr(item, n) for n in names})

        def save(data):
            update(actor=request.user, **{target: item}, **data)
            return register.detail_url(item.pk)

        return _form_page(
            request,
            title=_("修改：%(i)s") % {"i": item},
            form=form,
            register=register,
            cancel_url=register.detail_url(item.pk),
            save=save,
        )

    return view


brochure_create = _create_view(
    BrochureFiling,
    BROCHURE_FIELDS,
    brochures,
    services.brochure_create,
    gettext_lazy("新建招生简章备案"),
)
brochure_edit = _edit_view(
    BrochureFiling,
    BROCHURE_FIELDS,
    brochures,
    selectors.brochure_get,
    services.brochure_update,
    "brochure",
)
internship_create = _create_view(
    InternshipFiling,
    INTERNSHIP_FIELDS,
    internships,
    services.internship_create,
    gettext_lazy("新建实习计划备案"),
)
internship_edit = _edit_view(
    InternshipFiling,
    INTERNSHIP_FIELDS,
    internships,
    selectors.internship_get,
    services.internship_update,
    "internship",
)


class YearForm(forms.Form):
    year = params.YearField(label=gettext_lazy("年度"))


@login_required
def plan_create(request):
    school = _school_or_403(request.user)
    form = YearForm(request.POST or None, initial={"year": timezone.localdate().year})

    def save(data):
        plan = services.plan_create(actor=request.user, school=school, **data)
        return reverse("workflows:plan_edit", args=[plan.pk])

    return _form_page(
        request,
        title=_("新建招生计划"),
        form=form,
        register=plans,
        cancel_url=plans.list_url(),
        save=save,
    )


@login_required
def plan_edit(request, pk: int):
    """One quota per open major of the school, and one per cross-province partner."""
    from jigong.schools.models import MajorStatus, SchoolMajor

    plan = get_or_404(selectors.plan_get, user=request.user, pk=pk, action="change")
    _school_editor_or_403(request.user, plan)
    lines = {
        line.school_major_id: line.quota
        for line in selectors.plan_lines(user=request.user, plan=plan)
    }
    majors = [
        sm
        for sm in SchoolMajor.objects.restrict(request.user, "view")
        .filter(school=plan.school)
        .select_related("major")
        .order_by("major__code", "level")
        if sm.status == MajorStatus.OPEN or sm.pk in lines
    ]
    provinces = selectors.cross_province(user=request.user, plan=plan)
    form = forms.Form(request.POST or None)
    for sm in majors:
        form.fields[f"m{sm.pk}"] = forms.IntegerField(
            label=f"{sm.major.code} {sm}",
            min_value=0,
            required=False,
            initial=lines.get(sm.pk, 0),
        )
    for p in provinces:
        form.fields[f"p{p['province']}"] = forms.IntegerField(
            label=_("跨省招生：%(p)s") % {"p": p["name"]},
            min_value=0,
            required=False,
            initial=p["quota"],
        )

    def save(data):
        # Every message goes above the form (the quota fields are not the services' names).
        try:
            with transaction.atomic():
                for sm in majors:
                    services.plan_line_set(
                        actor=request.user,
                        plan=plan,
                        school_major=sm,
                        quota=data[f"m{sm.pk}"] or 0,
                    )
                for p in provinces:
                    services.plan_cross_province_set(
                        actor=request.user,
                        plan=plan,
                        province=p["province"],
                        quota=data[f"p{p['province']}"] or 0,
                    )
        except ValidationError as exc:
            raise ValidationError(messages_of(exc)) from exc
        except PermissionDenied as exc:
            raise ValidationError(str(exc)) from exc
        messages.success(request, _("分专业计划已保存。"))
        return plans.detail_url(plan.pk)

    return _form_page(
        request,
        title=_("填写分专业计划：%(p)s") % {"p": plan},
        form=form,
        register=plans,
        cancel_url=plans.detail_url(plan.pk),
        save=save,
    )


@login_required
def qualification_create(request):
    acts.ensure_role(request.user, acts.get("qualification_list.create"))  # refused before the form
    form = YearForm(request.POST or None, initial={"year": timezone.localdate().year})

    def save(data):
        ql = services.qualification_list_create(actor=request.user, **data)
        return qualification_lists.detail_url(ql.pk)

    return _form_page(
        request,
        title=_("生成招生资质名单"),
        form=form,
        register=qualification_lists,
        cancel_url=qualification_lists.list_url(),
        save=save,
    )


@login_required
def plan_summary(request):
    """The city's (district's, school's) plan for a year against actual enrolment."""
    from jigong.core.permissions import role_may

    if not role_may(request.user, EnrolmentPlan, "view"):
        raise PermissionDenied(_("您的角色无权查看招生计划。"))
    years = selectors.plan_years(user=request.user)
    year = params.year(request.GET, default=years[0] if years else timezone.localdate().year)
    return render(
        request,
        "workflows/plan_summary.html",
        {
            "title": _("%(y)s年招生计划汇总") % {"y": year},
            "years": years,
            "rollup": selectors.plan_rollup(user=request.user, year=year),
            "register": plans,
        },
    )


# --- public --------------------------------------------------------------------------


def public_qualifications(request):
    """/qualifications/: the published lists, anonymous, no personal data."""
    lists = list(selectors.published_lists())
    chosen = lists[0] if lists else None
    year = params.year(request.GET)
    if year and lists:
        chosen = next((q for q in lists if q.year == year), None)
        if chosen is None:
            raise Http404(_("该年度的招生资质名单尚未公布。"))
    entries = selectors.published_entries(qualification_list=chosen) if chosen else []
    return render(
        request,
        "public/qualifications.html",
        {
            "title": _("技工院校招生资质公示"),
            "lists": lists,
            "chosen": chosen,
            "entries": entries,
        },
    )
