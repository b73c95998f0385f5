"""The restriction mechanism: each role sees and changes only its scope, for every model."""

import datetime

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError

from jigong.certificates import numbering
from jigong.certificates.models import GraduationCertificate, SkillCertificate
from jigong.certificates.services import graduate, skill_certificate_create
from jigong.cooperation import services as coop
from jigong.core import services as core
from jigong.core.models import AuditLog
from jigong.core.permissions import may, restrict
from jigong.employment.models import EmploymentOutcome
from jigong.employment.services import outcome_record
from jigong.schools.models import School, SchoolDesignation
from jigong.schools.services import designation_add, school_update
from jigong.staff.services import teacher_create
from jigong.students.models import Person, Registration, StatusChange
from jigong.students.services import registration_change_status
from jigong.training.services import training_record_create
from tests import factories as f

JIGONG_APPS = {
    "core",
    "reference",
    "schools",
    "students",
    "certificates",
    "training",
    "employment",
    "cooperation",
    "staff",
}


def _populate(w, school, reg, suffix):
    """One row of every school-scoped register for `school`."""
    designation_add(actor=None, school=school, kind="evaluation_institution", year=2025)
    # a 2022 intake, so that its study period is over by 2025 (the graduation act checks it)
    Registration.objects.filter(pk=reg.pk).update(
        enrolled_on=datetime.date(2022, 9, 1), status_changed_on=datetime.date(2022, 9, 1)
    )
    reg.refresh_from_db()
    graduate(
        actor=None,
        registration=reg,
        issued_on=datetime.date(2025, 7, 1),
        number=numbering.make(2025, school.code, reg.level, int(suffix)),
    )
    skill_certificate_create(
        actor=None,
        person=reg.person,
        number=f"S2025500000000000000{suffix}",
        occupation_code="6-18-01-01",
        occupation_name="车工",
        level=3,
        issued_on=datetime.date(2025, 6, 1),
        evaluator=school,
    )
    ent = coop.enterprise_create(actor=None, credit_code=f.credit_code(), name=f"企业{suffix}")
    coop.agreement_create(
        actor=None,
        school=school,
        enterprise=ent,
        kind="order_class",
        title=f"订单班{suffix}",
        started_on=datetime.date(2024, 9, 1),
    )
    outcome_record(
        actor=None,
        registration=reg,
        status="employed",
        recorded_on=datetime.date(2025, 8, 31),
        employer_name=f"企业{suffix}",
    )
    training_record_create(
        actor=None,
        school=school,
        trainee_name=f"学员{suffix}",
        trainee_id_number=f.id_number(birth=datetime.date(1985, 1, 1)),
        occupation_code="6-18-01-01",
        occupation_name="车工",
        kind="upgrading",
        hours=40,
        started_on=datetime.date(2025, 3, 1),
        ended_on=datetime.date(2025, 3, 20),
        revenue=800,
    )
    teacher_create(
        actor=None,
        school=school,
        name=f"教师{suffix}",
        id_number=f.id_number(birth=datetime.date(1980, 1, 1)),
        kind="full_time",
        hired_on=datetime.date(2015, 9, 1),
    )


@pytest.fixture
def full_world(world):
    _populate(world, world.school_a, world.reg_a, "01")
    _populate(world, world.school_b, world.reg_b, "02")
    return world


def scoped_models():
    return [
        m for m in apps.get_models() if m._meta.app_label in JIGONG_APPS and hasattr(m, "Scope")
    ]


def test_every_jigong_model_declares_a_scope():
    missing = [
        m._meta.label
        for m in apps.get_models()
        if m._meta.app_label in JIGONG_APPS and not hasattr(m, "Scope")
    ]
    assert missing == []


def _school_ids(model, qs):
    """The schools a queryset's rows belong to, following the model's scope path."""
    paths = model.Scope.school if isinstance(model.Scope.school, tuple) else (model.Scope.school,)
    ids = set()
    for p in paths:
        ids |= set(qs.values_list(p, flat=True))
    return ids - {None}


@pytest.mark.parametrize(
    "model",
    [m for m in scoped_models() if getattr(m.Scope, "school", None)],
    ids=lambda m: m._meta.label,
)
def test_school_user_sees_only_own_school(full_world, model):
    w = full_world
    everything = restrict(w.municipal, model)
    own = restrict(w.user_a, model)
    if "view" in getattr(model.Scope, "shared", ()):
        assert own.count() == everything.count()
        return
    assert _school_ids(model, own) <= {w.school_a.pk}
    if model in (
        School,
        Registration,
        Person,
        GraduationCertificate,
        SkillCertificate,
        EmploymentOutcome,
        StatusChange,
        SchoolDesignation,
    ):
        assert own.exists(), "the school sees its own rows"
        assert _school_ids(model, everything) >= {w.school_a.pk, w.school_b.pk}


def test_district_user_sees_its_district_only(full_world):
    w = full_world
    names = set(restrict(w.district_a, School).values_list("name", flat=True))
    assert names == {w.school_a.name, w.school_a2.name}
    regs = restrict(w.district_a, Registration)
    assert set(regs.values_list("school_id", flat=True)) == {w.school_a.pk, w.school_a2.pk}


@pytest.mark.parametrize("role", ["department", "graduate"])
def test_non_staff_roles_reach_no_register(full_world, role):
    user = getattr(full_world, role)
    for model in scoped_models():
        assert not restrict(user, model).exists(), model._meta.label


def test_anonymous_reaches_nothing(full_world):
    from django.contrib.auth.models import AnonymousUser

    for model in scoped_models():
        assert not restrict(AnonymousUser(), model).exists()


def test_person_in_two_schools_listed_once(world):
    reg = world.reg_a
    registration_change_status(
        actor=None, registration=reg, status="withdrawn", changed_on=datetime.date(2025, 1, 10)
    )
    f.registration(
        world.school_a2,
        id_number=reg.person.id_number,
        name=reg.person.name,
        enrolled_on=datetime.date(2025, 2, 20),
    )
    assert restrict(world.district_a, Person).filter(pk=reg.person.pk).count() == 1
    assert restrict(world.user_b, Person).filter(pk=reg.person.pk).count() == 0


def test_school_user_cannot_change_another_school(world):
    with pytest.raises(PermissionDenied):
        school_update(actor=world.user_a, school=world.school_b, sponsor="篡改")
    world.school_b.refresh_from_db()
    assert world.school_b.sponsor != "篡改"
    assert not may(world.user_a, "change", world.school_b)
    assert may(world.user_a, "change", world.school_a)


def test_school_user_cannot_move_a_record_into_another_scope(world):
    with pytest.raises(PermissionDenied):
        core.update(world.user_a, world.reg_a, school=world.school_b)
    world.reg_a.refresh_from_db()
    assert world.reg_a.school == world.school_a


def test_only_municipal_designates(world):
    with pytest.raises(PermissionDenied):
        designation_add(
            actor=world.district_a, school=world.school_a, kind="quality_school", year=2025
        )
    designation_add(actor=world.municipal, school=world.school_a, kind="quality_school", year=2025)


def test_update_audits_changed_fields_only(world):
    school_update(
        actor=world.user_a,
        school=world.school_a,
        sponsor="重庆市某集团",
        address=world.school_a.address,
    )
    row = AuditLog.objects.filter(object_type="schools.school", action="update").latest("id")
    assert row.actor == world.user_a
    assert row.before == {"sponsor": "重庆市人力资源和社会保障局"}
    assert row.after == {"sponsor": "重庆市某集团"}
    assert row.school_id == world.school_a.pk
    assert row.district_id == world.school_a.district_id


def test_audit_log_visible_to_municipal_only(world):
    assert restrict(world.municipal, AuditLog).exists()
    for u in (world.district_a, world.user_a, world.department):
        assert not restrict(u, AuditLog).exists()


def test_bad_credit_code_refused_and_nothing_written(world):
    before = School.objects.count()
    with pytest.raises(ValidationError) as exc:
        f.school(credit_code="91500000MA5U7AB12X")
    msg = " ".join(exc.value.message_dict["credit_code"])
    assert "91500000MA5U7AB12X" in msg and "GB 32100" in msg
    assert School.objects.count() == before


def test_unknown_district_code_refused(world):
    from jigong.schools.services import school_create

    before = School.objects.count()
    with pytest.raises(ValidationError) as exc:
        school_create(
            actor=world.municipal,
            district="509999",
            code="X1",
            name="某校",
            tier="school",
            ownership="public",
            sponsor="某",
            credit_code=f.credit_code(),
        )
    msg = " ".join(exc.value.message_dict["district"])
    assert "509999" in msg and "GB/T 2260" in msg
    assert School.objects.count() == before


def test_pairing_must_go_from_main_metro_to_the_two_groups(world):
    with pytest.raises(ValidationError) as exc:
        coop.pairing_create(
            actor=world.municipal,
            mentor=world.school_b,
            supported=world.school_a,
            started_on=datetime.date(2023, 1, 1),
        )
    assert "主城都市区" in " ".join(exc.value.message_dict["mentor"])
    p = coop.pairing_create(
        actor=world.municipal,
        mentor=world.school_a,
        supported=world.school_b,
        started_on=datetime.date(2023, 1, 1),
    )
    assert restrict(world.user_b, type(p)).filter(pk=p.pk).exists()
    assert not restrict(world.user_a, type(p)).exclude(mentor=world.school_a).exists()


def test_a_nul_character_is_refused_by_every_service(world):
    """PostgreSQL cannot store NUL; a value that did not pass a form field is refused by
    the services' validation with the field named, and nothing is written."""
    before = AuditLog.objects.count()
    with pytest.raises(ValidationError) as exc:
        school_update(actor=world.municipal, school=world.school_a, name="重庆\x00技师学院")
    assert "含有空字符" in str(exc.value.message_dict["name"])
    world.school_a.refresh_from_db()
    assert world.school_a.name == "重庆甲技师学院"
    assert AuditLog.objects.count() == before
