"""The graduate portal: own certificates only; create and revoke online codes."""

import re

import pytest

from jigong.certificates import services
from jigong.certificates.models import VerificationCode
from tests import factories as f

PORTAL = "/graduate/"


@pytest.fixture
def grad(client, world, holder_cert):
    client.force_login(world.graduate)
    return client


def test_home_links_to_portal(grad):
    assert PORTAL in grad.get("/").content.decode()


def test_portal_lists_own_certificates_only(grad, holder_cert, other_cert):
    body = grad.get(PORTAL).content.decode()
    assert holder_cert.number in body and holder_cert.school.name in body
    assert other_cert.number not in body and other_cert.school.name not in body


def test_create_and_revoke_code(grad, world, holder_cert):
    r = grad.post(f"{PORTAL}certificates/{holder_cert.pk}/codes/", {"days": "90"})
    assert r.status_code == 200
    vc = VerificationCode.objects.get()
    assert vc.days == 90 and vc.created_by == world.graduate
    body = r.content.decode()
    assert str(vc) in body and "有效期90天" in body
    r = grad.post(f"{PORTAL}codes/{vc.pk}/revoke/")
    assert r.status_code == 302
    vc.refresh_from_db()
    assert vc.revoked_at is not None
    body = grad.get(PORTAL).content.decode()
    assert "已撤销" in body


@pytest.mark.parametrize(("days", "shown"), [("29", "29"), ("181", "181"), ("abc", None)])
def test_bad_days_error_next_to_field(grad, holder_cert, days, shown):
    r = grad.post(f"{PORTAL}certificates/{holder_cert.pk}/codes/", {"days": days})
    assert r.status_code == 200
    body = r.content.decode()
    assert 'data-field="days"' in body
    if shown:
        assert f"有效期“{shown}”" in body and "30至180天" in body
    assert not VerificationCode.objects.exists()


def test_cannot_touch_another_persons_certificate_or_code(grad, world, other_cert):
    r = grad.post(f"{PORTAL}certificates/{other_cert.pk}/codes/", {"days": "30"})
    assert r.status_code == 404
    theirs = services.verification_code_create(actor=world.user_b, certificate=other_cert, days=30)
    assert grad.post(f"{PORTAL}codes/{theirs.pk}/revoke/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None and VerificationCode.objects.count() == 1


@pytest.mark.parametrize("who", ["user_a", "municipal", "department"])
def test_portal_is_for_graduates_only(client, world, holder_cert, who):
    client.force_login(getattr(world, who))
    assert client.get(PORTAL).status_code == 403
    r = client.post(f"{PORTAL}certificates/{holder_cert.pk}/codes/", {"days": "30"})
    assert r.status_code == 403


def test_graduate_without_person_sees_nothing(client, world, holder_cert):
    client.force_login(f.user("graduate", username="unlinked"))
    body = client.get(PORTAL).content.decode()
    assert "尚未关联学籍" in body and holder_cert.number not in body


def test_anonymous_redirected_to_login(client, db):
    r = client.get(PORTAL)
    assert r.status_code == 302 and "/accounts/login/" in r.url


def test_code_created_in_portal_opens_report(grad, client, holder_cert):
    r = grad.post(f"{PORTAL}certificates/{holder_cert.pk}/codes/", {"days": "30"})
    code = re.search(r'data-testid="new-code">([0-9A-Z-]+)<', r.content.decode())[1]
    grad.logout()
    report = client.post("/verify/code/", {"code": code}).content.decode()
    assert "张*明" in report and holder_cert.number in report
