"""A hand-made world for the quality evaluation (expected scores worked out by hand in
test_scores.py)."""

import datetime

import pytest

from jigong.certificates.services import graduate, skill_certificate_create
from jigong.cooperation.services import agreement_create, enterprise_create
from jigong.employment.services import outcome_record
from jigong.indicators import cache
from jigong.staff.services import teacher_create
from tests import factories as f


@pytest.fixture(autouse=True)
def _fresh_indicator_cache():
    cache.clear()
    yield
    cache.clear()


def _graduate(world, name, *, in_field, sex="M"):
    reg = f.registration(
        world.school_a,
        name=name,
        id_number=f.id_number(sex=sex),
        enrolled_on=datetime.date(2021, 9, 1),
    )
    graduate(actor=world.user_a, registration=reg, issued_on=datetime.date(2024, 6, 30))
    reg.refresh_from_db()
    outcome_record(
        actor=world.user_a,
        registration=reg,
        status="employed",
        recorded_on=datetime.date(2024, 8, 31),
        employer_name="重庆某机械有限公司",
        in_field=in_field,
    )
    return reg


@pytest.fixture
def qworld(world):
    """school_a (技师学院) in 2024: 2 graduates, both employed, one in field, one with a
    技师 certificate issued in 2024; 2 students in school at the end of 2024 (reg_a and
    one in an 订单班); 1 agreement; 1 part-time and 9 full-time teachers.
    school_a2 and school_b: one student each, nothing else."""
    w = world
    w.g1 = _graduate(w, "周一", in_field=True)
    w.g2 = _graduate(w, "吴二", in_field=False, sex="F")
    skill_certificate_create(
        actor=w.municipal,
        person=w.g1.person,
        number="S" + "1" * 21,
        occupation_code="6-18-01-01",
        occupation_name="车工",
        level=2,
        issued_on=datetime.date(2024, 7, 1),
    )
    ent = enterprise_create(
        actor=w.municipal, credit_code=f.credit_code(), name="重庆某汽车有限公司"
    )
    w.agreement = agreement_create(
        actor=w.user_a,
        school=w.school_a,
        enterprise=ent,
        kind="order_class",
        title="汽车订单班",
        started_on=datetime.date(2023, 9, 1),
    )
    w.reg_order = f.registration(
        w.school_a,
        name="郑三",
        id_number=f.id_number(),
        cooperation=w.agreement,
    )
    for i in range(10):
        teacher_create(
            actor=w.user_a,
            school=w.school_a,
            name=f"教师{i}",
            id_number=f.id_number(birth=datetime.date(1980, 1, 1 + i)),
            kind="part_time" if i == 0 else "full_time",
            enterprise=ent if i == 0 else None,
            hired_on=datetime.date(2020, 1, 1),
        )
    return w
