from django.utils.translation import gettext_lazy as _

from jigong.core.viewsets import Col, Register
from jigong.training import filters, selectors
from jigong.training.models import TrainingRecord

training_records = Register(
    model=TrainingRecord,
    name="trainingrecord",
    prefix="training-records",
    title=_("培训记录"),
    list_selector=selectors.training_record_list,
    get_selector=selectors.training_record_get,
    filterset_class=filters.TrainingRecordFilterSet,
    columns=[
        Col("trainee_name", mask="name", link=True),
        Col("trainee_id_number", mask="id"),
        "school",
        "kind",
        "occupation_name",
        "hours",
        "ended_on",
        "year",
    ],
    detail_fields=[
        "trainee_name",
        "trainee_id_number",
        "school",
        "kind",
        "occupation_code",
        "occupation_name",
        "hours",
        "started_on",
        "ended_on",
        "year",
        "revenue",
        "is_social",
    ],
)
