"""School pages: the registers (declarative) and the basic-information edit page."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jigong.core import acts
from jigong.core.viewsets import Col, Register, Related, form_page, get_or_404
from jigong.reference.views import districts
from jigong.schools import filters, selectors, services
from jigong.schools.models import School, SchoolMajor

schools = Register(
    model=School,
    name="school",
    prefix="schools",
    list_selector=selectors.school_list,
    get_selector=selectors.school_get,
    filterset_class=filters.SchoolFilterSet,
    columns=[Col("code", link=True), "name", "tier", "district", "ownership", "status"],
    detail_fields=[
        "code",
        "name",
        "tier",
        "district",
        "district__group",
        "ownership",
        "sponsor",
        "credit_code",
        "status",
        "founded_on",
        "address",
        "campus_network_coverage",
    ],
    related=[
        Related(
            gettext_lazy("开设专业"),
            lambda obj, user: selectors.school_major_list(user=user).filter(school=obj),
            ["major__code", "major__name", "level", "status", "opened_year"],
            register="schools.SchoolMajor",
        ),
        Related(
            gettext_lazy("院校认定"),
            lambda obj, user: selectors.designation_list(user=user, school=obj),
            ["kind", "year"],
        ),
        Related(  # 晋级 (an approved 晋级申请) and 退出, each by school.change_tier
            gettext_lazy("层次变更记录"),
            lambda obj, user: selectors.tier_change_list(user=user, school=obj),
            [
                Col("kind", gettext_lazy("类别")),
                "from_tier",
                "to_tier",
                "effective_on",
                "decision",
            ],
        ),
    ],
    edit_url_name="schools:school_edit",
    actions=[
        (
            gettext_lazy("层次退出"),
            "schools:school_change_tier",
            services.school_change_tier.act.roles,
        ),
        (
            gettext_lazy("变更所在区县"),
            "schools:school_move_district",
            services.school_move_district.act.roles,
        ),
    ],
)

# A district's schools on its detail page (reference is the lower layer: it does not
# import schools).
districts.add_related(
    Related(
        gettext_lazy("辖区内技工院校"),
        lambda obj, user: selectors.school_list(user=user).filter(district=obj),
        ["code", "name", "tier", "status"],
        register="schools.School",
    )
)


def _chains(obj) -> str:
    return "、".join(c.name for c in obj.chains.all())


school_majors = Register(
    model=SchoolMajor,
    name="schoolmajor",
    prefix="school-majors",
    list_selector=selectors.school_major_list,
    get_selector=selectors.school_major_get,
    filterset_class=filters.SchoolMajorFilterSet,
    columns=[
        Col("major__code", link=True),
        "major__name",
        "school",
        "level",
        "status",
        "opened_year",
    ],
    detail_fields=[
        "school",
        "major__edition",
        "major__code",
        "major__name",
        "major__category",
        "level",
        "status",
        "opened_year",
        Col("chains", gettext_lazy("对接产业链"), render=_chains),
    ],
)


EDIT_FIELDS = ["name", "sponsor", "address", "founded_on", "campus_network_coverage"]


class SchoolForm(forms.Form):
    """The basic information a school keeps up to date (types only; rules are the service's)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(forms.fields_for_model(School, fields=EDIT_FIELDS))
        self.fields["founded_on"].widget = forms.DateInput(
            attrs={"type": "date"}, format="%Y-%m-%d"
        )


@login_required
def school_edit(request, pk: int):
    school = get_or_404(selectors.school_get, user=request.user, pk=pk, action="change")

    def save(data):
        services.school_update(actor=request.user, school=school, **data)
        return schools.detail_url(school.pk)

    return form_page(
        request,
        form=SchoolForm(request.POST or None, initial={f: getattr(school, f) for f in EDIT_FIELDS}),
        title=_("编辑学校基本信息：%(s)s") % {"s": school.name},
        cancel_url=schools.detail_url(school.pk),
        save=save,
        register=schools,
    )


class TierForm(forms.Form):
    """退出: the city bureau lowers a school's tier (a raise is a 晋级申请's approval)."""

    tier = forms.ChoiceField(
        label=gettext_lazy("新的层次（低于现层次）"),
        choices=School._meta.get_field("tier").choices,
    )
    effective_on = forms.DateField(
        label=gettext_lazy("生效日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    decision = forms.CharField(
        label=gettext_lazy("决定（批准文件、原因）"),
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DistrictForm(forms.Form):
    district = forms.ModelChoiceField(
        label=gettext_lazy("新的所在区县"),
        queryset=School._meta.get_field("district").related_model.objects.all(),
    )
    reason = forms.CharField(
        label=gettext_lazy("原因（批准文件）"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _procedure_page(request, pk: int, *, service, form_class, field: str, title):
    """A page of one procedure act on a school, for the act's roles only."""
    acts.ensure_role(request.user, service.act)
    school = get_or_404(selectors.school_get, user=request.user, pk=pk, action="change")

    def save(data):
        service(actor=request.user, school=school, **{field: data[field]}, reason=data["reason"])
        return schools.detail_url(school.pk)

    return form_page(
        request,
        form=form_class(request.POST or None, initial={field: getattr(school, field)}),
        title=title % {"s": school.name},
        cancel_url=schools.detail_url(school.pk),
        save=save,
        register=schools,
    )


@login_required
def school_change_tier(request, pk: int):
    """退出 (（二十一）): the city bureau lowers a school's tier from a date, with its
    decision; a raise is refused by the act, naming the 晋级申请 procedure."""
    acts.ensure_role(request.user, services.school_change_tier.act)
    school = get_or_404(selectors.school_get, user=request.user, pk=pk, action="change")

    def save(data):
        services.school_change_tier(actor=request.user, school=school, **data)
        return schools.detail_url(school.pk)

    return form_page(
        request,
        form=TierForm(request.POST or None, initial={"tier": school.tier}),
        title=_("学校层次退出：%(s)s") % {"s": school.name},
        cancel_url=schools.detail_url(school.pk),
        save=save,
        register=schools,
    )


@login_required
def school_move_district(request, pk: int):
    return _procedure_page(
        request,
        pk,
        service=services.school_move_district,
        form_class=DistrictForm,
        field="district",
        title=_("变更学校所在区县：%(s)s"),
    )
