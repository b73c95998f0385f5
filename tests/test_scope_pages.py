"""Scope on every register page: a user sees only the rows of their scope.

Each school gets a row in every school-scoped register, marked with strings that only
that school's rows carry. A school (or district) user's list pages never show the
other scope's markers, and the other scope's detail pages answer 404 (not 403).
"""

import datetime
import re
from types import SimpleNamespace

import pytest

from jigong.certificates import numbering
from jigong.certificates import services as certificate_services
from jigong.cooperation import services as cooperation_services
from jigong.core.viewsets import REGISTERS
from jigong.employment import services as employment_services
from jigong.schools import services as school_services
from jigong.staff import services as staff_services
from jigong.standards import skillcert
from jigong.training import services as training_services
from tests import factories as f

SCOPED_REGISTERS = [
    "schools.School",
    "schools.SchoolMajor",
    "students.Person",
    "students.Registration",
    "certificates.GraduationCertificate",
    "certificates.SkillCertificate",
    "training.TrainingRecord",
    "employment.EmploymentOutcome",
    "cooperation.CooperationAgreement",
    "staff.Teacher",
]
SHARED_REGISTERS = [
    "cooperation.Enterprise",
    "cooperation.Alliance",
    "reference.District",
    "reference.IndustryChain",
    "reference.Major",
]


def _id(day: int, year: int = 2003) -> str:
    return f.id_number(birth=datetime.date(year, 1, 1) + datetime.timedelta(days=day))


def _fill(school, *, surname: str, tag: str, seed: int) -> SimpleNamespace:
    """One row per school-scoped register at this school; every shown string carries
    the surname (people), the tag (titles) or the school's code (certificate numbers)."""
    grad = f.registration(
        school,
        name=f"{surname}毕业",
        id_number=_id(seed),
        enrolled_on=datetime.date(2021, 9, 1),
    )
    cert = certificate_services.graduate(
        actor=None,
        registration=grad,
        issued_on=datetime.date(2024, 7, 1),
        # a number as the platform makes them (numbering's rule): it carries the
        # school's code, so it is still a marker of this school only
        number=numbering.make(2024, school.code, grad.level, 1),
    )
    grad.refresh_from_db()
    outcome = employment_services.outcome_record(
        actor=None,
        registration=grad,
        status="employed",
        recorded_on=datetime.date(2024, 8, 31),
        employer_name=f"{tag}就业单位",
    )
    school_services.designation_add(
        actor=None, school=school, kind="evaluation_institution", year=2024
    )
    skill_number = f"S{seed:021d}"
    assert skillcert.validate_number(skill_number)
    skill = certificate_services.skill_certificate_create(
        actor=None,
        person=grad.person,
        number=skill_number,
        occupation_code="6-18-01-01",
        occupation_name=f"{tag}车工",
        level=4,
        issued_on=datetime.date(2024, 6, 1),
        evaluator=school,
    )
    training = training_services.training_record_create(
        actor=None,
        school=school,
        trainee_name=f"{surname}学员",
        trainee_id_number=_id(seed + 1, 1990),
        kind="upgrading",
        occupation_code="6-18-01-01",
        occupation_name=f"{tag}电工",
        hours=40,
        started_on=datetime.date(2025, 3, 1),
        ended_on=datetime.date(2025, 4, 1),
    )
    teacher = staff_services.teacher_create(
        actor=None,
        school=school,
        name=f"{surname}老师",
        id_number=_id(seed + 2, 1980),
        kind="full_time",
        hired_on=datetime.date(2015, 9, 1),
    )
    enterprise = cooperation_services.enterprise_create(
        actor=None, credit_code=f.credit_code(school.district.code), name=f"合作企业{seed}"
    )
    agreement = cooperation_services.agreement_create(
        actor=None,
        school=school,
        enterprise=enterprise,
        kind="order_class",
        title=f"{tag}订单班",
        started_on=datetime.date(2024, 9, 1),
    )
    return SimpleNamespace(
        objects={
            "schools.School": school,
            "schools.SchoolMajor": school.majors.first(),
            "students.Person": grad.person,
            "students.Registration": grad,
            "certificates.GraduationCertificate": cert,
            "certificates.SkillCertificate": skill,
            "training.TrainingRecord": training,
            "employment.EmploymentOutcome": outcome,
            "cooperation.CooperationAgreement": agreement,
            "staff.Teacher": teacher,
        },
        # Strings that appear on list pages for this school's rows only.
        markers=[
            school.name,
            f"{surname[0]}*",  # masked names of its people
            cert.number,
            skill.number,
            f"{tag}订单班",
            f"{tag}就业单位",
            f"{tag}电工",
        ],
    )


@pytest.fixture
def scoped(world):
    import jigong.urls  # noqa: F401  (registers are declared as the URLconf loads)

    a = _fill(world.school_a, surname="欧阳", tag="甲", seed=11)
    b = _fill(world.school_b, surname="司马", tag="丙", seed=41)
    pairing = cooperation_services.pairing_create(
        actor=None,
        mentor=world.school_a2,
        supported=world.school_b,
        started_on=datetime.date(2023, 3, 1),
    )
    alliance = cooperation_services.alliance_create(
        actor=None,
        name="重庆智能制造技工教育联盟",
        lead_kind="industry",
        founded_on=datetime.date(2023, 5, 1),
    )
    return SimpleNamespace(world=world, a=a, b=b, pairing=pairing, alliance=alliance)


def _list_url(label):
    return REGISTERS[label].list_url()


def _detail_url(label, obj):
    return REGISTERS[label].detail_url(obj.pk)


# --- list pages -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("label", SCOPED_REGISTERS + SHARED_REGISTERS)
@pytest.mark.parametrize(
    "who, own, other",
    [
        ("user_a", "a", "b"),
        ("user_b", "b", "a"),
        ("district_a", "a", "b"),
        ("district_b", "b", "a"),
    ],
)
def test_list_pages_show_only_own_scope(client, scoped, label, who, own, other):
    client.force_login(getattr(scoped.world, who))
    r = client.get(_list_url(label))
    assert r.status_code == 200
    text = r.content.decode()
    for marker in getattr(scoped, other).markers:
        assert marker not in text, f"{who} sees {marker!r} on {label} list"
    if label in SCOPED_REGISTERS:
        assert "共 0 条" not in text  # the user's own rows are there


@pytest.mark.django_db
@pytest.mark.parametrize("label", SCOPED_REGISTERS)
def test_municipal_sees_both_schools(client, scoped, label):
    client.force_login(scoped.world.municipal)
    text = client.get(_list_url(label)).content.decode()
    own_a = [m for m in scoped.a.markers if m in text]
    own_b = [m for m in scoped.b.markers if m in text]
    assert own_a and own_b


@pytest.mark.django_db
def test_school_user_never_sees_sibling_school(client, scoped):
    """school_a2 is in the same district as school_a: still out of school A's scope."""
    client.force_login(scoped.world.user_a)
    for label in SCOPED_REGISTERS:
        text = client.get(_list_url(label)).content.decode()
        assert "重庆乙高级技工学校" not in text and "王*" not in text, label


@pytest.mark.django_db
def test_list_pages_never_show_full_personal_data(client, scoped):
    client.force_login(scoped.world.municipal)
    people = [scoped.a.objects["students.Person"], scoped.b.objects["students.Person"]]
    teachers = [scoped.a.objects["staff.Teacher"], scoped.b.objects["staff.Teacher"]]
    trainees = [scoped.a.objects["training.TrainingRecord"]]
    for label in SCOPED_REGISTERS:
        text = client.get(_list_url(label)).content.decode()
        for p in people:
            assert p.name not in text and p.id_number not in text, label
        for t in teachers:
            assert t.name not in text and t.id_number not in text, label
        for t in trainees:
            assert t.trainee_name not in text and t.trainee_id_number not in text, label


# --- detail pages -----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("label", SCOPED_REGISTERS)
@pytest.mark.parametrize(
    "who, own, other",
    [
        ("user_a", "a", "b"),
        ("user_b", "b", "a"),
        ("district_a", "a", "b"),
        ("district_b", "b", "a"),
    ],
)
def test_detail_pages_404_outside_scope(client, scoped, label, who, own, other):
    client.force_login(getattr(scoped.world, who))
    mine = getattr(scoped, own).objects[label]
    theirs = getattr(scoped, other).objects[label]
    assert client.get(_detail_url(label, mine)).status_code == 200
    r = client.get(_detail_url(label, theirs))
    assert r.status_code == 404
    for marker in getattr(scoped, other).markers:
        assert marker not in r.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("label", SCOPED_REGISTERS)
def test_detail_pages_show_full_personal_data_in_scope(client, scoped, label):
    client.force_login(scoped.world.user_a)
    text = client.get(_detail_url(label, scoped.a.objects[label])).content.decode()
    person = scoped.a.objects["students.Person"]
    if label in {
        "students.Person",
        "students.Registration",
        "certificates.GraduationCertificate",
        "certificates.SkillCertificate",
        "employment.EmploymentOutcome",
    }:
        assert person.name in text and person.id_number in text
    if label == "staff.Teacher":
        teacher = scoped.a.objects[label]
        assert teacher.name in text and teacher.id_number in text


@pytest.mark.django_db
def test_registration_detail_of_sibling_school_is_404(client, scoped):
    client.force_login(scoped.world.user_a)
    url = _detail_url("students.Registration", scoped.world.reg_a2)
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_missing_and_out_of_scope_look_the_same(client, scoped):
    client.force_login(scoped.world.user_a)
    out = client.get(_detail_url("students.Registration", scoped.world.reg_b))
    missing = client.get("/registrations/999999/")
    assert out.status_code == missing.status_code == 404

    def page(r):  # the same page but for the per-response CSRF token
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", r.content.decode())

    assert page(out) == page(missing)


@pytest.mark.django_db
def test_pairing_scope(client, scoped):
    w = scoped.world
    url = _detail_url("cooperation.Pairing", scoped.pairing)
    list_url = _list_url("cooperation.Pairing")
    client.force_login(w.user_a)
    assert "重庆乙高级技工学校" not in client.get(list_url).content.decode()
    assert client.get(url).status_code == 404
    for who in ("user_b", "district_a", "district_b", "municipal"):
        client.force_login(getattr(w, who))
        assert client.get(url).status_code == 200, who
        assert "重庆乙高级技工学校" in client.get(list_url).content.decode(), who


@pytest.mark.django_db
@pytest.mark.parametrize("label", SCOPED_REGISTERS + SHARED_REGISTERS)
@pytest.mark.parametrize("who", ["department", "graduate"])
def test_non_staff_get_no_detail_pages(client, scoped, label, who):
    client.force_login(getattr(scoped.world, who))
    obj = scoped.a.objects.get(label) or REGISTERS[label].model._default_manager.first()
    assert obj is not None, f"the test world has no {label} row"
    assert client.get(_detail_url(label, obj)).status_code == 404


@pytest.mark.django_db
def test_audit_log_detail_only_municipal(client, scoped):
    from jigong.core.models import AuditLog

    row = AuditLog.objects.filter(school_id=scoped.world.school_a.pk).first()
    url = _detail_url("core.AuditLog", row)
    for who in ("user_a", "district_a", "department", "graduate"):
        client.force_login(getattr(scoped.world, who))
        assert client.get(url).status_code == 404, who
    client.force_login(scoped.world.municipal)
    assert client.get(url).status_code == 200
