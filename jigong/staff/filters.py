import django_filters
from django.utils.translation import gettext_lazy as _

from jigong.core.filters import ScopedFilterSet
from jigong.schools.models import School
from jigong.staff.models import Teacher


class TeacherFilterSet(ScopedFilterSet):
    search_fields = ("name", "id_number")
    school = django_filters.ModelChoiceFilter(queryset=School.objects.all(), label=_("学校"))

    class Meta:
        model = Teacher
        fields = ["school", "kind", "integrated_qualified", "ideological"]
