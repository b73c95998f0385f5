import django_filters
from django.utils.translation import gettext_lazy as _

from jigong.core.filters import ScopedFilterSet
from jigong.schools.models import School
from jigong.workflows.models import (
    AidApplication,
    BrochureFiling,
    EnrolmentPlan,
    InternshipFiling,
    QualificationList,
)


def _state_filter(workflow):
    return django_filters.ChoiceFilter(label=_("状态"), choices=workflow.choices)


class EnrolmentPlanFilterSet(ScopedFilterSet):
    search_fields = ("school__name", "school__code")
    school = django_filters.ModelChoiceFilter(queryset=School.objects.all(), label=_("学校"))
    state = _state_filter(EnrolmentPlan.workflow)

    class Meta:
        model = EnrolmentPlan
        fields = ["year", "school", "state"]


class BrochureFilingFilterSet(ScopedFilterSet):
    search_fields = ("title", "school__name")
    school = django_filters.ModelChoiceFilter(queryset=School.objects.all(), label=_("学校"))
    state = _state_filter(BrochureFiling.workflow)

    class Meta:
        model = BrochureFiling
        fields = ["year", "school", "state"]


class InternshipFilingFilterSet(ScopedFilterSet):
    search_fields = ("title", "enterprise", "school__name", "location")
    school = django_filters.ModelChoiceFilter(queryset=School.objects.all(), label=_("学校"))
    state = _state_filter(InternshipFiling.workflow)

    class Meta:
        model = InternshipFiling
        fields = ["school", "state", "province"]


class QualificationListFilterSet(ScopedFilterSet):
    state = _state_filter(QualificationList.workflow)

    class Meta:
        model = QualificationList
        fields = ["year", "state"]


# --- licensing, 双优, catalogue adjustment and the registers of workflows.records ----

from jigong.workflows.models import (  # noqa: E402
    DesignationRound,
    FoundingApplication,
    MajorAdjustment,
)


class FoundingApplicationFilterSet(ScopedFilterSet):
    search_fields = ("school__name", "school__code")
    school = django_filters.ModelChoiceFilter(queryset=School.objects.all(), label=_("学校"))
    state = _state_filter(FoundingApplication.workflow)

    class Meta:
        model = FoundingApplication
        fields = ["school", "state"]


class DesignationRoundFilterSet(ScopedFilterSet):
    state = _state_filter(DesignationRound.workflow)

    class Meta:
        model = DesignationRound
        fields = ["year", "kind", "state"]


class MajorAdjustmentFilterSet(ScopedFilterSet):
    search_fields = ("school__name", "school_major__major__name", "major__name")
    school = django_filters.ModelChoiceFilter(queryset=School.objects.all(), label=_("学校"))
    state = _state_filter(MajorAdjustment.workflow)

    class Meta:
        model = MajorAdjustment
        fields = ["school", "action", "state"]


class SchoolFilterSet(ScopedFilterSet):
    """Declared filters only: a school drop-down (scoped) and the search box."""

    search_fields = ("school__name", "school__code")
    school = django_filters.ModelChoiceFilter(queryset=School.objects.all(), label=_("学校"))


class YearSchoolFilterSet(SchoolFilterSet):
    year = django_filters.NumberFilter(label=_("年度"))


class TeacherRecordFilterSet(ScopedFilterSet):
    search_fields = ("teacher__name", "teacher__school__name")
    school = django_filters.ModelChoiceFilter(
        queryset=School.objects.all(), label=_("学校"), field_name="teacher__school"
    )


class AidApplicationFilterSet(ScopedFilterSet):
    search_fields = ("programme__name", "school__name")
    school = django_filters.ModelChoiceFilter(queryset=School.objects.all(), label=_("学校"))
    year = django_filters.NumberFilter(field_name="programme__year", label=_("年度"))
    state = _state_filter(AidApplication.workflow)

    class Meta:
        model = AidApplication
        fields = ["school", "state", "grounds"]


# --- bases, titles and textbooks （四）（十七）（二十） --------------------------------------

from jigong.workflows.models import BaseDesignation, Textbook  # noqa: E402


class BaseDesignationFilterSet(ScopedFilterSet):
    search_fields = ("school__name", "school__code", "name", "document_no")
    school = django_filters.ModelChoiceFilter(queryset=School.objects.all(), label=_("依托学校"))
    year = django_filters.NumberFilter(label=_("认定年度"), field_name="designated_on__year")

    class Meta:
        model = BaseDesignation
        fields = ["kind", "level", "school", "year"]


class TextbookFilterSet(ScopedFilterSet):
    search_fields = ("title", "school__name", "isbn", "publisher")
    school = django_filters.ModelChoiceFilter(queryset=School.objects.all(), label=_("学校"))
    year = django_filters.NumberFilter(label=_("审定年度"), field_name="approved_on__year")

    class Meta:
        model = Textbook
        fields = ["kind", "school", "year"]
