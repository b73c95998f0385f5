"""Reads of the platform shell: the audit log. (The home page's figures are
``jigong.indicators.overview``.)"""

from django.db.models import OuterRef, Subquery

from jigong.core.filters import AuditLogFilterSet, filtered, school_model
from jigong.core.models import AuditLog


def audit_log_list(*, user, filters=None):
    schools = school_model().objects.filter(pk=OuterRef("school_id"))
    qs = AuditLog.objects.restrict(user, "view").annotate(
        school_name=Subquery(schools.values("name")[:1])
    )
    return filtered(qs, AuditLogFilterSet, user=user, filters=filters)


def audit_log_get(*, user, pk):
    return audit_log_list(user=user).get(pk=pk)
