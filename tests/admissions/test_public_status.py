"""/enrol/status/: an applicant's choices by reference and ID number (issue 16) — the
uniform miss, no other applicant's data, the challenge and limits of /verify/, and the
confirmation of one admission."""

import datetime
import time

import pytest

from jigong.admissions import services as admissions
from jigong.admissions.models import Choice
from jigong.public import enrol as public_views
from tests import factories as f
from tests.admissions import public_world


@pytest.fixture
def w(world):
    w = public_world.build(world)
    w.id_number = f.id_number(birth=datetime.date(w.year - 16, 3, 1))
    w.app = admissions.application_submit(
        actor=None,
        season=w.season,
        id_number=w.id_number,
        name="陈晓雨",
        phone="13800138000",
        category="junior_graduate",
        schooling="junior",
        choices=[
            {"school_major": w.b_nursing, "track": "full_time"},
            {"school_major": w.a_electric, "track": "full_time"},
        ],
    )
    w.other = admissions.application_submit(
        actor=None,
        season=w.season,
        id_number=f.id_number(birth=datetime.date(w.year - 17, 3, 1)),
        name="王小川",
        phone="13900139000",
        category="junior_graduate",
        schooling="junior",
        choices=[{"school_major": w.b_lathe, "track": "full_time"}],
    )
    return w


def _set(app, rank, state, reason=""):
    """Test set-up: a school's decision (its acts are tested in test_decide.py)."""
    Choice.objects.filter(application=app, rank=rank).update(state=state, reason=reason)


def _look(client, reference, id_number):
    return client.post("/enrol/status/", {"reference": reference, "id_number": id_number})


@pytest.mark.django_db
def test_the_proof_shows_each_choice_with_its_state_and_reason(client, w):
    _set(w.app, 1, "refused", "专业计划已满")
    response = _look(client, w.app.reference, w.id_number.lower())
    html = response.content.decode()
    assert response.status_code == 200
    assert w.app.reference in html and "万州丙技工学校" in html and "重庆甲技师学院" in html
    assert "未录取（专业计划已满）" in html and "待审核" in html
    assert "王小川" not in html and w.other.reference not in html
    assert w.id_number not in html  # the ID number typed is not echoed


@pytest.mark.django_db
@pytest.mark.parametrize("which", ["wrong_id", "wrong_reference", "other_person", "garbage"])
def test_every_kind_of_miss_answers_the_same_page(client, w, which):
    reference, number = {
        "wrong_id": (w.app.reference, f.id_number()),
        # the last character changed (a reference ending in 0 was its own "wrong" one)
        "wrong_reference": (
            w.app.reference[:-1] + ("1" if w.app.reference[-1] == "0" else "0"),
            w.id_number,
        ),
        "other_person": (w.other.reference, w.id_number),
        "garbage": ("x" * 40, "\u00e9" * 40),
    }[which]
    html = _look(client, reference, number).content.decode()
    assert str(public_views.STATUS_MISS) in html
    assert 'data-testid="application"' not in html and "万州丙技工学校" not in html


@pytest.mark.django_db
def test_misses_bring_the_challenge_then_the_limit(client, w, settings):
    settings.JIGONG_VERIFY_MISSES_BEFORE_CHALLENGE = (1, 3600)
    _look(client, "BM0000-0000000000", w.id_number)
    html = _look(client, w.app.reference, w.id_number).content.decode()
    assert 'data-testid="challenge-error"' in html  # the right proof, but no challenge
    assert 'data-testid="application"' not in html
    settings.JIGONG_VERIFY_MISSES_BEFORE_CHALLENGE = (100, 3600)
    settings.JIGONG_VERIFY_RATE_PER_IP = (2, 60)
    assert _look(client, w.app.reference, w.id_number).status_code == 200
    assert _look(client, w.app.reference, w.id_number).status_code == 429


@pytest.mark.django_db
def test_confirm_one_admission_releases_the_other(client, w):
    _set(w.app, 1, "admitted")
    _set(w.app, 2, "admitted")
    html = _look(client, w.app.reference, w.id_number).content.decode()
    assert 'data-testid="confirm-1"' in html and 'data-testid="confirm-2"' in html
    first, second = w.app.choices.order_by("rank")
    html = client.post("/enrol/status/", {"confirm": str(second.pk)}).content.decode()
    assert 'data-testid="status-confirmed"' in html
    assert dict(w.app.choices.values_list("rank", "state")) == {1: "released", 2: "confirmed"}
    assert 'data-testid="confirm-1"' not in html  # nothing left to confirm
    # a forged second confirmation of the released choice is refused with a message
    html = client.post("/enrol/status/", {"confirm": str(first.pk)}).content.decode()
    assert 'data-testid="status-message"' in html
    assert dict(w.app.choices.values_list("rank", "state")) == {1: "released", 2: "confirmed"}


@pytest.mark.django_db
def test_confirm_needs_a_fresh_proof_of_this_application(client, w, monkeypatch):
    _set(w.app, 1, "admitted")
    _set(w.other, 1, "admitted")
    _look(client, w.app.reference, w.id_number)
    other_choice = w.other.choices.get()
    html = client.post("/enrol/status/", {"confirm": str(other_choice.pk)}).content.decode()
    assert "不属于本报名" in html and w.other.choices.get().state == "admitted"
    mine = w.app.choices.get(rank=1)
    monkeypatch.setattr(time, "time", lambda: 10**10)  # the proof expired
    html = client.post("/enrol/status/", {"confirm": str(mine.pk)}).content.decode()
    assert "请重新输入报名号和身份证号" in html and w.app.choices.get(rank=1).state == "admitted"
    anonymous = type(client)()
    html = anonymous.post("/enrol/status/", {"confirm": str(mine.pk)}).content.decode()
    assert "请重新输入" in html and w.app.choices.get(rank=1).state == "admitted"
