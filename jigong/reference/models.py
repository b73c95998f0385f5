"""Reference data: districts (GB/T 2260), the industry taxonomy, the major catalogue."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jigong.core.choices import Level, RegionGroup
from jigong.core.models import Role, ScopedManager

REFERENCE_ROLES = {
    "view": {Role.MUNICIPAL, Role.DISTRICT, Role.SCHOOL},
    "add": {Role.MUNICIPAL},
    "change": {Role.MUNICIPAL},
    "delete": {Role.MUNICIPAL},
}


class ReferenceScope:
    shared = ("view",)
    roles = REFERENCE_ROLES


class District(models.Model):
    class Kind(models.TextChoices):
        DISTRICT = "district", _("区")
        COUNTY = "county", _("县")
        FUNCTIONAL_ZONE = "functional_zone", _("功能区")

    class Subgroup(models.TextChoices):
        CENTRAL = "central", _("中心城区")
        NEW_AREA = "new_area", _("主城新区")

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=32, unique=True)
    short_name = models.CharField(_("简称"), max_length=16)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    group = models.CharField(_("一区两群"), max_length=16, choices=RegionGroup.choices, blank=True)
    subgroup = models.CharField(_("片区"), max_length=16, choices=Subgroup.choices, blank=True)

    objects = ScopedManager()

    class Scope(ReferenceScope):
        district = "pk"

    class Meta:
        verbose_name = _("区县")
        verbose_name_plural = _("区县")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self):
        return (self.code,)


class IndustryCluster(models.Model):
    """A cluster of the city's modern industrial system (e.g. “6+5”), for one year."""

    year = models.PositiveSmallIntegerField(_("年度"))
    code = models.CharField(_("代码"), max_length=16)
    name = models.CharField(_("产业集群"), max_length=64)
    is_key = models.BooleanField(_("重点产业"), default=True)

    objects = ScopedManager()

    Scope = ReferenceScope

    class Meta:
        verbose_name = _("产业集群")
        verbose_name_plural = _("产业集群")
        ordering = ["year", "code"]
        constraints = [
            models.UniqueConstraint(fields=["year", "code"], name="cluster_year_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.year}）"


class IndustryChain(models.Model):
    cluster = models.ForeignKey(
        IndustryCluster, verbose_name=_("产业集群"), on_delete=models.PROTECT, related_name="chains"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    code = models.CharField(_("代码"), max_length=16)
    name = models.CharField(_("产业链"), max_length=64)

    objects = ScopedManager()

    Scope = ReferenceScope

    class Meta:
        verbose_name = _("产业链")
        verbose_name_plural = _("产业链")
        ordering = ["year", "code"]
        constraints = [
            models.UniqueConstraint(fields=["year", "code"], name="chain_year_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class CatalogueEdition(models.Model):
    code = models.CharField(_("版本"), max_length=16, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    effective_from = models.DateField(_("施行日期"))

    objects = ScopedManager()

    Scope = ReferenceScope

    class Meta:
        verbose_name = _("专业目录版本")
        verbose_name_plural = _("专业目录版本")
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return self.name


class Major(models.Model):
    edition = models.ForeignKey(
        CatalogueEdition,
        verbose_name=_("目录版本"),
        on_delete=models.PROTECT,
        related_name="majors",
    )
    code = models.CharField(_("专业代码"), max_length=16)
    name = models.CharField(_("专业名称"), max_length=64)
    category = models.CharField(_("专业类"), max_length=32)
    levels = models.JSONField(_("培养层次"), default=list)

    objects = ScopedManager()

    Scope = ReferenceScope

    class Meta:
        verbose_name = _("专业")
        verbose_name_plural = _("专业目录")
        ordering = ["edition", "code"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "code"], name="major_edition_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def level_labels(self) -> str:
        return "、".join(str(Level(v).label) for v in self.levels)


class ParameterAdjustment(models.Model):
    """The municipal bureau's adjustment of platform values (policy parameters with
    ``source: platform``: the policy states no figure) from ``start`` on; lookups of
    ``jigong.policy.parameters`` merge them over the YAML (``reference.platform``)."""

    values = models.JSONField(_("调整后的取值"))  # {parameter name: value}
    start = models.DateField(_("生效日期"))
    reason = models.TextField(_("调整理由"))
    created_at = models.DateTimeField(_("调整时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        "core.User",
        verbose_name=_("调整人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedManager()

    Scope = ReferenceScope

    class Meta:
        verbose_name = _("平台设定调整")
        verbose_name_plural = _("平台设定")
        ordering = ["-start", "-id"]

    def __str__(self) -> str:
        return f"{self.start.isoformat()} {'、'.join(self.values)}"
