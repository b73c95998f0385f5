"""Graduates' self-service (issue 15): register with the proof of identity, the school's
one-time invitation, recovery with the same proof; the limits of /verify/."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from jigong.core.models import AuditLog, Role, User
from jigong.graduates import services
from jigong.graduates.models import GraduateInvitation
from jigong.public import ratelimit
from tests import factories as f

REGISTER = "/graduates/register/"
RECOVER = "/graduates/recover/"
PASSWORD = "Qing-Shan-2025-lv"
UNIFORM = "未能核实您的身份"  # the one refusal of every kind of miss


@pytest.fixture(autouse=True)
def _fresh_limits():
    from django.core.cache import cache

    cache.clear()
    ratelimit.forget_leases()
    yield
    cache.clear()
    ratelimit.forget_leases()


@pytest.fixture
def holder(world):
    """张晓明's certificate at school_a (2022 intake), with no account yet."""
    return f.graduated_certificate(
        world.school_a, world.user_a, name="张晓明", birth=datetime.date(2006, 3, 1)
    )


@pytest.fixture
def other(world):
    return f.graduated_certificate(
        world.school_b, world.user_b, name="赵强", birth=datetime.date(2006, 4, 1), area="500101"
    )


def proof(cert, **changes):
    person = cert.registration.person
    data = {
        "id_number": person.id_number,
        "name": person.name,
        "certificate_number": cert.number,
        "enrolled_year": str(cert.registration.enrolled_on.year),
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(changes)
    return data


def client_at(ip: str) -> Client:
    return Client(REMOTE_ADDR=ip)


def test_register_match_logs_in_and_sees_own_records_only(holder, other):
    c = client_at("10.0.0.1")
    r = c.post(REGISTER, proof(holder))
    assert r.status_code == 302 and r["Location"] == "/graduate/"
    account = User.objects.get(person=holder.registration.person)
    assert account.role == Role.GRADUATE and account.check_password(PASSWORD)
    body = c.get("/graduate/").content.decode()
    assert holder.number in body and other.number not in body
    # another person's ids → 404
    assert c.post(f"/graduate/certificates/{other.pk}/codes/", {"days": "30"}).status_code == 404
    assert c.post(f"/graduate/certificates/{other.pk}/pdf/").status_code == 404
    row = AuditLog.objects.get(act="graduate_account.register")
    assert row.actor == account and holder.registration.person.id_number not in str(row.after)


def test_register_with_a_skill_certificate(world, holder):
    from jigong.certificates import services as certificates
    from jigong.schools import services as schools

    schools.designation_add(
        actor=world.municipal, school=world.school_a, kind="evaluation_institution", year=2025
    )
    skill = certificates.skill_certificate_create(
        actor=world.user_a,
        person=holder.registration.person,
        number="S500000000000000000123",
        occupation_code="6-18-01-01",
        occupation_name="车工",
        level=4,
        issued_on=datetime.date(2025, 6, 1),
        evaluator=world.school_a,
    )
    r = client_at("10.0.0.2").post(REGISTER, proof(holder, certificate_number=skill.number))
    assert r.status_code == 302
    assert User.objects.filter(person=holder.registration.person).exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"id_number": "110101200603010011"},  # another ID
        {"id_number": "12345"},  # malformed
        {"name": "张小明"},
        {"certificate_number": "2025CQ0000000001X"},
        {"enrolled_year": "2021"},
        {"enrolled_year": "abcd"},
        "other's certificate",
    ],
)
def test_every_kind_of_miss_gives_the_same_refusal(holder, other, changes):
    if changes == "other's certificate":
        changes = {"certificate_number": other.number}
    r = client_at("10.0.0.3").post(REGISTER, proof(holder, **changes))
    assert r.status_code == 200
    body = r.content.decode()
    assert UNIFORM in body
    # nothing names a field: no error beside any input, the form comes back empty
    assert 'class="errorlist' not in body and "data-field=" not in body
    assert holder.registration.person.id_number not in body and holder.number not in body
    assert not User.objects.filter(role=Role.GRADUATE, person__isnull=False).exists()


def test_a_flood_meets_the_challenge_then_the_limit(holder, settings):
    settings.JIGONG_VERIFY_MISSES_BEFORE_CHALLENGE = (3, 3600)
    settings.JIGONG_VERIFY_MISSES_PER_NUMBER = (4, 3600)
    wrong = proof(holder, name="王五")
    c = client_at("10.0.1.1")
    for _ in range(3):
        assert UNIFORM in c.post(REGISTER, wrong).content.decode()
    # the client's misses bring the challenge: the right proof is not even checked
    r = c.post(REGISTER, proof(holder))
    assert "人机验证" in r.content.decode() and not User.objects.filter(person__isnull=False)
    # many addresses, one ID number: the number's budget brings the challenge for all
    for i in range(2, 3):
        client_at(f"10.0.2.{i}").post(REGISTER, wrong)
    r = client_at("10.0.3.1").post(REGISTER, proof(holder))
    assert "人机验证" in r.content.decode()
    assert not User.objects.filter(person__isnull=False).exists()


def test_per_client_and_id_number_limit_answers_429(holder, settings):
    settings.JIGONG_VERIFY_MISSES_BEFORE_CHALLENGE = (100, 3600)
    settings.JIGONG_VERIFY_MISSES_PER_NUMBER = (100, 3600)
    settings.JIGONG_VERIFY_MISSES_PER_CLIENT_NUMBER = (5, 3600)
    c = client_at("10.0.4.1")
    for _ in range(5):
        c.post(REGISTER, proof(holder, name="王五"))
    r = c.post(REGISTER, proof(holder))
    assert r.status_code == 429 and "过于频繁" in r.content.decode()
    # another client with the right proof is not denied by that flood
    assert client_at("10.0.4.2").post(REGISTER, proof(holder)).status_code == 302


def test_weak_password_is_refused_before_the_proof_is_checked(holder):
    r = client_at("10.0.5.1").post(REGISTER, proof(holder, password1="123", password2="123"))
    body = r.content.decode()
    assert r.status_code == 200 and "密码" in body and UNIFORM not in body
    assert not User.objects.filter(person__isnull=False).exists()


def test_an_id_number_already_linked_is_refused_without_saying_whose(holder):
    assert client_at("10.0.6.1").post(REGISTER, proof(holder)).status_code == 302
    account = User.objects.get(person=holder.registration.person)
    r = client_at("10.0.6.2").post(
        REGISTER, proof(holder, password1="Another-Pass-77x", password2="Another-Pass-77x")
    )
    body = r.content.decode()
    assert "已开通" in body and RECOVER in body and account.username not in body
    assert User.objects.filter(person=holder.registration.person).count() == 1


# --- recovery ------------------------------------------------------------------------


def test_recovery_sets_a_new_password_and_ends_the_old_sessions(holder):
    old = client_at("10.0.7.1")
    assert old.post(REGISTER, proof(holder)).status_code == 302
    assert old.get("/graduate/").status_code == 200
    new_password = "Jia-Ling-Jiang-88"
    r = client_at("10.0.7.2").post(
        RECOVER, proof(holder, password1=new_password, password2=new_password)
    )
    assert r.status_code == 302 and r["Location"] == "/graduate/"
    account = User.objects.get(person=holder.registration.person)
    assert account.check_password(new_password)
    # the session opened before the recovery has ended
    assert old.get("/graduate/").status_code == 302
    assert AuditLog.objects.filter(act="graduate_account.recover", actor=account).exists()


def test_recovery_misses_are_uniform_and_limited_like_registration(holder, settings):
    client_at("10.0.8.1").post(REGISTER, proof(holder))
    settings.JIGONG_VERIFY_MISSES_PER_CLIENT_NUMBER = (2, 3600)
    settings.JIGONG_VERIFY_MISSES_BEFORE_CHALLENGE = (100, 3600)
    c = client_at("10.0.8.2")
    body = c.post(RECOVER, proof(holder, enrolled_year="2020")).content.decode()
    assert UNIFORM in body
    # registration and recovery share the budgets of the ID number
    c.post(REGISTER, proof(holder, enrolled_year="2020"))
    assert c.post(RECOVER, proof(holder)).status_code == 429


# --- invitation by the school --------------------------------------------------------


def _invite(client, registration):
    r = client.post(f"/registrations/{registration.pk}/graduate-invitation/")
    return r


def test_invitation_link_opens_once_and_links_the_person(world, holder, client):
    client.force_login(world.user_a)
    r = _invite(client, holder.registration)
    assert r.status_code == 200
    body = r.content.decode()
    link = GraduateInvitation.link_in(body)
    assert link and "14" in body and "打印" in body
    assert AuditLog.objects.filter(act="graduate_account.invite", actor=world.user_a).exists()
    student = client_at("10.0.9.1")
    page = student.get(link)
    assert page.status_code == 200 and "设置密码" in page.content.decode()
    r = student.post(link, {"password1": PASSWORD, "password2": PASSWORD})
    assert r.status_code == 302 and r["Location"] == "/graduate/"
    account = User.objects.get(person=holder.registration.person)
    assert account.role == Role.GRADUATE
    assert holder.number in student.get("/graduate/").content.decode()
    # once only
    again = client_at("10.0.9.2").post(link, {"password1": PASSWORD, "password2": PASSWORD})
    assert "已失效" in again.content.decode()
    assert User.objects.filter(person=holder.registration.person).count() == 1


def test_expired_invitation_is_refused(world, holder):
    past = timezone.now() - datetime.timedelta(days=15)
    _, token = services.graduate_account_invite(
        actor=world.user_a, registration=holder.registration, now=past
    )
    r = client_at("10.0.9.3").post(
        f"/graduates/invitation/{token}/", {"password1": PASSWORD, "password2": PASSWORD}
    )
    assert "已失效" in r.content.decode()
    assert not User.objects.filter(person=holder.registration.person).exists()


def test_invitation_of_another_schools_registration_is_404(world, other, client):
    client.force_login(world.user_a)
    assert _invite(client, other.registration).status_code == 404
    assert not GraduateInvitation.objects.exists()


def test_invitation_needs_a_graduate(world, client):
    client.force_login(world.user_a)
    r = _invite(client, world.reg_a)  # 在籍, no certificate
    assert "毕业" in r.content.decode()
    assert not GraduateInvitation.objects.exists()


def test_the_registration_page_offers_the_invitation(world, holder, client):
    client.force_login(world.user_a)
    body = client.get(f"/registrations/{holder.registration.pk}/").content.decode()
    assert "graduate-invitation" in body


def test_login_and_verify_pages_link_to_self_service(client):
    for page in ("/accounts/login/", "/verify/"):
        body = client.get(page).content.decode()
        assert REGISTER in body and RECOVER in body, page


def test_every_kind_of_miss_costs_the_same_queries(holder, other):
    """No timing tells a right ID number and name from a wrong one: the register is read
    the same way whatever was wrong."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jigong.graduates import selectors

    def cost(**changes) -> int:
        data = proof(holder, **changes)
        with CaptureQueriesContext(connection) as q:
            found = selectors.person_by_proof(
                id_number=data["id_number"],
                name=data["name"],
                certificate_number=data["certificate_number"],
                enrolled_year=data["enrolled_year"],
            )
        assert found is None
        return len(q)

    costs = {
        "id": cost(id_number="110101200603010011"),
        "name": cost(name="张小明"),
        "number": cost(certificate_number=other.number),
        "year": cost(enrolled_year="2021"),
        "bad year": cost(enrolled_year="abcd"),
        "year out of range": cost(enrolled_year="99999"),
    }
    assert len(set(costs.values())) == 1, costs


@pytest.mark.parametrize(
    "value", ["\x00", "x" * 5000, "１２３４", "' OR 1=1 --", "<script>", "\U0001f600" * 10]
)
def test_bad_input_never_fails_the_pages(holder, value):
    """Any value in any field: a page with a Chinese message, never a 500."""
    c = client_at("10.0.10.1")
    for field in ("id_number", "name", "certificate_number", "enrolled_year", "password1"):
        for url in (REGISTER, RECOVER):
            r = c.post(url, proof(holder, **{field: value}))
            assert r.status_code in (200, 429), (url, field, r.status_code)
    r = c.post("/graduates/invitation/nope/", {"password1": value, "password2": value})
    assert r.status_code == 200 and "已失效" in r.content.decode()
