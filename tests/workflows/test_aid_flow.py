"""Student aid (（二十一）, issue 14): the school enters a student's application, submits
it to its district, the district approves (with the amount), returns or refuses it, and
the school records the payment, which makes the student a recipient."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jigong.students.services import registration_change_status
from jigong.workflows import aid, records, selectors
from jigong.workflows.models import AidApplication, AidProgramme, AidRecipient
from jigong.workflows.services import transition
from tests import factories as f

pytestmark = pytest.mark.django_db

D = datetime.date


def _programme(world, school=None, year=2025, standard=2000):
    school = school or world.school_a
    found = AidProgramme.objects.filter(school=school, year=year).first()
    if found is not None:
        return found
    return records.aid_programme_create(
        actor=None,
        school=school,
        year=year,
        name="国家助学金",
        kind="grant",
        funder="中央财政",
        amount_per_person=Decimal(standard),
    )


def _apply(world, programme=None, registration=None, actor=None, **kw):
    programme = programme or _programme(world)
    fields = {
        "amount_requested": Decimal("2000"),
        "grounds": "hardship",
        "grounds_note": "",
        "applied_on": D(2025, 3, 1),
    }
    fields.update(kw)
    return aid.application_create(
        actor=actor or world.user_a,
        programme=programme,
        registration=registration or world.reg_a,
        **fields,
    )


def _messages(exc) -> str:
    return " ".join(exc.value.messages)


# --- the application ---------------------------------------------------------------


def test_school_enters_an_application_as_a_draft(world):
    app = _apply(world)
    assert app.state == "draft"
    assert app.school == world.school_a
    assert app.amount_requested == Decimal("2000")
    assert app.get_state_display() == "草稿"


@pytest.mark.parametrize(
    ("amount", "words"),
    [("2000.01", ("2000.01", "资助标准", "2000")), ("0", ("0", "大于0")), ("-5", ("-5",))],
)
def test_amount_requested_must_be_positive_and_within_the_standard(world, amount, words):
    with pytest.raises(ValidationError) as exc:
        _apply(world, amount_requested=Decimal(amount))
    for w in words:
        assert w in _messages(exc)
    assert not AidApplication.objects.exists()


def test_other_grounds_need_their_text(world):
    with pytest.raises(ValidationError) as exc:
        _apply(world, grounds="other")
    assert "其他" in _messages(exc) and "说明" in _messages(exc)
    assert _apply(world, grounds="other", grounds_note="突发重大疾病").grounds == "other"


def test_one_application_per_programme_and_registration(world):
    programme = _programme(world)
    _apply(world, programme)
    with pytest.raises(ValidationError) as exc:
        _apply(world, programme)
    assert "李明" in _messages(exc) and "已有" in _messages(exc)
    assert AidApplication.objects.count() == 1


def test_the_student_must_be_on_roll_on_the_application_date(world):
    with pytest.raises(ValidationError) as exc:  # enrolled 2024-09-01
        _apply(world, programme=_programme(world, year=2024), applied_on=D(2024, 8, 1))
    assert "2024-08-01" in _messages(exc) and "在籍" in _messages(exc)
    registration_change_status(
        actor=world.user_a,
        registration=world.reg_a,
        status="withdrawn",
        changed_on=D(2025, 1, 10),
        reason="家庭原因",
    )
    world.reg_a.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        _apply(world, applied_on=D(2025, 3, 1))
    assert "退学" in _messages(exc)


def test_the_programme_is_of_the_application_year(world):
    with pytest.raises(ValidationError) as exc:
        _apply(world, programme=_programme(world, year=2026), applied_on=D(2025, 3, 1))
    assert "2026" in _messages(exc) and "年度" in _messages(exc)


def test_another_schools_student_or_programme_is_out_of_scope(world):
    with pytest.raises(PermissionDenied):
        _apply(world, registration=world.reg_b)
    with pytest.raises(PermissionDenied):
        _apply(world, programme=_programme(world, world.school_b), registration=world.reg_b)
    with pytest.raises(ValidationError) as exc:  # a registration that does not exist
        _apply(world, registration=987654)
    assert "987654" in _messages(exc)
    # a student of another school of the same district, on the own programme
    with pytest.raises(PermissionDenied):
        _apply(world, registration=world.reg_a2)
    assert not AidApplication.objects.exists()


def test_bureaus_do_not_enter_applications(world):
    for actor in (world.district_a, world.municipal):
        with pytest.raises(PermissionDenied):
            _apply(world, actor=actor)


# --- review ------------------------------------------------------------------------------


def _submitted(world, n=1):
    programme = _programme(world)
    regs = [world.reg_a] + [
        f.registration(world.school_a, name=f"学生{i}", id_number=f.id_number())
        for i in range(n - 1)
    ]
    apps = [_apply(world, programme, r) for r in regs]
    assert aid.applications_submit(actor=world.user_a, programme=programme) == n
    for a in apps:
        a.refresh_from_db()
    return programme, apps


def test_the_school_submits_its_drafts_as_one_batch_to_the_district(world):
    programme, apps = _submitted(world, 3)
    assert {a.state for a in apps} == {"submitted"}
    todo = selectors.todo(user=world.district_a)
    assert {r["item"].pk for r in todo if r["kind"] == "学生资助申请"} == {a.pk for a in apps}
    assert not [r for r in selectors.todo(user=world.district_b) if r["kind"] == "学生资助申请"]
    with pytest.raises(ValidationError) as exc:  # nothing left to submit
        aid.applications_submit(actor=world.user_a, programme=programme)
    assert "没有" in _messages(exc)


def test_the_district_approves_with_an_amount_within_request_and_standard(world):
    _, (app,) = _submitted(world)
    with pytest.raises(ValidationError) as exc:
        transition(
            actor=world.district_a,
            item=app,
            action="approve",
            values={"amount_approved": Decimal("2500")},
        )
    assert "2500" in _messages(exc) and "申请金额" in _messages(exc)
    with pytest.raises(ValidationError) as exc:
        transition(actor=world.district_a, item=app, action="approve", values={})
    assert "核定金额" in _messages(exc)
    app.refresh_from_db()
    assert app.state == "submitted" and app.amount_approved is None
    transition(
        actor=world.district_a,
        item=app,
        action="approve",
        values={"amount_approved": Decimal("1500")},
    )
    app.refresh_from_db()
    assert (app.state, app.amount_approved) == ("approved", Decimal("1500"))


def test_another_district_and_the_school_cannot_review(world):
    _, (app,) = _submitted(world)
    for actor in (world.district_b, world.user_a):
        with pytest.raises(PermissionDenied):
            transition(
                actor=actor,
                item=app,
                action="approve",
                values={"amount_approved": Decimal("1000")},
            )
    app.refresh_from_db()
    assert app.state == "submitted"


def test_returned_application_is_corrected_and_resubmitted(world):
    programme, (app,) = _submitted(world)
    with pytest.raises(ValidationError):  # a return needs its reason
        transition(actor=world.district_a, item=app, action="return")
    transition(actor=world.district_a, item=app, action="return", comment="缺少困难认定材料")
    app.refresh_from_db()
    assert app.state == "returned"
    todo = [r for r in selectors.todo(user=world.user_a) if r["kind"] == "学生资助申请"]
    assert [r["item"].pk for r in todo] == [app.pk]
    aid.application_update(actor=world.user_a, application=app, grounds="poverty_alleviated")
    assert aid.applications_submit(actor=world.user_a, programme=programme) == 1
    app.refresh_from_db()
    assert (app.state, app.grounds) == ("submitted", "poverty_alleviated")


def test_a_submitted_application_cannot_be_edited(world):
    _, (app,) = _submitted(world)
    with pytest.raises(ValidationError) as exc:
        aid.application_update(actor=world.user_a, application=app, amount_requested=1000)
    assert "待区县审核" in _messages(exc)


def test_refused_application_is_final_with_its_reason(world):
    _, (app,) = _submitted(world)
    with pytest.raises(ValidationError):
        transition(actor=world.district_a, item=app, action="refuse")
    transition(actor=world.district_a, item=app, action="refuse", comment="不符合资助条件")
    app.refresh_from_db()
    assert app.state == "refused" and app.is_final
    assert app.workflow.available(app, world.user_a) == []


def test_payment_makes_the_student_a_recipient_of_the_approved_amount(world):
    programme, (app,) = _submitted(world)
    transition(
        actor=world.district_a,
        item=app,
        action="approve",
        values={"amount_approved": Decimal("1800")},
    )
    with pytest.raises(PermissionDenied):  # the district does not pay
        transition(
            actor=world.district_a, item=app, action="pay", values={"paid_on": D(2025, 4, 1)}
        )
    with pytest.raises(ValidationError) as exc:  # before the application
        transition(actor=world.user_a, item=app, action="pay", values={"paid_on": D(2025, 2, 1)})
    assert "2025-02-01" in _messages(exc) and "申请日期" in _messages(exc)
    assert not AidRecipient.objects.exists()
    transition(actor=world.user_a, item=app, action="pay", values={"paid_on": D(2025, 4, 1)})
    app.refresh_from_db()
    assert (app.state, app.paid_on) == ("paid", D(2025, 4, 1))
    r = AidRecipient.objects.get()
    assert (r.programme, r.registration, r.amount, r.granted_on) == (
        programme,
        world.reg_a,
        Decimal("1800"),
        D(2025, 4, 1),
    )


def test_payment_date_cannot_be_in_the_future(world):
    _, (app,) = _submitted(world)
    transition(actor=world.district_a, item=app, action="approve", values={"amount_approved": 2000})
    future = datetime.date.today() + datetime.timedelta(days=3)
    with pytest.raises(ValidationError) as exc:
        transition(actor=world.user_a, item=app, action="pay", values={"paid_on": future})
    assert future.isoformat() in _messages(exc)


def test_programme_summary_counts_applied_approved_and_paid(world):
    programme, apps = _submitted(world, 3)
    transition(
        actor=world.district_a, item=apps[0], action="approve", values={"amount_approved": 1500}
    )
    transition(
        actor=world.district_a, item=apps[1], action="approve", values={"amount_approved": 2000}
    )
    transition(actor=world.user_a, item=apps[1], action="pay", values={"paid_on": D(2025, 5, 1)})
    s = aid.programme_summary(user=world.municipal, programme=programme)
    assert (s["applied"], s["applied_amount"]) == (3, Decimal("6000"))
    assert (s["approved"], s["approved_amount"]) == (2, Decimal("3500"))
    assert (s["paid"], s["paid_amount"]) == (1, Decimal("2000"))
