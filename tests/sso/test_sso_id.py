"""account.set_sso_id (issue 15, single sign-on): the staff claim value an account logs in
with is registered by whoever manages the account, in its scope, one value per account."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jigong.accounts import services as accounts
from jigong.accounts.models import SsoIdentity
from jigong.core.models import AuditLog


def test_the_district_registers_a_school_account_and_the_audit_names_the_act(world):
    accounts.account_set_sso_id(actor=world.district_a, account=world.user_a, sso_id=" GZ-1 ")
    assert SsoIdentity.objects.get(user=world.user_a).value == "GZ-1"
    row = AuditLog.objects.get(act="account.set_sso_id")
    assert row.after == {"sso_id": "GZ-1"} and row.actor == world.district_a
    accounts.account_set_sso_id(actor=world.district_a, account=world.user_a, sso_id="")
    assert not SsoIdentity.objects.filter(user=world.user_a).exists()


def test_another_districts_school_account_is_out_of_reach(world):
    with pytest.raises(PermissionDenied, match="超出您的管理范围"):
        accounts.account_set_sso_id(actor=world.district_a, account=world.user_b, sso_id="X-1")
    assert not SsoIdentity.objects.exists()


def test_one_value_names_one_account(world):
    accounts.account_set_sso_id(actor=world.municipal, account=world.user_a, sso_id="GZ-7")
    with pytest.raises(ValidationError, match="“GZ-7”已登记在其他账号上"):
        accounts.account_set_sso_id(actor=world.municipal, account=world.user_b, sso_id="GZ-7")


@pytest.mark.parametrize("value", ["工号 1", "a" * 129, "x<script>"])
def test_a_malformed_value_is_refused_naming_it(world, value):
    with pytest.raises(ValidationError, match=r"统一身份认证账号“.*”不合规"):
        accounts.account_set_sso_id(actor=world.municipal, account=world.user_a, sso_id=value)


def test_a_graduate_account_gets_none(world):
    # nobody manages graduates' accounts (they log in by 身份证号): refused before any rule
    with pytest.raises(PermissionDenied, match="超出您的管理范围"):
        accounts.account_set_sso_id(actor=world.municipal, account=world.graduate, sso_id="G-1")


def test_the_account_page_sets_it(client, world):
    client.force_login(world.district_a)
    r = client.post(f"/accounts/manage/{world.user_a.pk}/sso-id/", {"sso_id": "YZ-0042"})
    assert r.status_code == 302
    page = client.get(f"/accounts/manage/{world.user_a.pk}/").content.decode()
    assert 'value="YZ-0042"' in page and "统一身份认证账号已保存" in page
    r = client.post(f"/accounts/manage/{world.user_b.pk}/sso-id/", {"sso_id": "YZ-9"})
    assert r.status_code == 404  # another district's account: not even found
