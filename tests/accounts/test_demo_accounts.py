"""The demo world's accounts (issue 15): every school account holds 管理员 (and the clerks'
duties), a 学籍 clerk and a 证书 clerk have narrower duties, and demo_credentials()
lists them."""

import pytest

from jigong.core.models import Duty, Role, User
from jigong.demo.state import demo_credentials
from tests.test_demo import run_demo


@pytest.mark.django_db
def test_demo_schools_administer_and_clerks_have_narrower_duties():
    run_demo("--seed", "7")
    schools = User.objects.filter(role=Role.SCHOOL, username__startswith="school-")
    assert schools.exists()
    assert all(u.has_duty(Duty.ADMIN) and u.duties for u in schools)
    clerks = {
        u.username.rsplit("-", 1)[1]: u for u in User.objects.filter(username__startswith="clerk-")
    }
    assert clerks["records"].duty_set() == {Duty.RECORDS}
    assert clerks["certificates"].duty_set() == {Duty.CERTIFICATES}
    assert not clerks["records"].has_duty(Duty.ADMIN)
    listed = {row[0]: row for row in demo_credentials()}
    for u in clerks.values():
        assert u.username in listed and "学校职员" in listed[u.username][2]
    assert (
        "（学籍）" in listed[clerks["records"].username][2]
        or "学籍" in listed[clerks["records"].username][2]
    )
