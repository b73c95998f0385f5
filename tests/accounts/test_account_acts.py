"""Accounts managed down the hierarchy (issue 15): each change an audited act; who may
(the city: bureaus' and any; a district: its schools'; a school's 管理员: its own
school's clerks), scope before rules, no duty granted beyond one's own, disable (never
delete) ends the account's sessions and API keys at once, a reset link is good once and
for 24 hours and forces a password meeting the complexity rules."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from jigong.accounts import selectors, services
from jigong.core.models import ApiKey, AuditLog, Duty, Role, User
from jigong.public import services as public_services
from tests import factories as f

pytestmark = pytest.mark.django_db
GOOD = "Xin-Mima-2025!"


def _logs_in(username, password) -> bool:
    r = Client().post("/accounts/login/", {"username": username, "password": password})
    return r.status_code == 302


def _admin(world, **kw):
    """school_a's administrator (duty 管理员 and the clerks' duties)."""
    u = f.user("school", school=world.school_a, username=kw.get("username", "a_admin"))
    u.duties = kw.get("duties", [Duty.ADMIN, Duty.RECORDS, Duty.CERTIFICATES])
    u.save(update_fields=["duties"])
    return u


def test_district_creates_an_administrator_of_its_school_audited(world):
    issued = services.account_create(
        actor=world.district_a,
        username="jia_admin",
        display_name="甲校管理员",
        role=Role.SCHOOL,
        school=world.school_a,
        duties=[Duty.ADMIN, Duty.RECORDS, Duty.CERTIFICATES],
    )
    u = issued.account
    assert u.role == Role.SCHOOL and u.school == world.school_a
    assert set(u.duties) == {Duty.ADMIN, Duty.RECORDS, Duty.CERTIFICATES}
    assert not u.has_usable_password() and issued.url.startswith("/accounts/password-link/")
    row = AuditLog.objects.get(act="account.create")
    assert row.actor == world.district_a and row.object_id == str(u.pk)
    assert row.school_id == world.school_a.pk and row.after["duties"] == [
        "records",
        "certificates",
        "admin",
    ]


def test_district_cannot_create_for_another_district_nor_bureau_accounts(world):
    before = (User.objects.count(), AuditLog.objects.count())
    with pytest.raises(PermissionDenied, match="超出"):
        services.account_create(
            actor=world.district_a,
            username="x1",
            display_name="万州",
            role=Role.SCHOOL,
            school=world.school_b,
            duties=[Duty.RECORDS],
        )
    with pytest.raises(PermissionDenied, match="区县人社局"):
        services.account_create(
            actor=world.district_a,
            username="x2",
            display_name="区县",
            role=Role.DISTRICT,
            district=world.school_a.district,
            duties=[Duty.REVIEW],
        )
    assert (User.objects.count(), AuditLog.objects.count()) == before


def test_school_admin_manages_only_its_clerks_and_grants_only_held_duties(world):
    admin = _admin(world)
    clerk = services.account_create(
        actor=admin,
        username="jia_xueji",
        display_name="学籍员",
        role=Role.SCHOOL,
        school=world.school_a,
        duties=[Duty.RECORDS],
    ).account
    with pytest.raises(PermissionDenied, match="“招生”"):
        services.account_create(
            actor=admin,
            username="jia_zs",
            display_name="招生员",
            role=Role.SCHOOL,
            school=world.school_a,
            duties=[Duty.ENROLMENT],
        )
    with pytest.raises(PermissionDenied, match="“招生”"):
        services.account_set_duties(actor=admin, account=clerk, duties=[Duty.ENROLMENT])
    services.account_set_duties(actor=admin, account=clerk, duties=[Duty.CERTIFICATES])
    clerk.refresh_from_db()
    assert clerk.duties == [Duty.CERTIFICATES]
    # another school's account: out of scope, whatever is asked
    with pytest.raises(PermissionDenied):
        services.account_set_duties(actor=admin, account=world.user_b, duties=[Duty.RECORDS])
    with pytest.raises(PermissionDenied):
        services.account_disable(actor=admin, account=world.user_b, reason="离职")
    assert world.user_b.duties is None
    # a clerk without 管理员 manages no one
    with pytest.raises(PermissionDenied, match="须具有“管理员”职责"):
        services.account_disable(actor=clerk, account=admin, reason="离职")
    # the menu's selector lists the school's accounts only
    listed = set(selectors.account_list(user=admin).values_list("username", flat=True))
    assert "jia_xueji" in listed and "school_b" not in listed and "yuzhong" not in listed


def test_duty_of_another_role_is_refused_naming_it(world):
    with pytest.raises(ValidationError, match="“审核”不是学校账号的职责"):
        services.account_create(
            actor=world.municipal,
            username="x3",
            display_name="x",
            role=Role.SCHOOL,
            school=world.school_a,
            duties=[Duty.REVIEW],
        )


def test_disable_ends_sessions_and_api_keys_and_login_refuses(world):
    dept = world.department
    issued = public_services.api_key_create(
        actor=world.municipal, name="市征兵办", scopes=["verify"], holder=dept
    )
    browser = Client()
    r = browser.post("/accounts/login/", {"username": "school_a", "password": "Jigong-Test-2025"})
    assert r.status_code == 302 and browser.get("/registrations/").status_code == 200
    services.account_disable(actor=world.district_a, account=world.user_a, reason="离职")
    services.account_disable(actor=world.municipal, account=dept, reason="部门撤并")
    # the open session ends at once: the next request goes to the log-in page
    r = browser.get("/registrations/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")
    key = ApiKey.objects.get(pk=issued.api_key.pk)
    assert key.revoked_at is not None
    r = Client().get("/api/v1/department/verify?number=1&name=x", HTTP_X_API_KEY=issued.key)
    assert r.status_code in (401, 403)
    r = Client().post("/accounts/login/", {"username": "school_a", "password": "Jigong-Test-2025"})
    assert "该账号已停用" in r.content.decode()
    row = AuditLog.objects.get(act="account.disable", object_id=str(world.user_a.pk))
    assert "离职" in row.message and row.after["sessions_ended"] == 1
    row = AuditLog.objects.get(act="account.disable", object_id=str(dept.pk))
    assert row.after["api_keys_revoked"] == [issued.api_key.prefix]
    assert User.objects.filter(pk=world.user_a.pk).exists()  # never deleted
    services.account_enable(actor=world.district_a, account=world.user_a)
    assert _logs_in("school_a", "Jigong-Test-2025")


def test_reset_link_once_within_24_hours_with_complexity(world):
    issued = services.account_reset_password(actor=world.district_a, account=world.user_a)
    token = issued.url.rstrip("/").rsplit("/", 1)[1]
    anon = Client()
    r = anon.post(issued.url, {"new_password1": "abc", "new_password2": "abc"})
    assert r.status_code == 200 and "密码太短" in r.content.decode()
    r = anon.post(issued.url, {"new_password1": GOOD, "new_password2": GOOD})
    assert r.status_code == 302
    assert _logs_in("school_a", GOOD)
    # once only
    r = anon.post(issued.url, {"new_password1": GOOD + "x", "new_password2": GOOD + "x"})
    assert r.status_code == 404 and "链接无效或已过期" in r.content.decode()
    # 24 hours
    late = services.account_reset_password(actor=world.municipal, account=world.user_a)
    link = selectors.password_link_get(token=late.url.rstrip("/").rsplit("/", 1)[1])
    type(link).objects.filter(pk=link.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=25),
        expires_at=timezone.now() - datetime.timedelta(hours=1),
    )
    r = anon.get(late.url)
    assert r.status_code == 404
    assert token and AuditLog.objects.filter(act="account.reset_password").count() == 2
    assert AuditLog.objects.filter(act="account.password_by_link").count() == 1


def test_totp_required_for_a_role_by_the_city_only(world):
    from jigong.security import services as security

    with pytest.raises(PermissionDenied):
        security.totp_require_for_role(actor=world.district_a, role=Role.DISTRICT, required=True)
    security.totp_require_for_role(actor=world.municipal, role=Role.DISTRICT, required=True)
    assert security.otp_required(world.district_a) and not security.otp_required(world.user_a)
    world.district_a.refresh_from_db()
    c = Client()
    c.force_login(world.district_a)
    r = c.get("/registrations/")
    assert r.status_code == 302 and "/accounts/otp/setup/" in r["Location"]
    assert AuditLog.objects.filter(act="totp.require_for_role").count() == 1
