"""Single sign-on (issue 15) against a real OpenID provider run on loopback
(tests/oidc_provider): staff map to registered accounts, citizens to graduates by
身份证号, bad ID tokens and replayed callbacks are refused in Chinese and logged."""

import datetime

import pytest
from django.contrib.auth import SESSION_KEY

from jigong.accounts import services as accounts
from jigong.core.models import AuditLog, Role, User
from tests import factories as f
from tests.oidc_provider import fixture as idp

pytestmark = pytest.mark.xdist_group("sso")  # one provider process per module
PW = "idp-password"


@pytest.fixture(scope="module")
def provider():
    p = idp.start()
    yield p
    p.stop()


@pytest.fixture(autouse=True)
def sso_on(settings, provider):
    for k, v in provider.settings().items():
        setattr(settings, k, v)
    provider.misbehave("")
    yield
    provider.misbehave("")


def sso(client, provider, username, *, next_=""):
    r = client.get("/oidc/authenticate/" + (f"?next={next_}" if next_ else ""))
    assert r.status_code == 302 and r["Location"].startswith(provider.issuer)
    back = idp.log_in_at_provider(r["Location"], username, PW)
    assert back.startswith("http://testserver/oidc/callback/?")
    return client.get(back.removeprefix("http://testserver")), back


def logged_in(client):
    return client.session.get(SESSION_KEY)


def refusals():
    return list(
        AuditLog.objects.filter(
            action=AuditLog.Action.LOGIN, message__startswith="统一身份认证登录被拒绝"
        ).values_list("message", flat=True)
    )


def test_staff_login_maps_to_the_registered_account(client, world, provider):
    accounts.account_set_sso_id(actor=world.district_a, account=world.user_a, sso_id="GZ-00017")
    provider.add_user("gov-17", PW, staff_id="GZ-00017")
    before = User.objects.count()
    client.get("/accounts/login/")
    anonymous_key = client.session.session_key
    r, _ = sso(client, provider, "gov-17")
    assert r.status_code == 302 and r["Location"] == "/"
    assert logged_in(client) == str(world.user_a.pk)
    assert client.session.session_key != anonymous_key  # rotated at log-in
    assert User.objects.count() == before  # never creates a staff account
    assert AuditLog.objects.filter(actor=world.user_a, action=AuditLog.Action.LOGIN).exists()
    assert client.get("/").status_code == 200


def test_unregistered_staff_claim_is_refused_and_creates_nothing(client, world, provider):
    provider.add_user("gov-99", PW, staff_id="GZ-99999")
    before = User.objects.count()
    r, _ = sso(client, provider, "gov-99")
    assert r.status_code == 302 and r["Location"] == "/accounts/login/"
    page = client.get("/accounts/login/").content.decode()
    assert "统一身份认证账号“GZ-99999”未登记" in page
    assert not logged_in(client) and User.objects.count() == before
    assert any("GZ-99999" in m for m in refusals())


def test_a_disabled_staff_account_is_refused_like_the_password_log_in(client, world, provider):
    accounts.account_set_sso_id(actor=world.district_a, account=world.user_a, sso_id="GZ-5")
    accounts.account_disable(actor=world.district_a, account=world.user_a, reason="调离")
    provider.add_user("gov-5", PW, staff_id="GZ-5")
    r, _ = sso(client, provider, "gov-5")
    assert not logged_in(client)
    assert "该账号已停用，不能登录" in client.get(r["Location"]).content.decode()


def test_a_citizen_opens_their_graduate_account_and_lands_on_their_records(client, world, provider):
    cert = f.graduated_certificate(
        world.school_a, world.user_a, name="陈静", birth=datetime.date(2006, 4, 4)
    )
    person = cert.registration.person
    provider.add_user("cq-chen", PW, id_number=person.id_number, amr=["pwd"])
    r, _ = sso(client, provider, "cq-chen")
    assert r.status_code == 302 and r["Location"] == "/graduate/"
    user = User.objects.get(pk=logged_in(client))
    assert user.role == Role.GRADUATE and user.person == person
    assert not user.has_usable_password()
    assert AuditLog.objects.filter(act="graduate_account.open_by_sso", object_id=str(user.pk))
    page = client.get("/graduate/").content.decode()
    assert cert.number in page

    # the second log-in reaches the same account
    client.logout()
    sso(client, provider, "cq-chen")
    assert logged_in(client) == str(user.pk)
    assert User.objects.filter(person=person).count() == 1


def test_a_citizen_with_an_account_logs_into_it(client, world, provider):
    cert = f.graduated_certificate(
        world.school_a, world.user_a, name="罗刚", birth=datetime.date(2005, 2, 2)
    )
    world.graduate.person = cert.registration.person
    world.graduate.save(update_fields=["person"])
    provider.add_user("cq-luo", PW, id_number=cert.registration.person.id_number)
    sso(client, provider, "cq-luo")
    assert logged_in(client) == str(world.graduate.pk)


def test_a_citizen_on_no_register_is_told_so_and_nothing_about_whom(client, world, provider):
    number = f.id_number(birth=datetime.date(2001, 1, 1))  # nobody's on the register
    # a student of the register without a certificate is no graduate either
    provider.add_user("cq-nobody", PW, id_number=number)
    before = User.objects.count()
    r, _ = sso(client, provider, "cq-nobody")
    text = r.content.decode()
    assert r.status_code == 403 and "未在本平台的技工院校毕业生登记中找到您的身份信息" in text
    assert number not in text and not logged_in(client)
    assert User.objects.count() == before
    assert any("不在毕业生登记中" in m for m in refusals())


@pytest.mark.parametrize(
    "mode,said",
    [
        ("wrong_iss", "签发方不符"),
        ("wrong_aud", "受众不是本平台"),
        ("wrong_key", "签名无效"),
        ("expired", "已过期"),
    ],
)
def test_a_bad_id_token_is_refused_in_chinese_and_logged(client, world, provider, mode, said):
    accounts.account_set_sso_id(actor=world.district_a, account=world.user_a, sso_id="GZ-1")
    provider.add_user("gov-1", PW, staff_id="GZ-1")
    provider.misbehave(mode)
    r, _ = sso(client, provider, "gov-1")
    assert r.status_code == 302 and r["Location"] == "/accounts/login/"
    assert not logged_in(client)
    page = client.get("/accounts/login/").content.decode()
    assert "统一身份认证失败" in page and said in page
    assert any(said in m for m in refusals())


def test_a_replayed_or_forged_callback_is_refused(client, world, provider):
    accounts.account_set_sso_id(actor=world.district_a, account=world.user_a, sso_id="GZ-2")
    provider.add_user("gov-2", PW, staff_id="GZ-2")
    r, back = sso(client, provider, "gov-2")
    assert logged_in(client) == str(world.user_a.pk)
    client.logout()

    # the same callback again (its state was spent), in that browser and in another
    for c in (client, type(client)()):
        r = c.get(back.removeprefix("http://testserver"))
        assert r.status_code == 302 and r["Location"] == "/accounts/login/"
        assert "重复提交" in c.get("/accounts/login/").content.decode()
        assert not logged_in(c)

    # a state this session never sent, with a code of another log-in
    r = client.get("/oidc/authenticate/")
    other = type(client)()
    r2 = other.get("/oidc/authenticate/")
    foreign = idp.log_in_at_provider(r2["Location"], "gov-2", PW)
    r = client.get(foreign.removeprefix("http://testserver"))
    assert r.status_code == 302 and not logged_in(client)
    assert len(refusals()) >= 3


def test_a_spent_code_under_a_fresh_state_is_refused_by_the_provider(client, world, provider):
    """The code of a finished log-in, replayed with a state this browser did send: the
    provider refuses the code (spent, and not this request's PKCE verifier)."""
    from urllib.parse import parse_qs, urlsplit

    accounts.account_set_sso_id(actor=world.district_a, account=world.user_a, sso_id="GZ-4")
    provider.add_user("gov-4", PW, staff_id="GZ-4")
    victim = type(client)()
    _, back = sso(victim, provider, "gov-4")
    code = parse_qs(urlsplit(back).query)["code"][0]

    r = client.get("/oidc/authenticate/")
    state = parse_qs(urlsplit(r["Location"]).query)["state"][0]
    r = client.get("/oidc/callback/", {"code": code, "state": state})
    assert r.status_code == 302 and r["Location"] == "/accounts/login/"
    assert "统一身份认证平台未能确认本次登录" in client.get("/accounts/login/").content.decode()
    assert not logged_in(client)
    assert any("令牌端点拒绝授权码" in m for m in refusals())


def test_an_id_number_claim_breaking_gb_11643_is_refused_masked(client, world, provider):
    bad = f.id_number(birth=datetime.date(2006, 1, 1))
    bad = bad[:17] + ("0" if bad[17] != "0" else "1")  # wrong check digit
    provider.add_user("cq-bad", PW, id_number=bad)
    r, _ = sso(client, provider, "cq-bad")
    page = client.get(r["Location"]).content.decode()
    assert "身份证号不合规" in page and "校验位错误" in page
    assert bad not in page and bad[:4] in page and not logged_in(client)


def test_a_cancelled_log_in_or_an_unreachable_provider_is_a_message(client, db, settings):
    r = client.get("/oidc/callback/", {"error": "access_denied", "state": "x"})
    assert r.status_code == 302 and r["Location"] == "/accounts/login/"
    assert "access_denied" in client.get("/accounts/login/").content.decode()
    settings.JIGONG_OIDC_ISSUER = "http://127.0.0.1:9/nowhere"  # nothing listens
    r = client.get("/oidc/authenticate/")
    assert r.status_code == 302 and r["Location"] == "/accounts/login/"
    assert "暂时无法连接统一身份认证平台" in client.get("/accounts/login/").content.decode()


def test_local_passwords_off_for_a_role(client, world, settings):
    settings.JIGONG_OIDC_PASSWORD_OFF_ROLES = ("district", "school")
    r = client.post("/accounts/login/", {"username": "school_a", "password": "Jigong-Test-2025"})
    text = r.content.decode()
    assert r.status_code == 200 and not logged_in(client)
    assert "学校管理员账号不能使用密码登录" in text and "统一身份认证登录" in text
    r = client.post("/accounts/login/", {"username": "city", "password": "Jigong-Test-2025"})
    assert r.status_code == 302 and logged_in(client) == str(world.municipal.pk)


def test_totp_is_still_asked_unless_the_provider_says_it_asked_a_second_factor(
    client, world, provider, settings
):
    settings.JIGONG_OTP_REQUIRED_ROLES = ("school",)
    accounts.account_set_sso_id(actor=world.district_a, account=world.user_a, sso_id="GZ-3")
    provider.add_user("gov-3", PW, staff_id="GZ-3")
    sso(client, provider, "gov-3")
    assert client.get("/")["Location"].startswith("/accounts/otp/setup/")

    client.logout()
    provider.add_user("gov-3", PW, staff_id="GZ-3", amr=["pwd", "otp"])
    sso(client, provider, "gov-3")
    assert client.get("/").status_code == 200


def test_without_configuration_there_is_no_sso_button(client, db, settings):
    settings.JIGONG_OIDC_ISSUER = ""
    page = client.get("/accounts/login/").content.decode()
    assert "统一身份认证登录" not in page
    assert client.get("/oidc/authenticate/").status_code == 404
    settings.JIGONG_OIDC_ISSUER = "http://127.0.0.1:1/o"
    assert "统一身份认证登录" in client.get("/accounts/login/").content.decode()


def test_the_provider_keys_are_fetched_once_for_many_log_ins_and_again_after_a_rotation(
    client, world, provider
):
    from jigong.sso import backend

    backend.forget_keys()
    accounts.account_set_sso_id(actor=world.district_a, account=world.user_a, sso_id="GZ-00031")
    provider.add_user("gov-31", PW, staff_id="GZ-00031")
    before = provider.jwks_hits()
    for _ in range(3):
        client.logout()
        sso(client, provider, "gov-31")
        assert logged_in(client) == str(world.user_a.pk)
    assert provider.jwks_hits() - before == 1  # one key-set fetch for three log-ins
    # the provider rotates its signing key: the unknown key is fetched once, at once
    provider.rotate_key()
    client.logout()
    sso(client, provider, "gov-31")
    assert logged_in(client) == str(world.user_a.pk)
    assert provider.jwks_hits() - before == 2
    assert not refusals()
