"""Corrections of a 学籍 and of a student on the web (issue 19 point 3).

The pages call the correction acts (``registration.correct``, ``person.correct``) with
a required reason; the acts check the import's rules (one rule set) and their audit
rows — reason, before and after — are the history shown on the record page."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from jigong.core import pii
from jigong.core.imports import run_import
from jigong.core.models import AuditLog
from jigong.students import services
from tests import factories as f
from tests.imports.conftest import as_rows, student_fields
from tests.imports.helpers import xlsx

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def _form(reg, **change) -> dict:
    """The correction form as the page fills it (the current values), with ``change``."""
    data = {
        "name": reg.person.name,
        "major": reg.major_id,
        "level": reg.level,
        "entry_point": reg.entry_point,
        "duration_months": reg.duration_months,
        "track": reg.track,
        "source": reg.source,
        "enrolled_on": reg.enrolled_on.isoformat(),
        "home_province": reg.person.home_province,
        "reason": "",
    }
    data.update(change)
    return data


def _import_errors(world, **over) -> str:
    """The errors the 学籍 import gives a new row of school_a with ``over``."""
    row = student_fields(world.school_a.code)
    row.update(over)
    header, data = as_rows([row])
    r = run_import(
        "students", xlsx(data, header=header), filename="x.xlsx", user=world.user_a, mode="validate"
    )
    return " ".join(str(e) for e in r.errors)


# --- the acts ------------------------------------------------------------------------


def test_a_correction_needs_a_reason_and_records_it_with_before_and_after(world):
    reg = world.reg_a
    with pytest.raises(ValidationError) as info:
        services.registration_update(actor=world.user_a, registration=reg, source="veteran")
    assert "须填写原因" in info.value.message_dict["reason"][0]
    reg.refresh_from_db()
    assert reg.source == "junior_graduate"
    services.registration_update(
        actor=world.user_a, registration=reg, source="veteran", reason="录入时选错生源类别"
    )
    reg.refresh_from_db()
    assert reg.source == "veteran"
    row = AuditLog.objects.get(act="registration.correct")
    assert (row.before, row.after) == ({"source": "junior_graduate"}, {"source": "veteran"})
    assert "录入时选错生源类别" in row.message


def test_the_enrolment_date_is_corrected_under_the_import_rules(world):
    reg = world.reg_a
    future = TODAY + datetime.timedelta(days=3)
    with pytest.raises(ValidationError) as info:
        services.registration_update(
            actor=world.user_a, registration=reg, enrolled_on=future, reason="x"
        )
    message = info.value.message_dict["enrolled_on"][0]
    assert future.isoformat() in message
    assert message in _import_errors(world, 入学日期=future.isoformat())  # one rule set
    before_birth = reg.person.birth_date - datetime.timedelta(days=1)
    with pytest.raises(ValidationError, match="早于出生日期"):
        services.registration_update(
            actor=world.user_a, registration=reg, enrolled_on=before_birth, reason="x"
        )
    services.registration_update(
        actor=world.user_a,
        registration=reg,
        enrolled_on=datetime.date(2024, 9, 2),
        reason="报到日期录错",
    )
    reg.refresh_from_db()
    assert reg.enrolled_on == datetime.date(2024, 9, 2)
    assert reg.status_changed_on == datetime.date(2024, 9, 2)  # still the enrolment's


def test_the_enrolment_date_may_not_pass_a_later_status_change(world):
    reg = world.reg_a
    services.registration_change_status(
        actor=world.user_a,
        registration=reg,
        status="suspended",
        changed_on=datetime.date(2025, 3, 1),
        reason="病休",
    )
    with pytest.raises(ValidationError, match="2025-03-01"):
        services.registration_update(
            actor=world.user_a,
            registration=reg,
            enrolled_on=datetime.date(2025, 4, 1),
            reason="x",
        )


def test_a_major_the_school_does_not_run_is_refused_as_the_import_refuses_it(world):
    other = f.major("0202", name="数控加工（数控车工）")
    with pytest.raises(ValidationError) as info:
        services.registration_update(
            actor=world.user_a, registration=world.reg_a, major=other, reason="专业录错"
        )
    message = info.value.message_dict["major"][0]
    assert "数控加工" in message
    assert message in _import_errors(world, 专业代码="0202")
    f.school_major(world.school_a, other)
    services.registration_update(
        actor=world.user_a, registration=world.reg_a, major=other, reason="专业录错"
    )
    world.reg_a.refresh_from_db()
    assert world.reg_a.major == other


# --- the pages -----------------------------------------------------------------------


def test_the_record_page_offers_the_correction_and_shows_its_history(client, world):
    reg = world.reg_a
    client.force_login(world.user_a)
    url = f"/registrations/{reg.pk}/correct/"
    assert url in client.get(f"/registrations/{reg.pk}/").content.decode()
    r = client.post(url, _form(reg, source="previous_graduate", reason="生源类别录错"))
    assert r.status_code == 302 and r["Location"] == f"/registrations/{reg.pk}/"
    reg.refresh_from_db()
    assert reg.source == "previous_graduate"
    page = client.get(f"/registrations/{reg.pk}/").content.decode()
    assert "更正记录" in page and "生源类别录错" in page
    assert "生源类别：应届初中毕业生 → 往届毕业生" in page  # labels, not codes


def test_the_page_refuses_a_correction_without_reason_or_change(client, world):
    reg = world.reg_a
    client.force_login(world.user_a)
    url = f"/registrations/{reg.pk}/correct/"
    r = client.post(url, _form(reg, source="veteran"))
    assert r.status_code == 200 and "须填写原因" in r.content.decode()
    r = client.post(url, _form(reg, reason="没改什么"))
    assert r.status_code == 200 and "没有需要更正的内容" in r.content.decode()
    future = (TODAY + datetime.timedelta(days=3)).isoformat()
    r = client.post(url, _form(reg, enrolled_on=future, reason="x"))
    assert r.status_code == 200 and "不得晚于今天" in r.content.decode()
    reg.refresh_from_db()
    assert reg.source == "junior_graduate" and reg.enrolled_on == datetime.date(2024, 9, 1)
    assert not AuditLog.objects.filter(act="registration.correct").exists()


def test_the_name_is_corrected_on_the_record_and_on_the_student_page(client, world):
    reg = world.reg_a
    client.force_login(world.user_a)
    r = client.post(
        f"/registrations/{reg.pk}/correct/", _form(reg, name="李鸣", reason="身份证上为“鸣”")
    )
    assert r.status_code == 302
    reg.person.refresh_from_db()
    assert reg.person.name == "李鸣"
    page = client.get(f"/registrations/{reg.pk}/").content.decode()
    assert "姓名：李明 → 李鸣" in page and "身份证上为“鸣”" in page
    # the student page: the same act, its own form
    url = f"/students/{reg.person.pk}/correct/"
    assert url in client.get(f"/students/{reg.person.pk}/").content.decode()
    r = client.post(url, {"name": "李明", "home_province": "50", "reason": "改回"})
    assert r.status_code == 302
    page = client.get(f"/students/{reg.person.pk}/").content.decode()
    assert "姓名：李鸣 → 李明" in page and "改回" in page


def test_an_id_number_in_a_reason_is_masked_in_the_history(client, world):
    reg = world.reg_a
    number = reg.person.id_number
    client.force_login(world.user_a)
    client.post(
        f"/registrations/{reg.pk}/correct/",
        _form(reg, duration_months=48, reason=f"按{number}的学籍档案更正"),
    )
    page = client.get(f"/registrations/{reg.pk}/").content.decode()
    history = page[page.index("更正记录") :]
    assert "学制（月）：36 → 48" in history
    assert number not in history and pii.MASKS["id"](number) in history  # stored masked


def test_another_school_reaches_neither_form(client, world):
    client.force_login(world.user_b)
    assert client.get(f"/registrations/{world.reg_a.pk}/correct/").status_code == 404
    assert client.get(f"/students/{world.reg_a.person.pk}/correct/").status_code == 404


def test_a_certified_name_corrected_by_the_city_is_seen_by_the_issuing_school(client, world):
    cert = f.graduated_certificate(
        world.school_b, world.user_b, name="孙错字", birth=datetime.date(2006, 1, 2), area="500101"
    )
    reg = cert.registration
    client.force_login(world.municipal)
    r = client.post(
        f"/students/{reg.person.pk}/correct/",
        {"name": "孙正字", "home_province": reg.person.home_province, "reason": "户籍更名"},
    )
    assert r.status_code == 302
    row = AuditLog.objects.get(act="person.correct")
    assert row.school_id == world.school_b.pk  # filed under the issuing school
    client.force_login(world.user_b)
    page = client.get(f"/registrations/{reg.pk}/").content.decode()
    assert "姓名：孙错字 → 孙正字" in page and "户籍更名" in page


def test_a_correction_by_import_gives_its_file_and_row_as_the_reason(world):
    reg = world.reg_a
    row = student_fields(world.school_a.code, id_number=reg.person.id_number, name="李明")
    row.update({"入学日期": reg.enrolled_on.isoformat(), "学制（月）": 48})
    header, data = as_rows([row])
    r = run_import(
        "students", xlsx(data, header=header), filename="学籍更正.xlsx", user=world.user_a
    )
    assert r.ok and r.updated == 1, r.summary()
    audit = AuditLog.objects.get(act="registration.correct")
    assert "学籍更正.xlsx" in audit.message and "第2行" in audit.message
