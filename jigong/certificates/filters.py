import django_filters
from django.utils.translation import gettext_lazy as _

from jigong.certificates.models import GraduationCertificate, QueryLog, SkillCertificate
from jigong.core.filters import DateRangeFilter, ScopedFilterSet
from jigong.schools.models import School


class GraduationCertificateFilterSet(ScopedFilterSet):
    search_fields = ("number", "registration__person__name", "registration__person__id_number")
    school = django_filters.ModelChoiceFilter(queryset=School.objects.all(), label=_("发证学校"))
    issued_on = DateRangeFilter(_("发证日期"))

    class Meta:
        model = GraduationCertificate
        fields = ["school", "level", "outcome", "status", "issued_on"]


class SkillCertificateFilterSet(ScopedFilterSet):
    search_fields = ("number", "person__name", "person__id_number", "occupation_name")
    evaluator = django_filters.ModelChoiceFilter(queryset=School.objects.all(), label=_("评价机构"))
    issued_on = DateRangeFilter(_("发证日期"))

    class Meta:
        model = SkillCertificate
        fields = ["evaluator", "level", "issued_on"]


class QueryLogFilterSet(ScopedFilterSet):
    search_fields = ("number", "client", "batch", "ip")
    at = DateRangeFilter(_("时间"))

    class Meta:
        model = QueryLog
        fields = ["channel", "kind", "found", "at"]
