"""Reads on training records; every queryset starts from restrict(user, "view")."""

import datetime

from django.db.models import Max

from jigong.core.filters import filtered
from jigong.training.filters import TrainingRecordFilterSet
from jigong.training.models import TrainingRecord


def training_record_list(*, user, filters=None):
    qs = TrainingRecord.objects.restrict(user, "view").select_related("school")
    return filtered(qs, TrainingRecordFilterSet, user=user, filters=filters)


def training_record_get(*, user, pk):
    return TrainingRecord.objects.restrict(user, "view").select_related("school").get(pk=pk)


def latest_year(*, user) -> int:
    """The latest statistical year with training records in the user's scope (this year
    if none): figures for a year that has barely begun would all read 0."""
    latest = TrainingRecord.objects.restrict(user, "view").aggregate(y=Max("year"))["y"]
    return latest or datetime.date.today().year
