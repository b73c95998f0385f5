import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jigong.certificates import numbering, services
from jigong.certificates.models import GraduationCertificate
from jigong.core.models import AuditLog
from jigong.students.models import StatusChange

D = datetime.date
GC = "certificates.graduationcertificate"


def state():
    return (
        GraduationCertificate.objects.count(),
        StatusChange.objects.count(),
        AuditLog.objects.count(),
        sorted(GraduationCertificate.objects.values_list("number", "status")),
    )


def refused(match, **kw):
    before = state()
    with pytest.raises(ValidationError) as info:
        services.graduate(**kw)
    text = " ".join(m for msgs in info.value.message_dict.values() for m in msgs)
    assert match in text, text
    assert state() == before
    return info.value


def test_graduate_issues_certificate_in_one_audited_transaction(world, finishing):
    reg = finishing()
    before = AuditLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    cert = services.graduate(actor=world.user_a, registration=reg, issued_on=D(2025, 6, 30))
    reg.refresh_from_db()
    assert reg.status == "graduated" and reg.left_on == D(2025, 6, 30)
    assert StatusChange.objects.filter(registration=reg, status="graduated").count() == 1
    parts = numbering.parse(cert.number)
    assert (parts.year, parts.school_code, parts.level, parts.serial) == (
        2025,
        world.school_a.code,
        "intermediate",
        1,
    )
    assert cert.level == reg.level and cert.school == world.school_a
    assert cert.status == "valid" and cert.outcome == "graduated"
    types = set(AuditLog.objects.filter(pk__gt=before).values_list("object_type", flat=True))
    assert {"certificates.graduationcertificate", "students.statuschange"} <= types
    second = services.graduate(
        actor=world.user_a, registration=finishing(name="李四"), issued_on=D(2025, 6, 30)
    )
    assert numbering.parse(second.number).serial == 2


def test_study_period_not_complete(world, finishing):
    reg = finishing(enrolled_on=D(2023, 9, 1))
    err = refused("学制未满", actor=world.user_a, registration=reg, issued_on=D(2025, 6, 30))
    assert "issued_on" in err.message_dict
    assert "发证日期“2025-06-30”" in err.message_dict["issued_on"][0]
    assert "2026-06-01" in err.message_dict["issued_on"][0]


def test_graduation_allowed_in_month_period_ends(world, finishing):
    reg = finishing(enrolled_on=D(2023, 3, 1), duration_months=24)  # ends 2025-03-01
    refused("学制未满", actor=world.user_a, registration=reg, issued_on=D(2025, 2, 28))
    cert = services.graduate(actor=world.user_a, registration=reg, issued_on=D(2025, 3, 1))
    assert cert.pk


def test_status_must_allow_it(world, finishing):
    from jigong.students.services import registration_change_status

    reg = finishing()
    registration_change_status(
        actor=world.user_a, registration=reg, status="suspended", changed_on=D(2025, 3, 1)
    )
    refused("学籍状态“休学”", actor=world.user_a, registration=reg, issued_on=D(2025, 6, 30))


def test_not_twice(world, finishing):
    reg = finishing()
    services.graduate(actor=world.user_a, registration=reg, issued_on=D(2025, 6, 30))
    refused("不能重复发证", actor=world.user_a, registration=reg, issued_on=D(2025, 7, 1))


def test_future_date_and_bad_outcome(world, finishing):
    reg = finishing()
    refused(
        "不得晚于今天",
        actor=world.user_a,
        registration=reg,
        issued_on=datetime.date.today() + datetime.timedelta(days=1),
    )
    refused(
        "类别“passed”",
        actor=world.user_a,
        registration=reg,
        issued_on=D(2025, 6, 30),
        outcome="passed",
    )


def test_school_user_cannot_graduate_another_schools_registration(world, finishing):
    reg = finishing(school=world.school_b)
    before = state()
    with pytest.raises(PermissionDenied):
        services.graduate(actor=world.user_a, registration=reg, issued_on=D(2025, 6, 30))
    with pytest.raises(PermissionDenied):
        services.graduate(actor=world.district_a, registration=reg, issued_on=D(2025, 6, 30))
    assert state() == before
    assert services.graduate(actor=world.user_b, registration=reg, issued_on=D(2025, 6, 30))


def test_completion_then_exchange_after_resit(world, finishing):
    reg = finishing()
    done = services.graduate(
        actor=world.user_a, registration=reg, issued_on=D(2025, 6, 30), outcome="completed"
    )
    assert done.outcome == "completed" and reg.status == "completed"
    before = AuditLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    new = services.exchange_completion(
        actor=world.user_a, certificate=done, issued_on=D(2025, 9, 1)
    )
    done.refresh_from_db()
    reg.refresh_from_db()
    assert done.status == "replaced" and done.revoked_on == D(2025, 9, 1)
    assert new.number in done.revoked_reason
    assert new.outcome == "graduated" and new.status == "valid" and new.number != done.number
    assert reg.status == "graduated"
    log = AuditLog.objects.filter(pk__gt=before, object_id=str(done.pk), object_type=GC).get()
    assert log.after["status"] == "replaced" and new.number in log.message
    # exchanged once only
    with pytest.raises(ValidationError, match="只有有效的证书"):
        services.exchange_completion(actor=world.user_a, certificate=done, issued_on=D(2025, 9, 2))


def test_graduate_on_completed_registration_exchanges(world, finishing):
    reg = finishing()
    done = services.graduate(
        actor=world.user_a, registration=reg, issued_on=D(2025, 6, 30), outcome="completed"
    )
    new = services.graduate(actor=world.user_a, registration=reg, issued_on=D(2025, 9, 1))
    done.refresh_from_db()
    assert done.status == "replaced" and new.outcome == "graduated"


def test_exchange_requires_completion_certificate(world, finishing):
    cert = services.graduate(actor=world.user_a, registration=finishing(), issued_on=D(2025, 6, 30))
    with pytest.raises(ValidationError, match="只有结业证书可以换发"):
        services.exchange_completion(actor=world.user_a, certificate=cert, issued_on=D(2025, 9, 1))


def test_revoke_audited_with_reason(world, finishing):
    cert = services.graduate(actor=world.user_a, registration=finishing(), issued_on=D(2025, 6, 30))
    before = state()
    with pytest.raises(ValidationError, match="“撤销毕业证书”须填写原因"):
        services.revoke(actor=world.user_a, certificate=cert, reason=" ", on=D(2025, 10, 1))
    with pytest.raises(PermissionDenied):
        services.revoke(actor=world.user_b, certificate=cert, reason="x", on=D(2025, 10, 1))
    assert state() == before
    services.revoke(actor=world.user_a, certificate=cert, reason="学籍信息造假", on=D(2025, 10, 1))
    assert cert.status == "revoked" and cert.revoked_reason == "学籍信息造假"
    log = AuditLog.objects.filter(object_id=str(cert.pk), object_type=GC, action="update").get()
    assert "学籍信息造假" in log.message and log.after["status"] == "revoked"
    assert log.actor == world.user_a


def test_reissue_gives_new_number(world, finishing):
    cert = services.graduate(actor=world.user_a, registration=finishing(), issued_on=D(2025, 6, 30))
    new = services.reissue(
        actor=world.user_a, certificate=cert, reason="证书遗失", on=D(2025, 11, 3)
    )
    assert cert.status == "replaced" and cert.revoked_reason == "证书遗失"
    assert new.number != cert.number and new.status == "valid" and new.issued_on == D(2025, 11, 3)
    assert new.registration_id == cert.registration_id and new.level == cert.level
    log = AuditLog.objects.filter(object_id=str(cert.pk), object_type=GC, action="update").get()
    assert "证书遗失" in log.message and new.number in log.message
    with pytest.raises(ValidationError, match="已补发换证"):
        services.reissue(actor=world.user_a, certificate=cert, reason="再次遗失", on=D(2025, 11, 4))
