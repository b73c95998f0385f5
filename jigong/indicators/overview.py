"""The home page's figures: schools, students, graduates, training, majors and teachers
of the user's scope (moved from ``core.selectors``: core imports no domain app).

Every figure comes from querysets that start at restrict(user, "view"), so the same
function gives the city's figures to the municipal bureau, a district's to a district
bureau and one school's to its staff.
"""

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from jigong.core.choices import Tier
from jigong.schools.models import School, SchoolMajor
from jigong.staff.models import Teacher
from jigong.students.models import IN_SCHOOL, Registration, Status
from jigong.training.models import TrainingRecord
from jigong.training.selectors import latest_year


def home_summary(*, user, year: int | None = None) -> dict:
    year = year or latest_year(user=user)
    schools = School.objects.restrict(user, "view")
    by_tier = dict(schools.values_list("tier").annotate(n=Count("id")).order_by())
    registrations = Registration.objects.restrict(user, "view")
    figures = registrations.aggregate(
        in_school=Count("id", filter=Q(status__in=IN_SCHOOL)),
        graduates=Count("id", filter=Q(status=Status.GRADUATED, left_on__year=year)),
    )
    return {
        "year": year,
        "schools": sum(by_tier.values()),
        "by_tier": [(label, by_tier.get(value, 0)) for value, label in Tier.choices],
        "in_school": figures["in_school"],
        "graduates": figures["graduates"],
        "training": TrainingRecord.objects.restrict(user, "view").filter(year=year).count(),
        "majors": SchoolMajor.objects.restrict(user, "view").count(),
        "teachers": Teacher.objects.restrict(user, "view").filter(left_on__isnull=True).count(),
    }


def _count_per_school(qs):
    """A correlated COUNT(*) per school: one index range scan each, no join fan-out."""
    return Subquery(
        qs.filter(school=OuterRef("pk"))
        .order_by()
        .values("school")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )


def school_table(*, user, year: int | None = None):
    """Schools in scope with their in-school students and this year's training 人次.

    Each figure is its own subquery: joining both registers in one GROUP BY would
    multiply registrations by training records per school."""
    year = year or latest_year(user=user)
    return (
        School.objects.restrict(user, "view")
        .select_related("district")
        .annotate(
            in_school=Coalesce(
                _count_per_school(Registration.objects.filter(status__in=IN_SCHOOL)), 0
            ),
            training=Coalesce(_count_per_school(TrainingRecord.objects.filter(year=year)), 0),
        )
        .order_by("code")
    )


def district_table(*, user):
    """Schools per district and tier (municipal home page)."""
    return (
        School.objects.restrict(user, "view")
        .values("district__code", "district__name")
        .annotate(
            total=Count("id"),
            technician_college=Count("id", filter=Q(tier="technician_college")),
            senior_school=Count("id", filter=Q(tier="senior_school")),
            school=Count("id", filter=Q(tier="school")),
        )
        .order_by("district__code")
    )


def home_figures(*, user) -> dict:
    """The home page's figures of the user's scope, evaluated (cached per scope by the
    home page, like the dashboard's)."""
    from jigong.core.models import Role

    figures = {"summary": home_summary(user=user)}
    if user.is_superuser or user.role == Role.MUNICIPAL:
        figures["districts"] = list(district_table(user=user))
    elif user.role == Role.DISTRICT:
        figures["schools"] = list(school_table(user=user))
    return figures
