import django_filters
from django.utils.translation import gettext_lazy as _

from jigong.core.filters import DateRangeFilter, ScopedFilterSet
from jigong.schools.models import School
from jigong.training.models import TrainingRecord


class TrainingRecordFilterSet(ScopedFilterSet):
    search_fields = ("trainee_name", "trainee_id_number", "occupation_name", "occupation_code")
    school = django_filters.ModelChoiceFilter(queryset=School.objects.all(), label=_("培训学校"))
    ended_on = DateRangeFilter(_("结业日期"))

    class Meta:
        model = TrainingRecord
        fields = ["school", "kind", "year", "is_social", "ended_on"]
