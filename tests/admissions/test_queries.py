"""What applying and registration day read (issue 16's speed): an application reads the
facts of its rules in one query whatever its number of choices, and what it reads is
never stale; a cohort's queries do not grow with its majors, levels and categories."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jigong.admissions import services
from jigong.schools.models import School, SchoolMajor
from jigong.students.models import Registration
from jigong.workflows.models import EnrolmentPlan, QualificationEntry
from tests import factories as f
from tests.admissions.conftest import TODAY, YEAR, birth, fields

pytestmark = pytest.mark.django_db


def statements(call, **kw) -> list[str]:
    """The reads and writes of ``call``, leaving out savepoints and the policy parameters'
    version check (made in a savepoint at most once per REFRESH_SECONDS, whatever the
    caller: not the call's own read)."""
    with CaptureQueriesContext(connection) as q:
        call(**kw)
    return [
        x["sql"]
        for x in q.captured_queries
        if "parameteradjustment" not in x["sql"]
        and not x["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]


def selects(sqls: list[str]) -> list[str]:
    return [s for s in sqls if s.lstrip().upper().startswith("SELECT")]


def test_an_application_reads_its_rules_facts_in_one_query_whatever_its_choices(enrol):
    e = enrol
    one = statements(services.application_submit, **fields(e, e.a_mid))
    # three choices at two schools (the list, the plans and the tiers of both)
    three = statements(
        services.application_submit,
        **fields(e, e.a_adv, e.a2_mid, e.a_other),
    )
    assert len(selects(one)) == 1, selects(one)
    assert len(selects(three)) == 1, selects(three)
    assert len(three) == len(one)


def _publish_without_school_a(e):
    from jigong.workflows import services as wf

    # the city computes, reviews and publishes next year's list; school_a is then
    # made unqualified on it (its brochure not filed for that year)
    ql = wf.qualification_list_create(actor=e.world.municipal, year=YEAR + 1)
    QualificationEntry.objects.filter(qualification_list=ql, school=e.world.school_a).update(
        qualified=False
    )
    wf.transition(actor=e.world.municipal, item=ql, action="review")
    wf.transition(actor=e.world.municipal, item=ql, action="publish")


CHANGES = {
    "a new list published": (_publish_without_school_a, "招生资质名单"),
    "the school suspended": (
        lambda e: School.objects.filter(pk=e.world.school_a.pk).update(status="suspended"),
        "暂停招生",
    ),
    "the major stopped": (
        lambda e: SchoolMajor.objects.filter(pk=e.a_mid.pk).update(status="suspended"),
        "停招",
    ),
    "the plan returned": (
        lambda e: EnrolmentPlan.objects.filter(pk=e.plan_a.pk).update(state="returned"),
        "招生计划",
    ),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_the_next_application_sees_a_change_made_after_the_last_one(enrol, change):
    e = enrol
    services.application_submit(**fields(e, e.a_mid))  # the facts read once
    make, words = CHANGES[change]
    make(e)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as info:
        services.application_submit(**fields(e, e.a_mid))
    assert words in " ".join(info.value.message_dict["choices.1.school_major"])


def _confirmed(e, *choices, **kw):
    app = services.application_submit(**fields(e, *choices, **kw))
    c = app.choices.order_by("rank").first()
    services.choice_admit(actor=e.clerk_a, choice=c)
    services.admission_confirm(application=app, choice=c)
    return c


def test_a_cohorts_queries_do_not_grow_with_its_majors_levels_and_categories(enrol):
    e = enrol
    first = _confirmed(e, e.a_mid, name="冯一")
    others = [
        _confirmed(e, e.a_adv, name="冯二"),
        _confirmed(e, e.a_other, name="冯三", category="poverty_family"),
        _confirmed(
            e, e.a_tech, name="冯四", age=18, schooling="senior", category="senior_graduate"
        ),
        _confirmed(e, e.a_mid, name="冯五", category="veteran", age=19, schooling="senior"),
    ]
    kw = {"actor": e.clerk_a, "school": e.world.school_a, "enrolled_on": TODAY}
    small = statements(services.cohort_enrol, **kw, choices=[first])
    large = statements(services.cohort_enrol, **kw, choices=others)
    assert len(large) == len(small), selects(large)
    for c in [first, *others]:
        c.refresh_from_db()
        assert c.state == "enrolled"


def test_a_cohorts_queries_do_not_grow_with_its_partner_provinces(enrol):
    from jigong.workflows.models import CrossProvinceQuota

    e = enrol
    for province in ("51", "52", "53"):  # （九）: the partner provinces' quotas at school_a
        CrossProvinceQuota.objects.create(plan=e.plan_a, province=province, quota=5)

    def applicant(name, area):
        number = f.id_number(birth=birth(15), area=area)
        return _confirmed(e, e.a_adv, name=name, id_number=number)

    first = applicant("蒋一", "510104")
    others = [applicant("蒋二", "510104"), applicant("蒋三", "520102"), applicant("蒋四", "530102")]
    kw = {"actor": e.clerk_a, "school": e.world.school_a, "enrolled_on": TODAY}
    small = statements(services.cohort_enrol, **kw, choices=[first])
    large = statements(services.cohort_enrol, **kw, choices=others)
    assert len(large) == len(small), selects(large)
    homes = set(
        Registration.objects.filter(admission__isnull=False).values_list(
            "person__home_province", flat=True
        )
    )
    assert homes == {"51", "52", "53"}
