"""Reads on training records; every queryset starts from restrict(user, "view")."""

from jigong.core.filters import filtered
from jigong.training.filters import TrainingRecordFilterSet
from jigong.training.models import TrainingRecord


def training_record_list(*, user, filters=None):
    qs = TrainingRecord.objects.restrict(user, "view").select_related("school")
    return filtered(qs, TrainingRecordFilterSet, user=user, filters=filters)


def training_record_get(*, user, pk):
    return TrainingRecord.objects.restrict(user, "view").select_related("school").get(pk=pk)
