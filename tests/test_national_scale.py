"""The national-scale generator (bench national) at a tiny size, on the suite's database."""

import pytest

from jigong.certificates import numbering
from jigong.certificates.models import GraduationCertificate
from jigong.cooperation.models import Enterprise
from jigong.core import pii
from jigong.core.models import Role, User
from jigong.demo import generate, national
from jigong.indicators.selectors import targets_table
from jigong.public.selectors import certificate_verify
from jigong.reference.models import District
from jigong.schools.models import School
from jigong.staff.models import Teacher
from jigong.standards import idcard, uscc
from jigong.students.models import IN_SCHOOL, Person, Registration
from jigong.training.models import TrainingRecord

PROVINCES = ("11", "44", "52")
TINY = dict(provinces=PROVINCES, schools=10, students=3000, training_per_year=60, chunk=400)


@pytest.fixture
def world(db, reference_data):
    return national.build(seed=3, **TINY)


def test_schools_spread_over_provinces_as_regions(world):
    assert School.objects.count() == 10
    regions = District.objects.filter(code__in=[f"{p}0000" for p in PROVINCES])
    assert sorted(regions.values_list("name", flat=True)) == ["北京市", "广东省", "贵州省"]
    per = {d.code: School.objects.filter(district=d).count() for d in regions}
    assert set(per) == {"110000", "440000", "520000"} and all(per.values())
    assert per["440000"] == max(per.values())  # by population
    for s in School.objects.select_related("district"):
        assert s.code[:2] == s.district.code[:2]
        assert uscc.validate(s.credit_code) == s.credit_code


def test_students_streamed_in_chunks_and_valid(world):
    chunks = [t for t in world.tables if t.label == "students.Registration"]
    assert len(chunks) > 1  # flushed every `chunk` registrations
    assert sum(t.rows for t in chunks) == Registration.objects.count()
    in_school = Registration.objects.filter(status__in=IN_SCHOOL).count()
    assert 1500 < in_school < 4500, in_school
    ids = list(pii.values_list(Person.objects.all(), "id_number", flat=True))
    assert len(ids) == len(set(ids))
    for n in ids:
        assert idcard.validate(n) == n
    for n in pii.values_list(TrainingRecord.objects.all(), "trainee_id_number", flat=True):
        assert idcard.validate(n) == n
    for n in pii.values_list(Teacher.objects.all(), "id_number", flat=True):
        assert idcard.validate(n) == n
    for c in Enterprise.objects.values_list("credit_code", flat=True):
        assert uscc.validate(c) == c
    # students come mostly from their school's province, and their ID numbers say so
    rows = Registration.objects.values_list("school__code", "person__home_province")
    share = sum(code[:2] == prov for code, prov in rows) / len(rows)
    assert share > 0.8, share
    for n, prov in list(pii.values_list(Person.objects.all()[:500], "id_number", "home_province")):
        assert n[:2] == prov


def test_certificates_verify_through_the_public_selector(world):
    certs = GraduationCertificate.objects.select_related("registration__person", "school")
    assert certs.count() > 100
    for c in certs.order_by("id")[:20]:
        assert numbering.is_valid(c.number)
        assert c.number.startswith(f"{c.issued_on.year}{c.school.code}")
        found = certificate_verify(number=c.number, name=c.registration.person.name)
        assert (found is not None) == (c.status == "valid")
    c = certs.first()
    assert certificate_verify(number=c.number, name="王不对") is None


def test_dashboard_figures_for_city_and_province(world):
    city = User(username="bench-city", role=Role.MUNICIPAL, is_active=True)
    rows = targets_table(user=city, year=2024)
    assert rows and any(r.actual is not None for r in rows)
    gd = District.objects.get(code="440000")
    assert User.objects.filter(username="district-440000", district=gd).exists()
    province = User.objects.get(username="district-440000")
    seen = Registration.objects.restrict(province, "view")
    assert seen.exists()
    assert not seen.exclude(school__district=gd).exists()
    school_user = User.objects.filter(role=Role.SCHOOL).order_by("id").first()
    mine = Registration.objects.restrict(school_user, "view")
    assert set(mine.values_list("school_id", flat=True)) == {school_user.school_id}


def test_same_seed_same_world(world):
    first = generate.digest()
    generate.wipe()
    national.build(seed=3, **TINY)
    assert generate.digest() == first
    generate.wipe()
    national.build(seed=4, **TINY)
    assert generate.digest() != first


def test_unknown_province_refused(db):
    with pytest.raises(ValueError, match="99"):
        national.build(provinces=("99",), schools=2, students=10)
