"""Registering students: the policy's rules refuse bad input with Chinese messages, and
nothing is written when a check fails."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jigong.core.errors import messages_of
from jigong.core.models import AuditLog
from jigong.students import services
from jigong.students.models import Person, Registration, StatusChange
from tests import factories as f


def _counts():
    return (Person.objects.count(), Registration.objects.count(), AuditLog.objects.count())


def _register(world, school, **kw):
    fields = {
        "entry_point": "junior",
        "duration_months": 36,
        "track": "full_time",
        "source": "junior_graduate",
        "enrolled_on": datetime.date(2024, 9, 1),
        "name": "陈思远",
        "id_number": f.id_number(),
    }
    fields.update(kw)
    level = fields.pop("level", "intermediate")
    return services.registration_create(
        actor=kw.pop("actor", world.user_a),
        school=school,
        major=f.major(),
        level=level,
        **{k: v for k, v in fields.items() if k != "actor"},
    )


def test_registration_writes_person_and_audit_row(world):
    before = AuditLog.objects.count()
    reg = _register(world, world.school_a, id_number="11010519491231002X", name="王 老")
    assert reg.person.sex == "F"
    assert reg.person.birth_date == datetime.date(1949, 12, 31)
    row = AuditLog.objects.filter(object_type="students.registration").latest("id")
    assert row.actor == world.user_a
    assert row.school_id == world.school_a.pk
    assert row.after["level"] == "intermediate"
    assert AuditLog.objects.count() == before + 2  # the person and the registration


def test_bad_id_number_is_refused_with_field_value_and_rule(world):
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        _register(world, world.school_a, id_number="110105194912310021")
    msg = " ".join(messages_of(exc.value))
    assert (
        "身份证号" in msg and "110105194912310021" in msg and "校验位" in msg and "GB 11643" in msg
    )
    assert _counts() == before


def test_level_not_allowed_for_tier_is_refused_citing_clause(world):
    # A 技工学校 may not run 预备技师（技师）班 (（六）).
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        _register(world, world.school_b, level="technician", actor=world.user_b)
    msg = " ".join(exc.value.message_dict["level"])
    assert "预备技师" in msg and "技工学校" in msg and "（六）" in msg
    assert _counts() == before


def test_explored_level_allowed_after_policy_date_only(world):
    # 技工学校 may explore 高级工班 from the policy date 2022-07-22.
    f.school_major(world.school_b, level="advanced", year=2023)
    reg = _register(world, world.school_b, level="advanced", actor=world.user_b)
    assert reg.level == "advanced"
    with pytest.raises(ValidationError) as exc:
        _register(
            world,
            world.school_b,
            level="advanced",
            actor=world.user_b,
            enrolled_on=datetime.date(2021, 9, 1),
        )
    assert "（六）" in " ".join(exc.value.message_dict["level"])


def test_part_time_enterprise_employee_needs_a_year(world):
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        _register(
            world,
            world.school_a,
            track="part_time",
            source="enterprise_employee",
            duration_months=11,
            id_number=f.id_number(birth=datetime.date(1990, 3, 3)),
        )
    msg = " ".join(exc.value.message_dict["duration_months"])
    assert "11" in msg and "12" in msg and "（十）" in msg
    assert _counts() == before
    reg = _register(
        world,
        world.school_a,
        track="part_time",
        source="enterprise_employee",
        duration_months=12,
        id_number=f.id_number(birth=datetime.date(1990, 3, 3)),
    )
    assert reg.track == "part_time"


def test_enrolment_before_birth_is_a_date_out_of_order(world):
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        _register(
            world,
            world.school_a,
            id_number=f.id_number(birth=datetime.date(2010, 1, 1)),
            enrolled_on=datetime.date(2009, 9, 1),
        )
    assert "日期顺序" in " ".join(exc.value.message_dict["enrolled_on"])
    assert _counts() == before


def test_school_user_cannot_register_into_another_school(world):
    before = _counts()
    with pytest.raises(PermissionDenied):
        _register(world, world.school_b, actor=world.user_a)
    assert _counts() == before


def test_district_user_registers_only_within_district(world):
    # A birth date of its own: the world's students share the factory's default one.
    number = f.id_number(birth=datetime.date(2007, 6, 2))
    assert _register(
        world, world.school_a2, actor=world.district_a, level="intermediate", id_number=number
    )
    with pytest.raises(PermissionDenied):
        _register(world, world.school_b, actor=world.district_a)


def test_status_change_dates_in_order_and_audited(world):
    reg = world.reg_a
    with pytest.raises(ValidationError) as exc:
        services.registration_change_status(
            actor=world.user_a,
            registration=reg,
            status="suspended",
            changed_on=datetime.date(2024, 1, 1),
        )
    assert "早于" in " ".join(exc.value.message_dict["changed_on"])
    assert not StatusChange.objects.filter(registration=reg).exists()
    services.registration_change_status(
        actor=world.user_a,
        registration=reg,
        status="suspended",
        changed_on=datetime.date(2025, 3, 1),
        reason="病休",
    )
    reg.refresh_from_db()
    assert reg.status == "suspended"
    row = AuditLog.objects.filter(object_type="students.registration", action="update").latest("id")
    assert row.before == {"status": "enrolled", "status_changed_on": "2024-09-01"}
    assert row.after == {"status": "suspended", "status_changed_on": "2025-03-01"}
    with pytest.raises(ValidationError) as exc:
        services.registration_change_status(
            actor=world.user_a,
            registration=reg,
            status="suspended",
            changed_on=datetime.date(2025, 4, 1),
        )
    assert "休学" in " ".join(exc.value.message_dict["status"])


def test_school_user_cannot_change_another_schools_registration(world):
    with pytest.raises(PermissionDenied):
        services.registration_change_status(
            actor=world.user_a,
            registration=world.reg_b,
            status="withdrawn",
            changed_on=datetime.date(2025, 3, 1),
        )
    world.reg_b.refresh_from_db()
    assert world.reg_b.status == "enrolled"
