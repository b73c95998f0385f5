import django_filters
from django.utils.translation import gettext_lazy as _

from jigong.core.filters import ScopedFilterSet
from jigong.reference.models import District
from jigong.schools.models import School, SchoolMajor


class SchoolFilterSet(ScopedFilterSet):
    search_fields = ("code", "name", "credit_code", "sponsor")
    district = django_filters.ModelChoiceFilter(
        queryset=District.objects.all(), label=_("所在区县")
    )

    class Meta:
        model = School
        fields = ["tier", "district", "ownership", "status"]


class SchoolMajorFilterSet(ScopedFilterSet):
    search_fields = ("major__code", "major__name", "school__name")
    school = django_filters.ModelChoiceFilter(queryset=School.objects.all(), label=_("学校"))

    class Meta:
        model = SchoolMajor
        fields = ["school", "level", "status", "opened_year"]
