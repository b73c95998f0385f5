from jigong.core.viewsets import Col, Register
from jigong.staff import filters, selectors
from jigong.staff.models import Teacher

teachers = Register(
    model=Teacher,
    name="teacher",
    prefix="teachers",
    list_selector=selectors.teacher_list,
    get_selector=selectors.teacher_get,
    filterset_class=filters.TeacherFilterSet,
    columns=[
        Col("name", mask="name", link=True),
        Col("id_number", mask="id"),
        "school",
        "kind",
        "enterprise",
        "integrated_qualified",
        "ideological",
        "hired_on",
    ],
    detail_fields=[
        "name",
        "id_number",
        "school",
        "kind",
        "enterprise",
        "integrated_qualified",
        "ideological",
        "hired_on",
        "left_on",
    ],
)
