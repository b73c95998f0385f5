import django_filters
from django.utils.translation import gettext_lazy as _

from jigong.core.filters import DateRangeFilter, ScopedFilterSet
from jigong.schools.models import School
from jigong.students.models import Person, Registration


class PersonFilterSet(ScopedFilterSet):
    search_fields = ("name", "id_number")
    school = django_filters.ModelChoiceFilter(
        queryset=School.objects.all(), label=_("学校"), method="at_school"
    )

    class Meta:
        model = Person
        fields = ["sex", "home_province"]

    def at_school(self, queryset, name, value):
        if not value:
            return queryset
        ids = Registration.objects.restrict(self.user, "view").filter(school=value)
        return queryset.filter(pk__in=ids.values("person_id"))


class RegistrationFilterSet(ScopedFilterSet):
    search_fields = ("person__name", "person__id_number", "major__name", "major__code")
    school = django_filters.ModelChoiceFilter(queryset=School.objects.all(), label=_("学校"))
    enrolled_on = DateRangeFilter(_("入学日期"))

    class Meta:
        model = Registration
        fields = ["school", "level", "track", "source", "status", "enrolled_on"]
