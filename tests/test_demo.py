"""The demo world: builds, is deterministic, and is valid against the standards and rules."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import HttpRequest
from django.test import Client

from jigong.certificates import numbering
from jigong.certificates.models import GraduationCertificate, SkillCertificate
from jigong.cooperation.models import (
    Alliance,
    AllianceMember,
    CooperationAgreement,
    CooperationKind,
    Enterprise,
    Pairing,
)
from jigong.core import pii
from jigong.core.choices import RegionGroup, Tier
from jigong.core.models import Role, User
from jigong.demo import generate
from jigong.employment.models import COUNTED_AS_EMPLOYED, EmploymentOutcome
from jigong.policy import rules
from jigong.schools.models import QualityMajorDesignation, School, SchoolDesignation, SchoolMajor
from jigong.staff.models import Teacher
from jigong.standards import idcard, skillcert, uscc
from jigong.students.models import IN_SCHOOL, Person, Registration, StatusChange
from jigong.training.models import TrainingRecord
from tests.conftest import built_once, fast_hashing


def run_demo(*args):
    out = io.StringIO()
    call_command("demo", "--scale", "small", "--no-progress", *args, stdout=out)
    return out.getvalue()


# one build for the module's tests (about 10 s each); tests/test_demo_build.py builds its own
pytestmark = pytest.mark.xdist_group("test_demo")


@pytest.fixture(scope="module")
def _demo_of_the_module(django_db_setup, django_db_blocker):
    with built_once(django_db_blocker):
        with fast_hashing():
            output = run_demo("--seed", "7")
        yield output


@pytest.fixture
def demo(_demo_of_the_module, db):
    """The small demo (seed 7), built once for the module; each test's writes are rolled
    back (tests/conftest.py built_once). Its output: the accounts' table."""
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection

    if connection.vendor == "postgresql":  # a rebuild's setval is not rolled back with it
        models = [m for m in apps.get_models() if m.__module__.startswith("jigong.")]
        with connection.cursor() as cur:
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cur.execute(sql)
    return _demo_of_the_module


def test_small_demo_has_every_kind_of_row(demo):
    for model in (
        School,
        SchoolDesignation,
        SchoolMajor,
        SchoolMajor.chains.through,
        QualityMajorDesignation,
        Enterprise,
        CooperationAgreement,
        Alliance,
        AllianceMember,
        Pairing,
        Teacher,
        Person,
        Registration,
        StatusChange,
        GraduationCertificate,
        SkillCertificate,
        EmploymentOutcome,
        TrainingRecord,
    ):
        assert model.objects.exists(), model
    assert Registration.objects.filter(status__in=IN_SCHOOL).exists()
    assert Registration.objects.exclude(cooperation=None).exists()
    kinds = set(CooperationAgreement.objects.values_list("kind", flat=True))
    assert kinds == set(CooperationKind.values)
    assert SkillCertificate.objects.filter(level=2).exists()
    jobs = EmploymentOutcome.objects
    assert jobs.filter(status__in=COUNTED_AS_EMPLOYED).count() / jobs.count() > 0.95
    assert "admin" in demo and "Jigong-City-2025" in demo


def test_regions_and_tiers_all_present(demo):
    assert set(School.objects.values_list("district__group", flat=True)) == set(RegionGroup.values)
    assert set(School.objects.values_list("tier", flat=True)) == set(Tier.values)
    for p in Pairing.objects.select_related("mentor__district", "supported__district"):
        p.full_clean()


def test_id_numbers_and_credit_codes_are_valid(demo):
    for n in pii.values_list(Person.objects.all(), "id_number", flat=True):
        assert idcard.validate(n) == n
    for n in pii.values_list(TrainingRecord.objects.all(), "trainee_id_number", flat=True):
        assert idcard.validate(n) == n
    for n in pii.values_list(Teacher.objects.all(), "id_number", flat=True):
        assert idcard.validate(n) == n
    for model in (School, Enterprise):
        for c in model.objects.values_list("credit_code", flat=True):
            assert uscc.validate(c) == c
    for number, code in SkillCertificate.objects.values_list("number", "occupation_code"):
        skillcert.validate_number(number)
        skillcert.validate_occupation_code(code)
    for p in Person.objects.all():
        assert idcard.birth_date(p.id_number) == p.birth_date
        assert idcard.sex(p.id_number) == p.sex


def test_certificate_numbers_carry_a_check_character(demo):
    for number, level, issued in GraduationCertificate.objects.values_list(
        "number", "level", "issued_on"
    ):
        assert len(number) == 17
        assert number[:4] == str(issued.year)
        assert number[9] == generate.LEVEL_DIGIT[level]
        assert generate.mod11_2(number[:16]) == number[16]
        assert numbering.check(number) == number  # the one rule the writes enforce


def test_school_major_levels_allowed_for_tier(demo):
    for sm in SchoolMajor.objects.select_related("school", "major"):
        on = generate.policy_date(sm.opened_year)
        assert sm.level in rules.allowed_levels(sm.school.tier, on), sm
        assert sm.level in sm.major.levels
        if rules.allowed_levels(sm.school.tier, on)[sm.level] == "explored":
            assert on >= generate.POLICY_DATE


def test_registrations_follow_rules(demo):
    for r in Registration.objects.select_related("school"):
        if r.track == "part_time":
            assert r.source == "enterprise_employee" and r.duration_months >= 12
        assert rules.level_allowed(r.school.tier, r.level, max(r.enrolled_on, generate.POLICY_DATE))
    evaluators = set(
        SchoolDesignation.objects.filter(kind="evaluation_institution").values_list(
            "school_id", "year"
        )
    )
    for school_id, issued in SkillCertificate.objects.values_list("evaluator_id", "issued_on"):
        assert (school_id, issued.year) in evaluators


def test_users_for_every_role_can_log_in(demo):
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert User.objects.get(username="admin").is_superuser
    school = School.objects.order_by("code").first()
    district_user = User.objects.get(username=f"district-{school.district.code}")
    assert district_user.district_id == school.district_id
    assert User.objects.get(username=f"school-{school.code}").school_id == school.id
    logins = {
        "admin": "admin",
        "city": "municipal",
        district_user.username: "district",
        f"school-{school.code}": "school",
        "dept": "department",
        "grad": "graduate",
    }
    for username, key in logins.items():
        request = HttpRequest()
        request.META["REMOTE_ADDR"] = "127.0.0.1"
        client = Client()
        assert client.login(request=request, username=username, password=generate.PASSWORDS[key]), (
            username
        )


def test_rerun_without_reset_refuses(demo):
    with pytest.raises(CommandError, match=r"已有数据.*--reset"):
        run_demo()
    run_demo("--reset")
    assert School.objects.count() == 6


def test_new_rows_after_demo_get_fresh_ids(demo):
    """Ids were precomputed: the sequences (PostgreSQL) must have been moved past them."""
    last = Enterprise.objects.order_by("-pk").first()
    e = Enterprise.objects.create(credit_code="91500103MA5U0000X0", name="新企业", district=None)
    assert e.pk > last.pk
    person = Person.objects.order_by("-pk").first()
    p = Person.objects.create(
        id_number="500103200701010012", name="新同学", sex="M", birth_date=person.birth_date
    )
    assert p.pk > person.pk


def test_graduate_account_is_linked_to_a_graduate(demo):
    from jigong.certificates.models import GraduationCertificate
    from jigong.core.models import User

    grad = User.objects.get(username="grad")
    assert grad.person is not None
    assert grad.display_name == grad.person.name
    assert GraduationCertificate.objects.filter(
        registration__person=grad.person, status="valid"
    ).exists()


def test_small_demo_evaluation_shows_passing_and_failing_schools(demo):
    """Most schools meet most quality benchmarks and 达标 standards; a few fall short."""
    from jigong.quality.evaluation import evaluate
    from jigong.workflows.licensing import standards_table

    admin = User.objects.get(username="admin")
    scored = [
        (e.code, m, float(d["score"]))
        for e in evaluate(user=admin, year=2025)
        for m, d in e.inputs["measures"].items()
        if d["score"] is not None
    ]
    met = [x for x in scored if x[2] >= 100]
    assert len(met) >= 0.7 * len(scored), scored
    assert any(score < 90 for _c, _m, score in scored), scored  # clearly short
    measures_met = {m for _c, m, _s in met}
    assert {"curriculum_compliance", "certificate_rate", "order_class_share"} <= measures_met
    schools_all_met = {c for c, *_ in scored} - {c for c, _m, s in scored if s < 100}
    assert schools_all_met, scored
    # the small world is too small for the size criteria (students, teachers) of 达标,
    # but its shares (一体化 teachers, campus network) are met
    shares = [c for r in standards_table(user=admin) for c in r["result"].criteria]
    assert any(c.ok for c in shares if c.name == "integrated_share")


def test_small_demo_has_workflow_records_in_several_states(demo):
    from jigong.workflows.models import (
        BrochureFiling,
        CurriculumRecord,
        EnrolmentPlan,
        InternshipFiling,
        Step,
    )

    states = set()
    for model in (EnrolmentPlan, BrochureFiling, InternshipFiling):
        assert model.objects.exists(), model
        states |= set(model.objects.values_list("state", flat=True))
    assert {"submitted", "approved", "returned", "published"} <= states, states
    # the district's and the city's journeys each find a 2026 plan waiting for them
    plan_states = set(EnrolmentPlan.objects.values_list("state", flat=True))
    assert {"submitted", "district_approved"} <= plan_states, plan_states
    assert CurriculumRecord.objects.exists()
    plan = EnrolmentPlan.objects.filter(state="approved").first()
    assert plan.total_quota > 0
    steps = list(Step.objects.filter(kind="enrolment_plan", item_id=plan.pk))
    assert steps[0].action == "create" and steps[-1].to_state == "approved"
    assert {s.acted_by.role for s in steps} == {"school", "district", "municipal"}
    assert steps[0].acted_by.school_id == plan.school_id
    returned = Step.objects.filter(to_state="returned").first()
    assert returned is not None and returned.comment
    # a district bureau sees its own schools' items (those in progress too), no others
    item = next(
        x
        for model in (EnrolmentPlan, BrochureFiling, InternshipFiling)
        for x in model.objects.exclude(state__in=("approved", "published")).select_related(
            "school__district"
        )
    )
    district_user = User.objects.get(username=f"district-{item.school.district.code}")
    visible = type(item).objects.restrict(district_user, "view").select_related("school")
    assert item in visible
    assert all(x.school.district_id == district_user.district_id for x in visible)


NEW_PROCEDURE_TABLES = (
    "workflows.DesignationRound",
    "workflows.MajorAdjustment",
    "workflows.MajorAdjustment_chains",
    "workflows.OtherTrainingRevenue",
    "workflows.PaySupplementCalc",
    "workflows.QualificationList",
    "workflows.QualificationEntry",
)


def test_small_demo_has_the_other_procedures_in_several_states(demo):
    from jigong.workflows.models import (
        DesignationRound,
        MajorAdjustment,
        OtherTrainingRevenue,
        PaySupplementCalc,
        QualificationList,
        Step,
    )

    def states(model):
        return set(model.objects.values_list("state", flat=True))

    assert states(DesignationRound) == {"open", "closed"}
    assert {"draft", "submitted", "returned", "approved", "rejected"} <= states(MajorAdjustment)
    assert states(QualificationList) == {"draft", "published"}
    assert OtherTrainingRevenue.objects.exists()
    assert PaySupplementCalc.objects.filter(excellent=True).exists()
    assert PaySupplementCalc.objects.filter(excellent=False).exists()
    # a returned or rejected application ends with the municipal bureau's reason
    for a in MajorAdjustment.objects.filter(state__in=("returned", "rejected")):
        last = list(Step.objects.filter(kind="major_adjustment", item_id=a.pk))[-1]
        assert last.to_state == a.state and last.comment, a
        assert last.acted_by.username == "city"
    # an approval is behind the register: the major's status is the one applied for
    applied = {"open": "open", "suspend": "suspended", "close": "closed"}
    for a in MajorAdjustment.objects.filter(state="approved").select_related("school_major"):
        assert a.school_major.status == applied[a.action], a
        assert a.match_before is not None and a.match_after is not None
    for a in MajorAdjustment.objects.exclude(state="approved"):
        a.full_clean()  # still valid against the register, so it can be submitted or decided
    # each round's designations are the year's 优质院校/优质专业, recorded by the city
    for r in DesignationRound.objects.all():
        held = (
            SchoolDesignation.objects.filter(kind="quality_school", year=r.year)
            if r.kind == "quality_school"
            else QualityMajorDesignation.objects.filter(year=r.year)
        )
        steps = Step.objects.filter(kind="designation_round", item_id=r.pk)
        assert steps.filter(action="designate").count() == held.count() > 0
        assert {s.acted_by.username for s in steps} == {"city"}
    # published lists are the public ones; every school of the register is on them
    published = QualificationList.objects.filter(state="published")
    assert all(q.published_at and q.entries.count() == School.objects.count() for q in published)
    assert Client().get("/qualifications/").status_code == 200


def test_demo_procedures_go_on_through_the_services(demo):
    """What the demo wrote is what the services would have written: they accept it."""
    from jigong.workflows import designations, records, services
    from jigong.workflows.models import (
        DesignationRound,
        MajorAdjustment,
        PaySupplementCalc,
        QualificationList,
    )

    city = User.objects.get(username="city")
    a = MajorAdjustment.objects.filter(state="submitted").order_by("pk").first()
    services.transition(actor=city, item=a, action="approve", on=generate.AS_OF)
    a.refresh_from_db()
    assert a.state == "approved" and a.match_after is not None
    assert (
        a.school_major.status
        == {"open": "open", "suspend": "suspended", "close": "closed"}[a.action]
    )
    r = DesignationRound.objects.get(state="open")
    held = set(QualityMajorDesignation.objects.filter(year=r.year).values_list("school_major_id"))
    sm = (
        SchoolMajor.objects.filter(status="open", school__status="operating")
        .exclude(pk__in=[k for (k,) in held])
        .order_by("pk")
        .first()
    )
    designations.designate(actor=city, designation_round=r, school_major=sm)
    services.transition(actor=city, item=r, action="close")
    assert QualityMajorDesignation.objects.filter(year=r.year).count() == len(held) + 1
    # recomputing the draft list or a supplement changes nothing
    ql = QualificationList.objects.get(state="draft")
    entries = set(ql.entries.values_list("school_id", "brochure_approved", "qualified", "reasons"))
    services.qualification_entries_compute(actor=city, qualification_list=ql)
    assert set(
        ql.entries.values_list("school_id", "brochure_approved", "qualified", "reasons")
    ) == (entries)
    for calc in PaySupplementCalc.objects.order_by("pk")[:5]:
        again = records.supplement_calculate(
            actor=city, school=calc.school, year=calc.year, rate=calc.rate, excellent=calc.excellent
        )
        assert (again.revenue, again.amount, again.steps) == (calc.revenue, calc.amount, calc.steps)


def test_district_user_sees_only_its_schools_procedures(demo):
    from jigong.workflows.models import (
        DesignationRound,
        MajorAdjustment,
        OtherTrainingRevenue,
        PaySupplementCalc,
        QualificationEntry,
        Step,
    )

    for model in (MajorAdjustment, OtherTrainingRevenue, PaySupplementCalc, QualificationEntry):
        row = model.objects.select_related("school__district").order_by("pk").first()
        user = User.objects.get(username=f"district-{row.school.district.code}")
        visible = model.objects.restrict(user, "view")
        own = model.objects.filter(school__district_id=user.district_id)
        assert set(visible) == set(own) and row in visible, model
        assert model.objects.count() > own.count(), model  # other districts' rows exist
        assert not DesignationRound.objects.restrict(user, "view").exists()
        steps = Step.objects.restrict(user, "view").filter(
            kind__in=("major_adjustment", "designation_round", "qualification")
        )
        assert {s.district_id for s in steps} <= {user.district_id}


def test_digest_covers_the_procedures(demo):
    from django.apps import apps

    assert set(NEW_PROCEDURE_TABLES) <= set(generate.DIGEST_COLUMNS)
    before = generate.digest()
    for label in NEW_PROCEDURE_TABLES:
        model = apps.get_model(label)
        model._base_manager.filter(pk=model._base_manager.order_by("pk")[0].pk).delete()
        after = generate.digest()
        assert after != before, label
        before = after
