"""Online enrolment in the demo world (（九）, issue 16), written through the acts.

The bulk world files the 2026 plan (approved, with quotas for the partner provinces at
技师学院 and 高级技校) and the 2026 brochure (备案通过) of two schools in three by the end
of 2025. After it (``generate.build``): the city's 2026 season (``admission.season_set``),
opened on 1 March 2026 and open until 60 days after the build, so the public form works
in the demo; applicants of every （九） group apply online (``admission.apply``) or at a
school (``admission.enter``) to those of the schools qualified on the latest published
list; schools decide (``admission.admit`` / ``waitlist`` / ``refuse`` with a reason);
most admitted applicants confirm (``admission.confirm``, releasing their other
choices); three schools in four register their confirmed admissions on registration
day (``admission.enrol_cohort``, 1 September 2026 or today if earlier; the fourth's day
is still to come). So every state of a choice is present, and the 2026 cohort of those
schools comes from admissions.

The acts check every rule: an applicant a rule refuses (too young for the level) is not
written; an admission a rule refuses (a full line, the cross-province quota) becomes a
wait-listing, as in life. The acts run as the demo's users between the build's markers
(``demo.state``). Not in the demo digest: references are random and the season's dates
follow the build's date; the 学籍 of the cohort are (their values are the seed's).
"""

from __future__ import annotations

import contextlib
import datetime
import random

from django.core.exceptions import ValidationError
from django.utils import timezone

YEAR = 2026
OPENS_ON = datetime.date(YEAR, 3, 1)
REGISTRATION_DAY = datetime.date(YEAR, 9, 1)
APPLICANTS = {"small": 60, "full": 3000}
# applicant groups of （九）: (category, schooling, birth years, weight)
PROFILES = (
    ("junior_graduate", "junior", (2010, 2011), 40),
    ("senior_graduate", "senior", (2007, 2008), 22),
    ("previous_graduate", "vocational", (2004, 2007), 10),
    ("veteran", "senior", (2000, 2004), 8),
    ("poverty_family", "junior", (2008, 2010), 10),
    ("unemployed_graduate", "higher", (2000, 2003), 5),
    ("enterprise_employee", "senior", (1995, 2003), 5),
)
PARTNER_AREAS = {"52": "520102", "51": "510104", "53": "530102"}  # 贵阳, 成都, 昆明
REFUSALS = ("综合考核未通过", "专业体检要求不符", "报名材料不全且逾期未补")


def _id_number(rng: random.Random, area: str, birth: datetime.date, used: set) -> str:
    from jigong.standards import idcard

    while True:
        first17 = f"{area}{birth:%Y%m%d}{rng.randint(0, 999):03d}"
        number = first17 + idcard.check_digit(first17)
        if number not in used:
            used.add(number)
            return number


def _open_schools(users) -> list:
    """(school, its administrator, its 2026 plan lines) of the schools qualified on the
    latest published list whose 2026 plan is approved and 2026 brochure accepted (the
    bulk world files them so for two schools in three)."""
    from jigong.schools.models import School
    from jigong.workflows.models import BrochureFiling, EnrolmentPlan, QualificationEntry
    from jigong.workflows.selectors import published_lists

    latest = published_lists().first()
    if latest is None:
        return []
    ids = QualificationEntry.objects.filter(qualification_list=latest, qualified=True).values_list(
        "school_id", flat=True
    )
    accepted = BrochureFiling.objects.filter(year=YEAR, state__in=("approved", "published"))
    out = []
    schools = School.objects.filter(pk__in=ids, status="operating")
    for school in schools.filter(pk__in=accepted.values("school_id")).order_by("code"):
        plan = EnrolmentPlan.objects.filter(school=school, year=YEAR, state="approved").first()
        clerk = users.get(f"school-{school.code}")
        if plan is not None and clerk is not None:
            out.append((school, clerk, list(plan.lines.select_related("school_major"))))
    return out


def build(*, seed: int, scale: str) -> dict:
    """The 2026 season and its applications, decisions, confirmations and cohort; returns
    counts by what happened."""
    from jigong.admissions import services
    from jigong.admissions.models import Choice, ChoiceState
    from jigong.core.models import User

    rng = random.Random(f"{seed}-admissions")
    today = timezone.localdate()
    users = {
        u.username: u
        for u in User.objects.filter(username__startswith="school-")
        | User.objects.filter(username__startswith="district-")
        | User.objects.filter(username="city")
    }
    counts = {"applied": 0, "entered": 0, "refused_at_apply": 0, "enrolled": 0}
    if "city" not in users:
        return counts
    schools = _open_schools(users)
    if not schools:
        return counts
    season = services.season_set(
        actor=users["city"],
        year=YEAR,
        opens_on=min(OPENS_ON, today),
        closes_on=today + datetime.timedelta(days=60),
        max_choices=3,
    )
    from jigong.workflows.selectors import offered_tracks

    offered = offered_tracks([s.pk for s, _c, _l in schools], YEAR)
    part_time = [x for x in schools if "part_time" in offered.get(x[0].pk, ())] or schools
    used: set = set()
    weights = [p[3] for p in PROFILES]
    n = APPLICANTS.get(scale, APPLICANTS["small"])
    for _i in range(n):
        category, schooling, (y0, y1), _w = rng.choices(PROFILES, weights)[0]
        birth = datetime.date(rng.randint(y0, y1), rng.randint(1, 12), rng.randint(1, 28))
        province = rng.choices(("50", "52", "51", "53"), (88, 5, 4, 3))[0]
        area = PARTNER_AREAS.get(province) or rng.choice(("500103", "500101", "500106"))
        offline = rng.random() < 0.1
        pool = part_time if category == "enterprise_employee" else schools  # its brochure
        picks = rng.sample(pool, 1 if offline else min(len(pool), rng.randint(1, 3)))
        choices = [
            {
                "school_major": rng.choice(lines).school_major,
                "track": "part_time" if category == "enterprise_employee" else "full_time",
            }
            for _school, _clerk, lines in picks
            if lines
        ]
        fields = {
            "season": season,
            "id_number": _id_number(rng, area, birth, used),
            "name": _name(rng),
            "phone": f"13{rng.randint(0, 999_999_999):09d}",
            "category": category,
            "schooling": schooling,
            "choices": choices,
        }
        if category == "enterprise_employee":
            from jigong.standards import uscc

            fields["enterprise_code"] = uscc.generate(rng, "9", "1", "500103")
            fields["arrangement_months"] = rng.choice((12, 18, 24))
        try:
            if offline:
                school, clerk, _lines = picks[0]
                services.application_enter(actor=clerk, school=school, **fields)
                counts["entered"] += 1
            else:
                services.application_submit(actor=None, **fields)
                counts["applied"] += 1
        except ValidationError:
            counts["refused_at_apply"] += 1  # a rule refused it: not written

    clerks = {school.pk: clerk for school, clerk, _lines in schools}
    pending = Choice.objects.filter(application__season=season).select_related(
        "application", "school_major"
    )
    for choice in pending.order_by("application_id", "rank"):
        if rng.random() < 0.12:
            continue  # not decided yet
        clerk = clerks[choice.school_id]
        roll = rng.random()
        try:
            if roll < 0.7:
                services.choice_admit(actor=clerk, choice=choice)
            elif roll < 0.85:
                services.choice_waitlist(actor=clerk, choice=choice, reason="")
            else:
                services.choice_refuse(actor=clerk, choice=choice, reason=rng.choice(REFUSALS))
        except ValidationError:
            services.choice_waitlist(actor=clerk, choice=choice, reason="")

    admitted = Choice.objects.filter(application__season=season, state=ChoiceState.ADMITTED)
    for choice in admitted.select_related("application").order_by("application_id", "rank"):
        choice.refresh_from_db()
        if choice.state != ChoiceState.ADMITTED or rng.random() < 0.15:
            continue  # released by an earlier confirmation, or not confirmed yet
        services.admission_confirm(actor=None, application=choice.application, choice=choice)

    on = min(REGISTRATION_DAY, today)
    for i, (school, clerk, _lines) in enumerate(schools):
        if i % 4 == 1:
            continue  # registration day still to come: the confirmed wait for it
        with contextlib.suppress(ValidationError):  # refused: left confirmed
            counts["enrolled"] += services.cohort_enrol(actor=clerk, school=school, enrolled_on=on)
    return counts


SURNAMES = "王李张刘陈杨黄赵周吴徐孙马胡朱郭何罗高林"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
