"""Account security: password complexity, session time-outs, TOTP for bureau accounts,
log-in audit, an append-only audit log and its retention."""

import datetime
import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from jigong.core.models import AuditLog, AuditLogProtected
from jigong.security import retention, sessions
from tests import factories as f
from tests.ops.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def code(device: TOTPDevice, offset: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset * device.step
    return f"{totp.token():0{device.digits}d}"


def login(client, username: str, password: str = PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


# --- password policy ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("abcdefghijk", "至少包含大写字母、小写字母、数字、符号中的 3 类，当前只包含 1 类"),
        ("abcdefgh1234", "当前只包含 2 类（小写字母、数字）"),
        ("Abcdefgh1aaaa", "同一字符“a”连续出现了 4 次"),
        ("Short1!", "密码太短：当前 7 个字符，至少需要 10 个字符"),
    ],
)
def test_password_policy_refuses_in_chinese(password, message):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as info:
        validate_password(password)
    assert any(message in m for m in info.value.messages), info.value.messages


@pytest.mark.parametrize("password", ["Jigong-Test-2025", "重庆技工Edu2025", "correct Horse 7x"])
def test_password_policy_accepts(password):
    validate_password(password)


def test_password_change_page_shows_policy_error(client, world):
    client.force_login(world.user_a)
    r = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "abcdefghijkl",
            "new_password2": "abcdefghijkl",
        },
    )
    assert r.status_code == 200 and "当前只包含 1 类" in r.content.decode()


# --- session time-outs -------------------------------------------------------------------


def _age_session(client, *, seen: float = 0, auth: float = 0) -> None:
    session = client.session
    session[sessions.SEEN_AT] -= seen
    session[sessions.AUTH_AT] -= auth
    session.save()


def test_idle_timeout_logs_out(client, world, settings):
    settings.JIGONG_SESSION_IDLE_SECONDS = 1800
    assert login(client, "school_a").status_code == 302
    assert client.get(reverse("home")).status_code == 200
    _age_session(client, seen=1799, auth=1799)
    assert client.get(reverse("home")).status_code == 200  # still inside 30 min
    _age_session(client, seen=1801, auth=1801)
    r = client.get(reverse("schools:school_list"))
    assert r.status_code == 302 and r.url.startswith(reverse("login"))
    r = client.get(r.url)
    assert "会话已超时" in r.content.decode()
    assert "_auth_user_id" not in client.session


def test_absolute_timeout_despite_activity(client, world):
    login(client, "city")
    _age_session(client, auth=8 * 3600 + 1)  # active a second ago, logged in 8 h ago
    r = client.get(reverse("home"))
    assert r.status_code == 302 and "_auth_user_id" not in client.session


def test_api_timeout_answers_401_json(client, world):
    login(client, "city")
    _age_session(client, seen=3600, auth=3600)
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 401 and "会话已超时" in r.json()["detail"]


# --- log-in audit --------------------------------------------------------------------------


def test_login_events_are_audited(client, world):
    assert login(client, "school_a", "wrong-password").status_code == 200
    failed = AuditLog.objects.filter(action="login", message__contains="登录失败").latest("id")
    assert "school_a" in failed.message and failed.actor is None
    login(client, "school_a")
    ok = AuditLog.objects.filter(action="login", actor=world.user_a).latest("id")
    assert "登录成功" in ok.message and ok.school_id == world.school_a.pk
    client.post(reverse("logout"))
    assert AuditLog.objects.filter(actor=world.user_a, message__contains="退出登录").exists()


# --- TOTP second factor --------------------------------------------------------------------


def _enable_totp(client, user) -> TOTPDevice:
    client.force_login(user)
    r = client.get(reverse("security:otp_setup"))
    body = r.content.decode()
    assert r.status_code == 200 and "<svg" in body and 'data-testid="otp-secret"' in body
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    r = client.post(reverse("security:otp_setup"), {"token": "12345"})
    assert "应为 6 位数字" in r.content.decode()
    r = client.post(reverse("security:otp_setup"), {"token": code(device)})
    assert r.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


def test_totp_setup_and_login_second_step(client, world, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # throttling has its own test
    device = _enable_totp(client, world.district_a)
    log = AuditLog.objects.filter(object_type="otp_totp.totpdevice").latest("id")
    assert log.message == "启用两步验证" and "key" not in (log.after or {})
    client.post(reverse("logout"))

    r = login(client, "yuzhong")
    assert r.status_code == 302
    r = client.get(reverse("schools:school_list"))
    assert r.status_code == 302 and r.url.startswith(reverse("security:otp_verify"))
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 403 and "两步验证" in r.json()["detail"]
    r = client.post(reverse("security:otp_verify"), {"token": "000000"})
    assert r.status_code == 200 and "不正确或已过期" in r.content.decode()
    device.refresh_from_db()
    r = client.post(
        reverse("security:otp_verify"),
        {"token": code(device, offset=1), "next": reverse("schools:school_list")},
    )
    assert r.status_code == 302 and r.url == reverse("schools:school_list")
    assert client.get(reverse("schools:school_list")).status_code == 200


def test_totp_guessing_is_throttled(client, world):
    device = _enable_totp(client, world.municipal)
    client.post(reverse("logout"))
    login(client, "city")
    for _ in range(3):
        client.post(reverse("security:otp_verify"), {"token": "000000"})
    r = client.post(reverse("security:otp_verify"), {"token": code(device)})
    assert r.status_code == 429 and "错误次数过多" in r.content.decode()


def test_totp_is_for_staff_accounts_only(client, world):
    """Bureaus and schools (who see whole ID numbers) may set TOTP up; graduates not."""
    client.force_login(world.graduate)
    assert client.get(reverse("security:otp_setup")).status_code == 403
    for user in (world.municipal, world.district_a, world.user_a):
        client.force_login(user)
        assert 'data-testid="otp-link"' in client.get(reverse("home")).content.decode()
        assert client.get(reverse("security:otp_setup")).status_code == 200


def test_totp_required_roles_must_set_up(client, world, settings):
    settings.JIGONG_OTP_REQUIRED_ROLES = ("municipal",)
    login(client, "city")
    r = client.get(reverse("home"))
    assert r.status_code == 302 and r.url.startswith(reverse("security:otp_setup"))
    assert "须启用两步验证" in client.get(r.url).content.decode()


def test_totp_disable_needs_a_current_code(client, world):
    device = _enable_totp(client, world.municipal)
    r = client.post(reverse("security:otp_disable"), {"token": "111111"})
    assert r.status_code == 400 and "不正确或已过期" in r.content.decode()
    assert TOTPDevice.objects.filter(user=world.municipal).exists()
    r = client.post(reverse("security:otp_disable"), {"token": code(device, offset=1)})
    assert r.status_code == 302
    assert not TOTPDevice.objects.filter(user=world.municipal).exists()


# --- the audit log is append-only ------------------------------------------------------------


def test_audit_log_cannot_be_changed_or_deleted(world):
    row = AuditLog.objects.first()
    row.message = "篡改"
    with pytest.raises(AuditLogProtected, match="审计日志只能新增"):
        row.save()
    with pytest.raises(AuditLogProtected):
        row.delete()
    with pytest.raises(AuditLogProtected):
        AuditLog.objects.filter(pk=row.pk).update(message="篡改")
    with pytest.raises(AuditLogProtected):
        AuditLog.objects.all().delete()
    assert AuditLog.objects.get(pk=row.pk).message != "篡改"


def test_deleting_a_user_keeps_its_audit_rows(world):
    user = f.user("school", school=world.school_b, username="temp")
    f.registration(world.school_b, actor=user, name="钱多", id_number=f.id_number())
    rows = AuditLog.objects.filter(actor=user).count()
    assert rows
    user.delete()
    assert AuditLog.objects.filter(actor_name=str(user), actor=None).count() >= rows


def test_admin_audit_log_is_read_only(client, world):
    admin = f.user("municipal", username="root")
    admin.is_superuser = admin.is_staff = True
    admin.save()
    client.force_login(admin)
    row = AuditLog.objects.first()
    url = reverse("admin:core_auditlog_change", args=[row.pk])
    r = client.post(url, {"message": "篡改"})
    assert r.status_code in (302, 403) or "篡改" not in r.content.decode()
    assert AuditLog.objects.get(pk=row.pk).message != "篡改"
    delete = client.post(reverse("admin:core_auditlog_delete", args=[row.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert AuditLog.objects.filter(pk=row.pk).exists()


# --- retention -----------------------------------------------------------------------------


def test_months_before():
    assert retention.months_before(datetime.date(2025, 8, 31), 6) == datetime.date(2025, 2, 28)
    assert retention.months_before(datetime.date(2025, 3, 15), 6) == datetime.date(2024, 9, 15)


def test_purge_refuses_inside_retention_period(world):
    today = timezone.localdate()
    limit = retention.earliest_purgeable(today)
    with pytest.raises(CommandError) as info:
        call_command(
            "purge_audit_log", "--before", (limit + datetime.timedelta(days=1)).isoformat()
        )
    assert "须至少保存 6 个月" in str(info.value) and "（二十四）" in str(info.value)
    with pytest.raises(CommandError, match="不是日期"):
        call_command("purge_audit_log", "--before", "去年")


def test_purge_deletes_only_expired_rows(world):
    old = AuditLog.objects.create(actor_name="系统", action="other", object_type="x")

    with connection.cursor() as cursor:  # age one row past retention (no app path can)
        cursor.execute(
            "UPDATE core_auditlog SET at = %s WHERE id = %s",
            [timezone.now() - datetime.timedelta(days=400), old.pk],
        )
    kept = AuditLog.objects.count() - 1
    call_command("purge_audit_log", "--expired")
    assert not AuditLog.objects.filter(pk=old.pk).exists()
    assert AuditLog.objects.count() == kept + 1  # plus the row recording the purge
    assert AuditLog.objects.latest("id").message.endswith("审计日志 1 条")


def test_school_account_with_totp_needs_the_second_step(client, world, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = _enable_totp(client, world.user_a)
    client.post(reverse("logout"))
    login(client, "school_a")
    r = client.get(reverse("students:registration_list"))
    assert r.status_code == 302 and r.url.startswith(reverse("security:otp_verify"))
    r = client.post(reverse("security:otp_verify"), {"token": code(device, offset=1)})
    assert r.status_code == 302
    assert client.get(reverse("students:registration_list")).status_code == 200
