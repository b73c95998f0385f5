"""The student-aid flow on the pages (（二十一）, issue 14), as each role: the school
enters and submits applications on its programme's page, the district approves with an
amount on the application's page, the school records the payment; the programme page
counts applied / approved / paid; other schools and districts get 404."""

import datetime
from decimal import Decimal

import pytest

from jigong.core.navigation import menu_for
from jigong.workflows import aid, records
from jigong.workflows.models import AidApplication, AidRecipient
from jigong.workflows.services import transition

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def programme(world):
    return records.aid_programme_create(
        actor=None,
        school=world.school_a,
        year=2025,
        name="国家助学金",
        kind="grant",
        funder="中央财政",
        amount_per_person=Decimal("2000"),
    )


def _text(r) -> str:
    return r.content.decode()


def _apply(world, programme):
    return aid.application_create(
        actor=world.user_a,
        programme=programme,
        registration=world.reg_a,
        amount_requested=Decimal("2000"),
        grounds="hardship",
        applied_on=D(2025, 3, 1),
    )


def test_school_enters_an_application_by_id_number_on_the_programme_page(world, client, programme):
    client.force_login(world.user_a)
    page = _text(client.get(f"/aid-programmes/{programme.pk}/"))
    assert "录入资助申请" in page
    url = f"/aid-programmes/{programme.pk}/applications/new/"
    data = {
        "id_number": world.reg_a.person.id_number,
        "amount_requested": "2500",
        "grounds": "hardship",
        "grounds_note": "",
        "applied_on": "2025-03-01",
    }
    r = client.post(url, data)
    assert r.status_code == 200 and "超过资助标准" in _text(r)
    assert not AidApplication.objects.exists()
    r = client.post(url, {**data, "id_number": world.reg_b.person.id_number})
    assert "本校没有该学生的学籍" in _text(r)
    r = client.post(url, {**data, "amount_requested": "1800"}, follow=True)
    app = AidApplication.objects.get()
    assert (app.amount_requested, app.state) == (Decimal("1800"), "draft")
    assert "李明" in _text(r)


def test_bureaus_get_no_entry_form_and_other_schools_get_404(world, client, programme):
    url = f"/aid-programmes/{programme.pk}/applications/new/"
    for user in (world.district_a, world.municipal):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.force_login(world.user_b)
    assert client.get(url).status_code == 404
    assert client.get(f"/aid-programmes/{programme.pk}/").status_code == 404


def test_the_journey_school_district_payment_on_the_pages(world, client, programme):
    app = _apply(world, programme)
    client.force_login(world.user_a)
    r = client.post(f"/aid-programmes/{programme.pk}/applications/submit/", follow=True)
    assert "已提交1份" in _text(r)
    app.refresh_from_db()
    assert app.state == "submitted"

    client.force_login(world.district_b)  # another district: not even its page
    assert client.get(f"/aid-applications/{app.pk}/").status_code == 404
    r = client.post(f"/workflows/aid_application/{app.pk}/approve/", {"amount_approved": "1500"})
    assert r.status_code == 404

    client.force_login(world.district_a)
    home = _text(client.get("/"))
    assert "学生资助申请" in home and f"/aid-applications/{app.pk}/" in home
    page = _text(client.get(f"/aid-applications/{app.pk}/"))
    assert 'name="amount_approved"' in page
    r = client.post(
        f"/workflows/aid_application/{app.pk}/approve/",
        {"amount_approved": "abc"},
        follow=True,
    )
    assert "核定金额" in _text(r)
    r = client.post(
        f"/workflows/aid_application/{app.pk}/approve/",
        {"amount_approved": "1500", "comment": "同意"},
        follow=True,
    )
    assert "已核准待发放" in _text(r)

    client.force_login(world.user_a)
    page = _text(client.get(f"/aid-applications/{app.pk}/"))
    assert 'name="paid_on"' in page
    r = client.post(
        f"/workflows/aid_application/{app.pk}/pay/", {"paid_on": "2025-04-01"}, follow=True
    )
    assert "已发放" in _text(r)
    assert AidRecipient.objects.get().amount == Decimal("1500")
    page = _text(client.get(f"/aid-programmes/{programme.pk}/"))
    assert "已发放" in page and "1500" in page


def test_returned_application_shows_on_the_schools_to_do_list(world, client, programme):
    app = _apply(world, programme)
    aid.applications_submit(actor=world.user_a, programme=programme)
    transition(actor=world.district_a, item=app, action="return", comment="缺少证明材料")
    client.force_login(world.user_a)
    home = _text(client.get("/"))
    assert f"/aid-applications/{app.pk}/" in home and "已退回" in home
    client.post(
        f"/aid-applications/{app.pk}/edit/",
        {
            "amount_requested": "1000",
            "grounds": "disability",
            "grounds_note": "",
            "applied_on": "2025-03-01",
        },
        follow=True,
    )
    app.refresh_from_db()
    assert (app.amount_requested, app.grounds) == (Decimal("1000"), "disability")


def test_lists_in_scope_and_the_menu(world, client, programme):
    _apply(world, programme)
    for user, sees in (
        (world.municipal, True),
        (world.district_a, True),
        (world.user_a, True),
        (world.district_b, False),
        (world.user_b, False),
    ):
        client.force_login(user)
        assert ("李明" in _text(client.get("/aid-applications/"))) is sees, user
    entries = [i["url"] for g in menu_for(world.district_a) for i in g["items"]]
    assert "/aid-applications/" in entries
