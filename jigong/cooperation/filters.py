import django_filters
from django.utils.translation import gettext_lazy as _

from jigong.cooperation.models import Alliance, CooperationAgreement, Enterprise, Pairing
from jigong.core.filters import DateRangeFilter, ScopedFilterSet
from jigong.reference.models import District, IndustryChain
from jigong.schools.models import School


class EnterpriseFilterSet(ScopedFilterSet):
    search_fields = ("name", "credit_code")
    district = django_filters.ModelChoiceFilter(
        queryset=District.objects.all(), label=_("所在区县")
    )
    industry_chain = django_filters.ModelChoiceFilter(
        queryset=IndustryChain.objects.all(), label=_("所属产业链")
    )

    class Meta:
        model = Enterprise
        fields = ["district", "industry_chain", "is_integration_enterprise"]


class CooperationAgreementFilterSet(ScopedFilterSet):
    search_fields = ("title", "enterprise__name", "school__name")
    school = django_filters.ModelChoiceFilter(queryset=School.objects.all(), label=_("学校"))
    started_on = DateRangeFilter(_("开始日期"))

    class Meta:
        model = CooperationAgreement
        fields = ["school", "kind", "started_on"]


class AllianceFilterSet(ScopedFilterSet):
    search_fields = ("name",)

    class Meta:
        model = Alliance
        fields = ["lead_kind"]


class PairingFilterSet(ScopedFilterSet):
    search_fields = ("mentor__name", "supported__name")
    school = django_filters.ModelChoiceFilter(
        queryset=School.objects.all(), label=_("学校"), method="of_school"
    )

    class Meta:
        model = Pairing
        fields = ["school"]

    def of_school(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(mentor=value) | queryset.filter(supported=value)
