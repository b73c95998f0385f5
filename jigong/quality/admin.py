from django.contrib import admin

from jigong.core.admin import AuditedAdmin
from jigong.quality.models import AnnualReport, Finding, FindingStep, QualityReview, QualityScore


@admin.register(QualityScore)
class QualityScoreAdmin(AuditedAdmin):
    list_display = ("school", "year", "total", "rank")
    list_filter = ("year",)
    list_select_related = ("school",)


@admin.register(QualityReview)
class QualityReviewAdmin(AuditedAdmin):
    list_display = ("school", "year", "dimension", "score")
    list_filter = ("year", "dimension")


@admin.register(Finding)
class FindingAdmin(AuditedAdmin):
    list_display = ("school", "found_on", "area", "severity", "deadline", "state")
    list_filter = ("state", "severity", "area")


@admin.register(FindingStep)
class FindingStepAdmin(AuditedAdmin):
    list_display = ("finding", "from_state", "to_state", "actor_name", "at")


@admin.register(AnnualReport)
class AnnualReportAdmin(AuditedAdmin):
    list_display = ("title", "year", "status", "pages", "published_at")
    list_filter = ("status", "year")
