"""Staff certificate pages: graduate (毕业/结业), revoke, reissue, exchange, codes;
errors in Chinese next to their field; another school's rows answer 404."""

import datetime

import pytest
from django.urls import reverse

from jigong.certificates import services
from jigong.certificates.models import CertificateStatus, GraduationCertificate, VerificationCode
from jigong.students.models import Status
from tests import factories as f


@pytest.fixture
def staff(client, world):
    client.force_login(world.user_a)
    return client


@pytest.fixture
def finished(world):
    return f.registration(
        world.school_a,
        name="陈静",
        id_number=f.id_number(birth=datetime.date(2006, 5, 1), sex="F"),
        enrolled_on=datetime.date(2022, 9, 1),
    )


def test_registration_detail_offers_graduation(staff, finished):
    body = staff.get(reverse("students:registration_detail", args=[finished.pk])).content.decode()
    assert reverse("certificates:registration_graduate", args=[finished.pk]) in body


def test_graduate_through_page(staff, world, finished):
    url = reverse("certificates:registration_graduate", args=[finished.pk])
    assert staff.get(url).status_code == 200
    r = staff.post(url, {"outcome": "graduated", "issued_on": "2025-06-30"})
    assert r.status_code == 302
    cert = GraduationCertificate.objects.get(registration=finished)
    assert r.url == reverse("certificates:graduationcertificate_detail", args=[cert.pk])
    finished.refresh_from_db()
    assert finished.status == Status.GRADUATED and cert.outcome == "graduated"


def test_graduate_error_next_to_field(staff, world):
    young = f.registration(world.school_a, name="刘洋", enrolled_on=datetime.date(2024, 9, 1))
    url = reverse("certificates:registration_graduate", args=[young.pk])
    r = staff.post(url, {"outcome": "graduated", "issued_on": "2025-06-30"})
    body = r.content.decode()
    assert r.status_code == 200 and 'data-field="issued_on"' in body and "学制未满" in body
    assert not GraduationCertificate.objects.filter(registration=young).exists()


def test_complete_then_exchange(staff, finished):
    url = reverse("certificates:registration_graduate", args=[finished.pk])
    staff.post(url, {"outcome": "completed", "issued_on": "2025-06-30"})
    completion = GraduationCertificate.objects.get(registration=finished)
    assert completion.outcome == "completed"
    ex = reverse("certificates:certificate_exchange", args=[completion.pk])
    bad = staff.post(ex, {"issued_on": "2025-01-01"})
    assert 'data-field="issued_on"' in bad.content.decode() and "不得早于" in bad.content.decode()
    r = staff.post(ex, {"issued_on": "2025-09-01"})
    assert r.status_code == 302
    completion.refresh_from_db()
    assert completion.status == CertificateStatus.REPLACED
    new = GraduationCertificate.objects.get(registration=finished, status="valid")
    assert new.outcome == "graduated"


def test_revoke_and_reissue(staff, world, finished):
    cert = services.graduate(
        actor=world.user_a, registration=finished, issued_on=datetime.date(2025, 6, 30)
    )
    reissue = reverse("certificates:certificate_reissue", args=[cert.pk])
    empty = staff.post(reissue, {"reason": "", "on": "2025-08-01"})
    assert 'data-field="reason"' in empty.content.decode()
    r = staff.post(reissue, {"reason": "遗失", "on": "2025-08-01"})
    assert r.status_code == 302
    cert.refresh_from_db()
    assert cert.status == CertificateStatus.REPLACED and cert.revoked_reason == "遗失"
    new = GraduationCertificate.objects.get(registration=finished, status="valid")
    revoke = reverse("certificates:certificate_revoke", args=[new.pk])
    r = staff.post(revoke, {"reason": "<script>alert(1)</script>", "on": "2025-09-01"})
    assert r.status_code == 302
    new.refresh_from_db()
    assert new.status == CertificateStatus.REVOKED
    detail = staff.get(r.url).content.decode()
    assert "<script>alert(1)</script>" not in detail and "&lt;script&gt;" in detail
    again = staff.post(revoke, {"reason": "x", "on": "2025-09-02"})
    assert "只有有效的证书可以撤销" in again.content.decode()


def test_over_long_reason_refused(staff, world, finished):
    cert = services.graduate(
        actor=world.user_a, registration=finished, issued_on=datetime.date(2025, 6, 30)
    )
    url = reverse("certificates:certificate_revoke", args=[cert.pk])
    r = staff.post(url, {"reason": "长" * 500, "on": "2025-09-01"})
    assert r.status_code == 200 and 'data-field="reason"' in r.content.decode()
    cert.refresh_from_db()
    assert cert.status == CertificateStatus.VALID


def test_staff_code_on_behalf_and_revoke(staff, world, holder_cert):
    url = reverse("certificates:certificate_codes", args=[holder_cert.pk])
    r = staff.post(url, {"days": "45"})
    vc = VerificationCode.objects.get()
    assert str(vc) in r.content.decode() and vc.created_by == world.user_a
    bad = staff.post(url, {"days": "200"})
    assert 'data-field="days"' in bad.content.decode() and "30至180天" in bad.content.decode()
    revoke = reverse("certificates:certificate_code_revoke", args=[holder_cert.pk, vc.pk])
    assert staff.post(revoke).status_code == 302
    vc.refresh_from_db()
    assert vc.revoked_at is not None


def test_another_schools_certificate_is_404(client, world, holder_cert, other_cert):
    client.force_login(world.user_a)
    vc = services.verification_code_create(actor=world.user_b, certificate=other_cert, days=30)
    pk = other_cert.pk
    for name in ("certificate_revoke", "certificate_reissue", "certificate_exchange"):
        url = reverse(f"certificates:{name}", args=[pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"reason": "x", "on": "2025-08-01"}).status_code == 404
    codes_url = reverse("certificates:certificate_codes", args=[pk])
    assert client.get(codes_url).status_code == 404
    assert client.post(codes_url, {"days": "30"}).status_code == 404
    revoke = reverse("certificates:certificate_code_revoke", args=[pk, vc.pk])
    assert client.post(revoke).status_code == 404
    # the code of another school cannot be reached through one's own certificate either
    mine = reverse("certificates:certificate_code_revoke", args=[holder_cert.pk, vc.pk])
    assert client.post(mine).status_code == 404
    grad_url = reverse("certificates:registration_graduate", args=[world.reg_b.pk])
    assert client.get(grad_url).status_code == 404
    assert (
        client.post(grad_url, {"outcome": "graduated", "issued_on": "2025-06-30"}).status_code
        == 404
    )
    other_cert.refresh_from_db()
    vc.refresh_from_db()
    assert other_cert.status == CertificateStatus.VALID and vc.revoked_at is None
    assert VerificationCode.objects.count() == 1


def test_certificate_detail_offers_actions_in_scope_only(client, world, holder_cert):
    client.force_login(world.user_a)
    body = client.get(
        reverse("certificates:graduationcertificate_detail", args=[holder_cert.pk])
    ).content.decode()
    assert reverse("certificates:certificate_codes", args=[holder_cert.pk]) in body
    assert reverse("certificates:certificate_revoke", args=[holder_cert.pk]) in body
