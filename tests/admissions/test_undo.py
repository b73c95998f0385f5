"""Undoing online enrolment (issue 16): the applicant withdraws a choice or the whole
application (``admission.withdraw``, on /enrol/status/ with the proof of reference and
ID number), and a school's 招生 clerk revokes its own admission before the applicant
confirmed it (``admission.revoke``, with a reason), each freeing its place in the plan
line. A choice that became a 学籍 is not withdrawn."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jigong.admissions import selectors, services, undo
from jigong.admissions.models import ChoiceState
from jigong.core.errors import messages_of
from jigong.core.models import AuditLog
from tests import factories as f
from tests.admissions.conftest import TODAY, YEAR, fields

pytestmark = pytest.mark.django_db


def _apply(e, *choices, **kw):
    return services.application_submit(**fields(e, *choices, **kw))


def _states(app) -> dict:
    return dict(app.choices.values_list("rank", "state"))


def _text(info) -> str:
    return " ".join(messages_of(info.value))


# --- the applicant withdraws ------------------------------------------------------------


def test_withdrawing_one_choice_leaves_the_others_and_frees_its_place(enrol):
    e = enrol
    app = _apply(e, e.a_mid, e.a2_mid, name="撤一")
    first, _second = app.choices.order_by("rank")
    services.choice_admit(actor=e.clerk_a, choice=first)
    assert selectors.held(school_major=e.a_mid, year=YEAR) == 1
    undo.application_withdraw(application=app, choice=first)
    assert _states(app) == {1: ChoiceState.RELEASED, 2: ChoiceState.SUBMITTED}
    first.refresh_from_db()
    assert "申请人撤回" in first.reason
    assert selectors.held(school_major=e.a_mid, year=YEAR) == 0  # the place is free
    app.refresh_from_db()
    assert app.withdrawn_at is None  # the application stands with its other choice
    row = AuditLog.objects.get(act="admission.withdraw")
    assert row.actor is None and app.reference in row.message
    # withdrawn once: a second time is refused, naming the choice and its state
    with pytest.raises(ValidationError) as info:
        undo.application_withdraw(application=app, choice=first)
    assert "已放弃" in _text(info) and app.reference in _text(info)


def test_withdrawing_the_whole_application_releases_every_open_choice(enrol):
    e = enrol
    app = _apply(e, e.a_mid, e.a2_mid, e.a_other, name="撤全")
    one, _two, three = app.choices.order_by("rank")
    services.choice_admit(actor=e.clerk_a, choice=one)
    services.choice_refuse(actor=e.clerk_a, choice=three, reason="专业不符")
    undo.application_withdraw(application=app)
    assert _states(app) == {
        1: ChoiceState.RELEASED,
        2: ChoiceState.RELEASED,
        3: ChoiceState.REFUSED,  # a decision already final stays as it is
    }
    app.refresh_from_db()
    assert app.withdrawn_at is not None
    with pytest.raises(ValidationError) as info:
        undo.application_withdraw(application=app)
    assert "已撤回" in _text(info)


def test_a_confirmed_choice_is_withdrawn_until_it_becomes_a_registration(enrol):
    e = enrol
    app = _apply(e, e.a_mid, name="撤确认")
    c = app.choices.get()
    services.choice_admit(actor=e.clerk_a, choice=c)
    services.admission_confirm(application=app, choice=c)
    undo.application_withdraw(application=app, choice=c)  # before registration day: yes
    assert _states(app) == {1: ChoiceState.RELEASED}
    enrolled = _apply(e, e.a_mid, name="已注册")
    c2 = enrolled.choices.get()
    services.choice_admit(actor=e.clerk_a, choice=c2)
    services.admission_confirm(application=enrolled, choice=c2)
    services.cohort_enrol(actor=e.clerk_a, school=e.world.school_a, enrolled_on=TODAY)
    before = AuditLog.objects.count()
    for kw in ({"choice": c2}, {}):
        with pytest.raises(ValidationError) as info:
            undo.application_withdraw(application=enrolled, **kw)
        assert "已注册学籍" in _text(info) and "不能撤回" in _text(info)
    assert _states(enrolled) == {1: ChoiceState.ENROLLED}
    assert AuditLog.objects.count() == before


def test_a_choice_of_another_application_is_not_withdrawn(enrol):
    e = enrol
    mine = _apply(e, e.a_mid, name="本人")
    other = _apply(e, e.a_mid, name="他人")
    theirs = other.choices.get()
    with pytest.raises(ValidationError) as info:
        undo.application_withdraw(application=mine, choice=theirs)
    assert "不属于报名号" in _text(info) and other.reference not in _text(info)
    assert _states(other) == {1: ChoiceState.SUBMITTED}


# --- the school revokes its admission ---------------------------------------------------


def test_revoking_an_admission_frees_the_place_with_the_reason_audited(enrol):
    e = enrol  # e.a_mid: 2 places
    a, b, c = (_apply(e, e.a_mid, name=n).choices.get() for n in ("甲", "乙", "丙"))
    services.choice_admit(actor=e.clerk_a, choice=a)
    services.choice_admit(actor=e.clerk_a, choice=b)
    with pytest.raises(ValidationError) as info:
        services.choice_admit(actor=e.clerk_a, choice=c)
    assert "招生计划已满" in _text(info)
    undo.choice_revoke(actor=e.clerk_a, choice=b, reason="体检不符合专业要求")
    b.refresh_from_db()
    assert b.state == ChoiceState.SUBMITTED and b.reason == "体检不符合专业要求"
    row = AuditLog.objects.get(act="admission.revoke")
    assert row.actor == e.clerk_a and "体检不符合专业要求" in str(row.after)
    services.choice_admit(actor=e.clerk_a, choice=c)  # the freed place
    c.refresh_from_db()
    assert c.state == ChoiceState.ADMITTED


def test_revoke_needs_a_reason_and_an_admission_not_yet_confirmed(enrol):
    e = enrol
    app = _apply(e, e.a_mid, name="待撤销")
    c = app.choices.get()
    with pytest.raises(ValidationError) as info:  # not admitted
        undo.choice_revoke(actor=e.clerk_a, choice=c, reason="误录")
    assert "待审核" in _text(info) and "撤销录取" in _text(info)
    services.choice_admit(actor=e.clerk_a, choice=c)
    with pytest.raises(ValidationError) as info:
        undo.choice_revoke(actor=e.clerk_a, choice=c, reason="  ")
    assert "原因" in _text(info)
    services.admission_confirm(application=app, choice=c)
    with pytest.raises(ValidationError) as info:
        undo.choice_revoke(actor=e.clerk_a, choice=c, reason="误录")
    assert "已确认" in _text(info) and app.reference in _text(info)
    c.refresh_from_db()
    assert c.state == ChoiceState.CONFIRMED


def test_only_the_schools_enrolment_clerk_revokes(enrol):
    e = enrol
    c = _apply(e, e.a_mid, name="范围").choices.get()
    services.choice_admit(actor=e.clerk_a, choice=c)
    records_only = f.user("school", school=e.world.school_a)
    records_only.duties = ["records"]
    records_only.save()
    for who in (e.clerk_a2, e.world.user_b, e.world.municipal, e.world.district_a, records_only):
        with pytest.raises(PermissionDenied):
            undo.choice_revoke(actor=who, choice=c, reason="误录")
    c.refresh_from_db()
    assert c.state == ChoiceState.ADMITTED


# --- the pages ----------------------------------------------------------------------------


def _look(client, app):
    return client.post("/enrol/status/", {"reference": app.reference, "id_number": app.id_number})


def test_the_status_page_withdraws_a_choice_and_the_whole_application(client, enrol):
    e = enrol
    app = _apply(e, e.a_mid, e.a2_mid, name="页面撤")
    first, _second = app.choices.order_by("rank")
    # without the proof: nothing withdrawn
    html = client.post("/enrol/status/", {"withdraw": str(first.pk)}).content.decode()
    assert "请重新输入报名号和身份证号" in html
    assert _states(app) == {1: ChoiceState.SUBMITTED, 2: ChoiceState.SUBMITTED}
    html = _look(client, app).content.decode()
    assert 'data-testid="withdraw-1"' in html and 'data-testid="withdraw-all"' in html
    html = client.post("/enrol/status/", {"withdraw": str(first.pk)}).content.decode()
    assert 'data-testid="status-withdrawn"' in html
    assert _states(app) == {1: ChoiceState.RELEASED, 2: ChoiceState.SUBMITTED}
    assert 'data-testid="withdraw-1"' not in html and 'data-testid="withdraw-2"' in html
    html = client.post("/enrol/status/", {"withdraw": "all"}).content.decode()
    assert 'data-testid="status-withdrawn"' in html and "已撤回报名" in html
    assert _states(app) == {1: ChoiceState.RELEASED, 2: ChoiceState.RELEASED}
    assert 'data-testid="withdraw-all"' not in html
    # a forged withdrawal of another applicant's choice
    other = _apply(e, e.a_mid, name="他人页")
    html = client.post("/enrol/status/", {"withdraw": str(other.choices.get().pk)})
    assert "不属于本报名" in html.content.decode()
    assert _states(other) == {1: ChoiceState.SUBMITTED}


def _revoke(client, choice, data, **kw):
    url = f"/admissions/choices/{choice.pk}/decide/"
    return client.post(url, {"action": "revoke", **data}, **kw)


def test_the_schools_page_revokes_its_admission_with_a_reason(client, enrol):
    e = enrol
    c = _apply(e, e.a_mid, name="页撤销").choices.get()
    services.choice_admit(actor=e.clerk_a, choice=c)
    client.force_login(e.clerk_a)
    html = client.get("/admissions/").content.decode()
    assert f'data-testid="revoke-{c.pk}"' in html
    r = _revoke(client, c, {"reason": ""}, follow=True)
    assert "须填写原因" in r.content.decode()
    c.refresh_from_db()
    assert c.state == ChoiceState.ADMITTED
    r = _revoke(client, c, {"reason": "误录"}, follow=True)
    assert "已撤销录取" in r.content.decode()
    c.refresh_from_db()
    assert c.state == ChoiceState.SUBMITTED
    # another school's clerk: not found; a bureau: refused
    client.force_login(e.clerk_a2)
    services.choice_admit(actor=e.clerk_a, choice=c)
    assert _revoke(client, c, {"reason": "x"}).status_code == 404
    client.force_login(e.world.municipal)
    assert _revoke(client, c, {"reason": "x"}).status_code == 403
    c.refresh_from_db()
    assert c.state == ChoiceState.ADMITTED


@pytest.mark.django_db(transaction=True)
def test_a_withdrawal_and_registration_day_at_once_do_not_both_happen(enrol):
    from jigong.students.models import Registration
    from tests.admissions.test_concurrency import at_once

    e = enrol
    app = _apply(e, e.a_mid, name="同时撤")
    c = app.choices.get()
    services.choice_admit(actor=e.clerk_a, choice=c)
    services.admission_confirm(application=app, choice=c)
    outcomes = at_once(
        [
            lambda: undo.application_withdraw(application=app, choice=c),
            lambda: services.cohort_enrol(
                actor=e.clerk_a, school=e.world.school_a, enrolled_on=TODAY
            ),
        ]
    )
    c.refresh_from_db()
    enrolled = Registration.objects.filter(admission=c).exists()
    assert outcomes[0] == "ok", outcomes
    if c.state == ChoiceState.ENROLLED:  # registration day first: the withdrawal refused
        assert enrolled and "已注册学籍" in outcomes[1]
    else:  # the withdrawal first: nothing left to register
        assert c.state == ChoiceState.RELEASED and not enrolled
        assert "没有待注册" in outcomes[1]
