"""Hypothesis over the account forms: log-in, password change, TOTP set-up, check and
removal, log-out. Each example runs in a savepoint rolled back afterwards."""

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import given
from hypothesis import strategies as st

from jigong.core.models import AuditLog
from jigong.security import services as otp

from .conftest import FUZZ
from .harness import CJK, form_of, post_and_check
from .strategies import hostile_text

PASSWORD = "Jigong-Test-2025"  # tests/factories.py
USERNAMES = ["city", "yuzhong", "school_a", "grad", "dept", "nobody"]


def _token(device, drift: int = 0) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift)
    return f"{value:0{device.digits}d}"


def _accepted(device) -> set[str]:
    """The codes a device accepts now (its tolerance: one step either side), so that a
    check made a moment after the post does not race the 30-second step."""
    return {_token(device, drift) for drift in (-2, -1, 0, 1, 2)}


def _tokens():
    return st.one_of(
        st.just("<current>"),
        st.from_regex(r"\A[0-9]{6}\Z"),
        hostile_text(12),
        st.sampled_from(["１２３４５６", " 123 456 ", "000000", "9" * 13, "-12345"]),
    )


@pytest.mark.django_db
def test_login_form(accounts):
    """Right credentials log in (an audit row of the log-in); anything else is the form
    again with a Chinese message, or the Chinese lock-out page, never a 5xx."""

    @FUZZ
    @given(
        st.sampled_from(USERNAMES) | hostile_text(150),
        st.sampled_from([PASSWORD, PASSWORD.lower(), ""]) | hostile_text(128),
    )
    def fuzz(username, password):
        client = Client()
        before = AuditLog.objects.filter(action=AuditLog.Action.LOGIN).count()
        response = client.post("/accounts/login/", {"username": username, "password": password})
        assert response.status_code < 500, (username, password, response.status_code)
        ok = username in USERNAMES[:-1] and password == PASSWORD and "\x00" not in username
        if response.status_code == 302:
            assert ok, (username, password)
            assert AuditLog.objects.filter(action=AuditLog.Action.LOGIN).count() == before + 1
        elif response.status_code == 200:
            form = form_of(response)
            messages = [str(e) for errs in form.errors.values() for e in errs]
            assert messages and all(CJK.search(m) for m in messages), messages
        else:
            assert response.status_code in (403, 429), response.status_code
            assert CJK.search(response.content.decode()), "lock-out page without Chinese"

    fuzz()


@pytest.mark.django_db
def test_password_change_form(accounts):
    user = accounts.users["school"]

    @FUZZ
    @given(
        st.sampled_from([PASSWORD, "wrong"]) | hostile_text(128),
        st.sampled_from(["Chongqing-Jigong-2026!", "12345678", PASSWORD, ""]) | hostile_text(128),
        st.booleans(),
    )
    def fuzz(old, new, repeat_same):
        data = {"old_password": old, "new_password1": new, "new_password2": new}
        if not repeat_same:
            data["new_password2"] = new + "x"
        client = Client()  # a success cycles the session key, which the rollback forgets
        client.force_login(user)
        outcome = post_and_check(client, user, "/accounts/password/change/", data)
        if outcome.kind == "success":
            assert old == PASSWORD and repeat_same, data

    fuzz()


@pytest.mark.django_db
def test_totp_forms(accounts):
    """Set-up (confirm a new device) and the log-in check, with the right code
    sometimes: right → success with an audit row; wrong → Chinese error, nothing written."""
    municipal = accounts.users["municipal"]
    district = accounts.users["district"]
    otp.totp_device_start(actor=district)
    device = TOTPDevice.objects.get(user=district)
    otp.totp_device_confirm(actor=district, token=_token(device))
    verify_client = Client()
    verify_client.force_login(district)

    @FUZZ
    @given(_tokens(), st.booleans())
    def fuzz(token, setup):
        if setup:
            client, user, url = accounts.clients["municipal"], municipal, "/accounts/otp/setup/"
            # an example that enabled TOTP ended the sessions it had (its rows were rolled
            # back, the cached session was not): each example logs in afresh
            client.force_login(municipal)
            assert client.get(url).status_code == 200  # starts the unconfirmed device
            dev = TOTPDevice.objects.get(user=municipal, confirmed=False)
        else:
            client, user, url = verify_client, district, "/accounts/otp/verify/"
            dev = device
        value = _token(dev) if token == "<current>" else token
        outcome = post_and_check(client, user, url, {"token": value}, noop=not setup)
        if outcome.kind in ("success", "unchanged"):
            assert value.strip() in _accepted(dev), value

    fuzz()


@pytest.mark.django_db
def test_logout_and_otp_disable(accounts):
    """Turning TOTP off needs the current code; log-out takes any POST body."""
    district = accounts.users["district"]
    client = accounts.clients["district"]
    otp.totp_device_start(actor=district)
    device = TOTPDevice.objects.get(user=district)
    otp.totp_device_confirm(actor=district, token=_token(device))
    client.force_login(district)  # enabling TOTP ended the sessions it had
    # this session passes the two-step check; the code may then be used once more
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    assert client.post("/accounts/otp/verify/", {"token": _token(device)}).status_code == 302
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    device.refresh_from_db()

    @FUZZ
    @given(_tokens(), st.dictionaries(hostile_text(20), hostile_text(50), max_size=3))
    def fuzz(token, junk):
        value = _token(device) if token == "<current>" else token
        outcome = post_and_check(client, district, "/accounts/otp/disable/", {"token": value})
        if outcome.kind == "success":
            assert value.strip() in _accepted(device)
        response = Client().post("/accounts/logout/", junk)
        assert response.status_code in (302, 400), response.status_code  # 400: a junk key

    fuzz()
