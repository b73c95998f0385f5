import django_filters
from django.utils.translation import gettext_lazy as _

from jigong.core.filters import ScopedFilterSet
from jigong.reference.models import (
    CatalogueEdition,
    District,
    IndustryChain,
    IndustryCluster,
    Major,
)


class DistrictFilterSet(ScopedFilterSet):
    search_fields = ("code", "name", "short_name")

    class Meta:
        model = District
        fields = ["kind", "group", "subgroup"]


class IndustryChainFilterSet(ScopedFilterSet):
    search_fields = ("code", "name", "cluster__name")
    cluster = django_filters.ModelChoiceFilter(
        queryset=IndustryCluster.objects.all(), label=_("产业集群")
    )

    class Meta:
        model = IndustryChain
        fields = ["year", "cluster"]


class MajorFilterSet(ScopedFilterSet):
    search_fields = ("code", "name", "category")
    edition = django_filters.ModelChoiceFilter(
        queryset=CatalogueEdition.objects.all(), label=_("目录版本")
    )
    level = django_filters.ChoiceFilter(label=_("培养层次"), method="offers_level", choices=[])

    class Meta:
        model = Major
        fields = ["edition", "category"]

    def __init__(self, *args, **kwargs):
        from jigong.core.choices import Level

        super().__init__(*args, **kwargs)
        self.filters["level"].extra["choices"] = Level.choices

    def offers_level(self, queryset, name, value):
        if not value:
            return queryset
        # JSON list membership, portable across SQLite and PostgreSQL.
        return queryset.filter(levels__icontains=f'"{value}"')
