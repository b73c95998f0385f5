"""Reads of the staff pages of online enrolment (slice E3): the figures per school and
major that the district and the city see, and a school's plan lines with their places.
Every read starts from the scope mechanism (``restrict``); the rules of admission are
``services``' and the places ``selectors.places``'."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count

from jigong.admissions import selectors
from jigong.admissions.models import Choice, ChoiceState, Season
from jigong.core.permissions import restrict


def seasons():
    return Season.objects.order_by("-year")


def current_season(today) -> Season | None:
    """The season open today, else the latest one."""
    found = Season.objects.filter(opens_on__lte=today, closes_on__gte=today).first()
    return found or Season.objects.order_by("-year").first()


def season_of_year(year) -> Season | None:
    return Season.objects.filter(year=year).first()


def approved_lines(*, user, year, school=None):
    """The plan lines of the approved plans of ``year`` in the user's scope."""
    from jigong.workflows.models import EnrolmentPlanLine

    qs = restrict(user, EnrolmentPlanLine, "view").filter(plan__year=year, plan__state="approved")
    if school is not None:
        qs = qs.filter(plan__school=school)
    return qs.select_related("plan__school", "school_major__major").order_by(
        "plan__school__code", "school_major__major__code", "school_major__level"
    )


@dataclass
class LinePlaces:
    school_major: object
    quota: int
    held: int

    @property
    def left(self) -> int:
        return max(self.quota - self.held, 0)


def school_lines(*, user, school, year) -> list[LinePlaces]:
    """A school's approved plan lines of the season year, each with its places
    (``selectors.places``: the quota and the places held)."""
    rows = []
    for line in approved_lines(user=user, year=year, school=school):
        quota, held = selectors.places(school_major=line.school_major, year=year)
        rows.append(LinePlaces(line.school_major, quota, held))
    return rows


@dataclass
class Figures:
    school: object
    school_major: object
    quota: int | None = None
    counts: dict = field(default_factory=dict)

    def n(self, state) -> int:
        return self.counts.get(state, 0)

    @property
    def applications(self) -> int:
        return sum(self.counts.values())

    @property
    def admitted(self) -> int:
        # every choice that was admitted and still holds its place
        return sum(
            self.n(s) for s in (ChoiceState.ADMITTED, ChoiceState.CONFIRMED, ChoiceState.ENROLLED)
        )

    @property
    def confirmed(self) -> int:
        return self.n(ChoiceState.CONFIRMED) + self.n(ChoiceState.ENROLLED)

    @property
    def enrolled(self) -> int:
        return self.n(ChoiceState.ENROLLED)

    @property
    def fulfilment(self) -> str:
        """Enrolled against the plan line (formatting.percent), "—" without one."""
        from jigong.policy.formatting import percent

        return percent(self.enrolled / self.quota) if self.quota else "—"


def overview(*, user, season: Season) -> list[Figures]:
    """Per school and major (and level) in the user's scope: the choices made in the
    season by state, beside the approved plan line of the season year."""
    rows: dict = {}
    for line in approved_lines(user=user, year=season.year):
        key = (line.plan.school_id, line.school_major_id)
        rows[key] = Figures(line.plan.school, line.school_major, quota=line.quota)
    counted = (
        restrict(user, Choice, "view")
        .filter(application__season=season)
        .values("school", "school_major", "state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    missing = defaultdict(dict)
    for c in counted:
        key = (c["school"], c["school_major"])
        if key in rows:
            rows[key].counts[c["state"]] = c["n"]
        else:
            missing[key][c["state"]] = c["n"]
    if missing:  # choices of a line without an approved plan line (shown with no quota)
        from jigong.schools.models import SchoolMajor

        majors = SchoolMajor.objects.select_related("school", "major").in_bulk(
            {k[1] for k in missing}
        )
        for key, counts in missing.items():
            sm = majors[key[1]]
            rows[key] = Figures(sm.school, sm, counts=counts)
    return sorted(
        rows.values(),
        key=lambda f: (f.school.code, f.school_major.major.code, f.school_major.level),
    )
