"""School pages: the registers (declarative) and the basic-information edit page."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
    ],
    edit_url_name="schools:school_edit",
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
