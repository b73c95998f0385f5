"""Two holes of the correction acts (issue 14, slice U).

1. A correction (``registration.correct``, ``person.correct``) that moves a student into
   another year's or province's cross-province intake (（九）) is held to the approved
   quota exactly as the enrolment is (``rules.check_cross_province_quota``).
2. Once a 学籍 has a valid graduation certificate, its 专业, 班级层次 and 入学日期 (printed
   on the certificate) are not corrected: refused naming the certificate and the act.

Both on every door that corrects: the acts, the correction page and the 学籍 import.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError

from jigong.certificates import services as certificates
from jigong.core.errors import messages_of
from jigong.core.models import AuditLog
from jigong.students import services
from tests import factories as f
from tests.imports.conftest import student_fields
from tests.imports.test_students import imp
from tests.students.test_corrections import _form as form
from tests.students.test_cross_province_quota import YUNNAN, _approve_quota, _enrol

pytestmark = pytest.mark.django_db


def _text(exc) -> str:
    return " ".join(messages_of(exc))


# --- cross-province quota --------------------------------------------------------------


def _full_2024(world):
    """school_a's 2024 Yunnan quota (1) taken by another student."""
    _approve_quota(world.school_a, year=2024, quota=1)
    _enrol(world, enrolled_on=datetime.date(2024, 9, 2), name="李满")


def test_a_province_correction_into_a_full_quota_is_refused(world):
    _full_2024(world)
    person = world.reg_a.person  # 重庆, enrolled at school_a on 2024-09-01
    with pytest.raises(ValidationError) as info:
        services.person_correct(
            actor=world.user_a, person=person, home_province=YUNNAN, reason="省份录错"
        )
    assert "跨省招生计划已满：2024年云南省核定1人，已招1人" in _text(info.value)
    with pytest.raises(ValidationError) as info:
        services.registration_update(
            actor=world.user_a, registration=world.reg_a, home_province=YUNNAN, reason="省份录错"
        )
    assert "已招1人" in _text(info.value)
    person.refresh_from_db()
    assert person.home_province == "50"


def test_a_date_correction_into_a_full_years_quota_is_refused(world):
    _approve_quota(world.school_a, year=2025, quota=1)
    _approve_quota(world.school_a, year=2024, quota=1)
    _enrol(world)  # 2025 full
    reg = _enrol(world, enrolled_on=datetime.date(2024, 9, 3), name="李早")
    with pytest.raises(ValidationError) as info:
        services.registration_update(
            actor=world.user_a,
            registration=reg,
            enrolled_on=datetime.date(2025, 9, 1),
            reason="入学年份录错",
        )
    assert "跨省招生计划已满：2025年云南省核定1人，已招1人" in _text(info.value)
    reg.refresh_from_db()
    assert reg.enrolled_on == datetime.date(2024, 9, 3)
    # within the same year's intake the student already holds a place: no refusal
    services.registration_update(
        actor=world.user_a,
        registration=reg,
        enrolled_on=datetime.date(2024, 9, 4),
        reason="报到日期录错",
    )
    reg.refresh_from_db()
    assert reg.enrolled_on == datetime.date(2024, 9, 4)


def test_the_correction_page_refuses_a_province_into_a_full_quota(client, world):
    _full_2024(world)
    reg = world.reg_a
    client.force_login(world.user_a)
    r = client.post(
        f"/registrations/{reg.pk}/correct/", form(reg, home_province=YUNNAN, reason="省份录错")
    )
    assert r.status_code == 200 and "跨省招生计划已满" in r.content.decode()
    r = client.post(
        f"/students/{reg.person.pk}/correct/",
        {"name": reg.person.name, "home_province": YUNNAN, "reason": "省份录错"},
    )
    assert r.status_code == 200 and "跨省招生计划已满" in r.content.decode()
    reg.person.refresh_from_db()
    assert reg.person.home_province == "50"


def test_the_import_refuses_a_province_correction_into_a_full_quota(world):
    _full_2024(world)
    reg = world.reg_a
    row = student_fields(world.school_a.code, id_number=reg.person.id_number, name="李明")
    row.update({"入学日期": reg.enrolled_on.isoformat(), "生源省份": "云南省"})
    r = imp([row], world.user_a)
    assert not r.committed
    assert "跨省招生计划已满：2024年云南省核定1人，已招1人" in " ".join(e.message for e in r.errors)
    reg.person.refresh_from_db()
    assert reg.person.home_province == "50"


# --- corrections after a certificate -----------------------------------------------------


@pytest.fixture
def certified(world):
    cert = f.graduated_certificate(
        world.school_a, world.user_a, name="周证", birth=datetime.date(2006, 4, 5)
    )
    reg = cert.registration
    other = f.major("0202", name="数控加工（数控车工）")
    f.school_major(world.school_a, other)  # open: without a certificate it would pass
    f.school_major(world.school_a, reg.major, "advanced")
    return cert, reg, other


def test_a_certified_registration_keeps_major_level_and_date(world, certified):
    cert, reg, other = certified
    for change in (
        {"major": other},
        {"level": "advanced"},
        {"enrolled_on": datetime.date(2022, 9, 5)},
    ):
        with pytest.raises(ValidationError) as info:
            services.registration_update(
                actor=world.user_a, registration=reg, reason="录错", **change
            )
        text = _text(info.value)
        assert cert.number in text and "撤销毕业证书" in text, change
    reg.refresh_from_db()
    assert (reg.major_id, reg.level, reg.enrolled_on) == (
        cert.registration.major_id,
        "intermediate",
        datetime.date(2022, 9, 1),
    )
    assert not AuditLog.objects.filter(act="registration.correct").exists()
    # other details are still corrected; after the certificate is revoked, these too
    services.registration_update(
        actor=world.user_a, registration=reg, source="veteran", reason="生源类别录错"
    )
    certificates.revoke(
        actor=world.user_a, certificate=cert, reason="专业录错", on=datetime.date(2025, 7, 1)
    )
    services.registration_update(actor=world.user_a, registration=reg, major=other, reason="录错")
    reg.refresh_from_db()
    assert reg.major == other


def test_the_correction_page_refuses_a_certified_level(client, world, certified):
    cert, reg, _other = certified
    client.force_login(world.user_a)
    r = client.post(f"/registrations/{reg.pk}/correct/", form(reg, level="advanced", reason="x"))
    page = r.content.decode()
    assert r.status_code == 200 and cert.number in page and "撤销毕业证书" in page
    reg.refresh_from_db()
    assert reg.level == "intermediate"


def test_the_import_refuses_a_certified_level(world, certified):
    cert, reg, _other = certified
    row = student_fields(world.school_a.code, id_number=reg.person.id_number, name="周证")
    row.update({"入学日期": "2022-09-01", "班级层次": "高级工班"})
    r = imp([row], world.user_a)
    assert not r.committed
    text = " ".join(e.message for e in r.errors)
    assert cert.number in text and "撤销毕业证书" in text
    reg.refresh_from_db()
    assert reg.level == "intermediate"
