import django_filters
from django.utils.translation import gettext_lazy as _

from jigong.core.filters import ScopedFilterSet
from jigong.employment.models import EmploymentOutcome
from jigong.schools.models import School


class EmploymentOutcomeFilterSet(ScopedFilterSet):
    search_fields = ("employer_name", "registration__person__name")
    school = django_filters.ModelChoiceFilter(queryset=School.objects.all(), label=_("学校"))

    class Meta:
        model = EmploymentOutcome
        fields = ["school", "graduation_year", "status", "in_field"]
