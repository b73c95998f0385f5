"""The enrolment world: this year's open season, a published qualification list naming
school_a (技师学院) and school_a2 (高级技校) as qualified (school_b is on it, not
qualified), and approved plans with a line for each major and level offered."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from jigong.admissions.models import Season
from jigong.workflows.models import (
    CrossProvinceQuota,
    EnrolmentPlan,
    EnrolmentPlanLine,
    QualificationEntry,
    QualificationList,
)
from tests import factories as f

TODAY = timezone.localdate()
YEAR = TODAY.year


def birth(age: int) -> datetime.date:
    """A birth date making the applicant ``age`` on the season's 1 September."""
    return datetime.date(YEAR - age, 3, 1)


def listed(school, *, ql, qualified=True):
    return QualificationEntry.objects.create(
        qualification_list=ql,
        school=school,
        school_code=school.code,
        school_name=school.name,
        tier=school.tier,
        district_name=school.district.name,
        school_status=school.status,
        brochure_approved=qualified,
        qualified=qualified,
    )


def plan(school, lines: dict, *, year=YEAR, state="approved", cross=None):
    p = EnrolmentPlan.objects.create(school=school, year=year, state=state)
    for sm, quota in lines.items():
        EnrolmentPlanLine.objects.create(plan=p, school_major=sm, quota=quota)
    for province, quota in (cross or {}).items():
        CrossProvinceQuota.objects.create(plan=p, province=province, quota=quota)
    return p


@pytest.fixture
def enrol(world):
    w = world
    major = w.reg_a.major
    other = f.major("0202", "数控加工")
    e = SimpleNamespace(world=w)
    e.season = Season.objects.create(
        year=YEAR,
        opens_on=TODAY - datetime.timedelta(days=10),
        closes_on=TODAY + datetime.timedelta(days=10),
        max_choices=3,
    )
    e.a_mid = w.school_a.majors.get(major=major, level="intermediate")
    e.a_adv = f.school_major(w.school_a, major, "advanced")
    e.a_tech = f.school_major(w.school_a, major, "technician")
    e.a_other = f.school_major(w.school_a, other, "intermediate")
    e.a2_mid = w.school_a2.majors.get(major=major, level="intermediate")
    e.b_mid = w.school_b.majors.get(major=major, level="intermediate")
    e.plan_a = plan(w.school_a, {e.a_mid: 2, e.a_adv: 5, e.a_tech: 5, e.a_other: 5})
    e.plan_a2 = plan(w.school_a2, {e.a2_mid: 5})
    e.plan_b = plan(w.school_b, {e.b_mid: 5})
    e.ql = QualificationList.objects.create(year=YEAR, state="published")
    listed(w.school_a, ql=e.ql)
    listed(w.school_a2, ql=e.ql)
    listed(w.school_b, ql=e.ql, qualified=False)
    e.clerk_a = w.user_a  # a school account with every duty of its role
    e.clerk_a2 = f.user("school", school=w.school_a2, username="school_a2")
    return e


def fields(e, *choices, age=15, **kw):
    """The keyword arguments of application_submit for a junior graduate."""
    out = {
        "season": e.season,
        "id_number": f.id_number(birth=birth(age)),
        "name": "陈小雨",
        "phone": "13800138000",
        "category": "junior_graduate",
        "schooling": "junior",
        "choices": [
            c if isinstance(c, dict) else {"school_major": c, "track": "full_time"}
            for c in (choices or (e.a_mid,))
        ],
    }
    out.update(kw)
    return out
