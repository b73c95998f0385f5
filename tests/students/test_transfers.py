"""转学 is two-sided (issue 14) and a 学籍异动 cannot go wrong silently (issue 19, point 2):
the acts of 转出, 接收/拒绝/撤回 and 撤销学籍异动, with who may, scope, rules, the revert
windows and what the indicators count."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jigong.core.models import AuditLog
from jigong.indicators import selectors as indicators
from jigong.policy import parameters
from jigong.students import services
from jigong.students.models import Registration, StatusChange

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)


def _out(world, to_school, *, actor=None, reg=None, reason="家庭迁居"):
    return services.registration_transfer_out(
        actor=actor or world.user_a,
        registration=reg or world.reg_a,
        to_school=to_school,
        transfer_on=TODAY,
        reason=reason,
    )


def _messages(exc) -> str:
    return " ".join(exc.value.messages)


def test_transfer_out_needs_a_counterpart_school_and_a_reason(world):
    with pytest.raises(ValidationError) as exc:
        _out(world, None)
    assert "转入学校" in _messages(exc)
    with pytest.raises(ValidationError) as exc:
        _out(world, world.school_a2, reason="  ")
    assert "须填写原因" in _messages(exc)
    with pytest.raises(ValidationError) as exc:
        _out(world, world.school_a)
    assert "不能转入本校" in _messages(exc)
    assert not Registration.objects.filter(transfers_out__isnull=False).exists()
    world.reg_a.refresh_from_db()
    assert world.reg_a.status == "enrolled"


def test_the_plain_status_change_refuses_transfers_and_graduation(world):
    """学籍异动 records 休学, 复学, 退学; 转出/转入 and 毕业 go through their own acts."""
    for status, act_label in (
        ("transferred_out", "转学（转出）"),
        ("transferred_in", "接收转学（转入）"),
        ("graduated", "毕业（结业）发证"),
    ):
        with pytest.raises(ValidationError) as exc:
            services.registration_change_status(
                actor=world.user_a,
                registration=world.reg_a,
                status=status,
                changed_on=TODAY,
                reason="x",
                counterpart_school=world.school_a2,
            )
        assert act_label in _messages(exc), status
    assert not StatusChange.objects.exists()


def test_transfer_out_waits_for_the_receiving_school(world):
    transfer = _out(world, world.school_a2)
    world.reg_a.refresh_from_db()
    assert world.reg_a.status == "enrolled"  # nothing moves before acceptance
    assert transfer.state == "pending"
    assert AuditLog.objects.filter(act="registration.transfer_out").count() == 1
    with pytest.raises(ValidationError) as exc:
        _out(world, world.school_b)
    assert "待接收" in _messages(exc)


def test_the_receiving_school_accepts_within_its_district(world, django_user_model):
    from tests import factories as f

    transfer = _out(world, world.school_a2)
    # the sending school and another school may not decide
    with pytest.raises(PermissionDenied):
        services.transfer_accept(actor=world.user_a, transfer=transfer)
    with pytest.raises(PermissionDenied):
        services.transfer_accept(actor=world.user_b, transfer=transfer)
    user_a2 = f.user("school", school=world.school_a2, username="school_a2")
    new = services.transfer_accept(actor=user_a2, transfer=transfer)
    world.reg_a.refresh_from_db()
    assert world.reg_a.status == "transferred_out" and world.reg_a.left_on == TODAY
    out = world.reg_a.status_changes.get()
    assert (out.status, out.counterpart_school, out.reason) == (
        "transferred_out",
        world.school_a2,
        "家庭迁居",
    )
    # the 转入 registration carries the enrolment over
    assert new.school == world.school_a2 and new.status == "transferred_in"
    assert new.person_id == world.reg_a.person_id
    for field in ("major_id", "level", "enrolled_on", "duration_months", "track", "source"):
        assert getattr(new, field) == getattr(world.reg_a, field), field
    came = new.status_changes.get()
    assert (came.status, came.counterpart_school) == ("transferred_in", world.school_a)
    transfer.refresh_from_db()
    assert transfer.state == "accepted" and transfer.new_registration == new
    assert AuditLog.objects.filter(act="transfer.accept").exists()
    with pytest.raises(ValidationError) as exc:
        services.transfer_accept(actor=user_a2, transfer=transfer)
    assert "已办结" in _messages(exc)


def test_across_districts_the_bureau_accepts(world):
    transfer = _out(world, world.school_b)
    with pytest.raises(PermissionDenied) as exc:
        services.transfer_accept(actor=world.user_b, transfer=transfer)
    assert "区县人社局" in str(exc.value)
    with pytest.raises(PermissionDenied):  # the sending district is not the receiving one
        services.transfer_accept(actor=world.district_a, transfer=transfer)
    new = services.transfer_accept(actor=world.district_b, transfer=transfer)
    assert new.school == world.school_b


def test_refusal_and_withdrawal_leave_the_student_where_they_were(world):
    transfer = _out(world, world.school_b)
    with pytest.raises(ValidationError):
        services.transfer_refuse(actor=world.district_b, transfer=transfer, reason="")
    services.transfer_refuse(actor=world.district_b, transfer=transfer, reason="专业不对口")
    transfer.refresh_from_db()
    assert transfer.state == "refused" and transfer.decision_note == "专业不对口"
    world.reg_a.refresh_from_db()
    assert world.reg_a.status == "enrolled"
    again = _out(world, world.school_a2)
    with pytest.raises(PermissionDenied):
        services.transfer_cancel(actor=world.user_b, transfer=again, reason="误报")
    services.transfer_cancel(actor=world.user_a, transfer=again, reason="误报")
    again.refresh_from_db()
    assert again.state == "cancelled"
    assert Registration.objects.filter(person=world.reg_a.person).count() == 1


def test_a_receiving_school_that_does_not_run_the_major_is_refused(world):
    from tests import factories as f

    other = f.school(district_code="500103", tier="senior_school", name="重庆丁高级技工学校")
    with pytest.raises(ValidationError) as exc:
        _out(world, other)
    assert "重庆丁高级技工学校" in _messages(exc) and "未开设" in _messages(exc)


def test_a_transferred_student_is_no_new_enrolment(world):
    """The indicators that count new enrolments (招生) do not count the 转入 registration;
    在校生 counts the student once."""
    from django.core.cache import cache

    year = world.reg_a.enrolled_on.year

    def figures():
        cache.clear()
        return (
            indicators.compute("new_enrolment", user=world.municipal, year=year)[0].value,
            indicators.compute("students_in_school", user=world.municipal, year=TODAY.year)[
                0
            ].value,
        )

    before = figures()
    transfer = _out(world, world.school_b)
    services.transfer_accept(actor=world.municipal, transfer=transfer)
    assert Registration.objects.filter(person=world.reg_a.person).count() == 2
    assert figures() == before


def test_the_school_reverts_a_mistake_within_the_platform_period(world):
    services.registration_change_status(
        actor=world.user_a,
        registration=world.reg_a,
        status="withdrawn",
        changed_on=TODAY,
        reason="误操作",
    )
    with pytest.raises(ValidationError):
        services.registration_revert_change(actor=world.user_a, registration=world.reg_a, reason="")
    with pytest.raises(PermissionDenied):
        services.registration_revert_change(
            actor=world.user_b, registration=world.reg_a, reason="登记错误"
        )
    change = services.registration_revert_change(
        actor=world.user_a, registration=world.reg_a, reason="登记错误"
    )
    world.reg_a.refresh_from_db()
    assert world.reg_a.status == "enrolled" and world.reg_a.left_on is None
    assert change.reverted_on == TODAY and change.revert_reason == "登记错误"
    row = AuditLog.objects.filter(act="registration.revert_change").latest("id")
    assert "登记错误" in str(row.after) or "登记错误" in row.message
    # a status change is possible again
    services.registration_change_status(
        actor=world.user_a,
        registration=world.reg_a,
        status="suspended",
        changed_on=TODAY,
        reason="病休",
    )


def test_after_the_period_only_the_district_reverts(world):
    change = services.registration_change_status(
        actor=world.user_a,
        registration=world.reg_a,
        status="withdrawn",
        changed_on=TODAY,
        reason="误操作",
    )
    days = parameters.get(services.REVERT_DAYS, TODAY)
    StatusChange.objects.filter(pk=change.pk).update(recorded_on=TODAY - (days + 1) * DAY)
    with pytest.raises(ValidationError) as exc:
        services.registration_revert_change(
            actor=world.user_a, registration=world.reg_a, reason="登记错误"
        )
    assert f"{days}天" in _messages(exc) and "平台设定" in _messages(exc)
    with pytest.raises(PermissionDenied):  # not the school's district
        services.registration_revert_change_by_bureau(
            actor=world.district_b, registration=world.reg_a, reason="核实为误报"
        )
    with pytest.raises(ValidationError):
        services.registration_revert_change_by_bureau(
            actor=world.district_a, registration=world.reg_a, reason=""
        )
    services.registration_revert_change_by_bureau(
        actor=world.district_a, registration=world.reg_a, reason="核实为误报"
    )
    world.reg_a.refresh_from_db()
    assert world.reg_a.status == "enrolled"
    assert AuditLog.objects.filter(act="registration.revert_change_by_bureau").exists()


def test_an_accepted_transfer_is_reverted_on_both_sides_by_the_bureau(world):
    transfer = _out(world, world.school_a2)
    new = services.transfer_accept(actor=world.district_a, transfer=transfer)
    with pytest.raises(ValidationError) as exc:  # two schools: not the school's own
        services.registration_revert_change(
            actor=world.user_a, registration=world.reg_a, reason="误转"
        )
    assert "区县人社局" in _messages(exc)
    services.registration_revert_change_by_bureau(
        actor=world.district_a, registration=world.reg_a, reason="误转"
    )
    world.reg_a.refresh_from_db()
    assert world.reg_a.status == "enrolled" and world.reg_a.left_on is None
    assert not Registration.objects.filter(pk=new.pk).exists()
    transfer.refresh_from_db()
    assert transfer.state == "reverted"


def test_a_graduation_is_not_reverted_as_a_status_change(world):
    from jigong.certificates import services as certificates
    from tests import factories as f

    reg = f.registration(
        world.school_a, id_number=f.id_number(), enrolled_on=datetime.date(2021, 9, 1)
    )
    certificates.graduate(actor=world.user_a, registration=reg, issued_on=datetime.date(2024, 7, 1))
    with pytest.raises(ValidationError) as exc:
        services.registration_revert_change(actor=world.user_a, registration=reg, reason="误")
    assert "撤销毕业证书" in _messages(exc)
