"""The pages of 学籍异动 and 转学 (issue 19, point 2): a confirmation step before the act,
a success message after it, the to-do lists of both schools and the bureau, and the
revert page."""

import datetime

import pytest

from jigong.students.models import Registration, StatusChange, Transfer
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today().isoformat()


def _post_status(client, reg, **data):
    values = {"status": "transferred_out", "changed_on": TODAY, "reason": "家庭迁居"}
    values.update(data)
    return client.post(f"/registrations/{reg.pk}/status/", values, follow=True)


def test_a_transfer_out_without_a_school_or_reason_is_refused_on_the_form(client, world):
    client.force_login(world.user_a)
    text = _post_status(client, world.reg_a, counterpart_school="").content.decode()
    assert "转入学校：转出须从学校名录中选择转入学校" in text
    text = _post_status(
        client, world.reg_a, counterpart_school=world.school_a2.code, reason=""
    ).content.decode()
    assert "须填写原因" in text
    text = _post_status(client, world.reg_a, counterpart_school="不存在的学校").content.decode()
    assert "未在学校名录中找到" in text
    assert not Transfer.objects.exists()


def test_the_form_offers_the_register_and_confirms_before_it_acts(client, world):
    client.force_login(world.user_a)
    page = client.get(f"/registrations/{world.reg_a.pk}/status/").content.decode()
    assert f'<option value="{world.school_a2.code} {world.school_a2.name}">' in page
    assert f"{world.school_a.code} {world.school_a.name}" not in page  # not its own school
    label = f"{world.school_a2.code} {world.school_a2.name}"
    first = _post_status(client, world.reg_a, counterpart_school=label)
    text = first.content.decode()
    assert 'data-testid="confirm-summary"' in text and world.school_a2.name in text
    assert "在校 → <strong>转出</strong>" in text
    assert not Transfer.objects.exists()  # nothing written before 确认
    done = _post_status(client, world.reg_a, counterpart_school=label, confirm="1")
    text = done.content.decode()
    assert "已提交转学申请" in text and done.redirect_chain
    assert Transfer.objects.get().to_school == world.school_a2


def test_both_schools_and_the_bureau_see_the_case_and_the_receiver_accepts(client, world):
    from jigong.students import services

    services.registration_transfer_out(
        actor=world.user_a,
        registration=world.reg_a,
        to_school=world.school_a2,
        transfer_on=datetime.date.today(),
        reason="家庭迁居",
    )
    user_a2 = f.user("school", school=world.school_a2, username="school_a2")
    transfer = Transfer.objects.get()
    for user, mine in ((world.user_a, False), (user_a2, True), (world.district_a, True)):
        client.force_login(user)
        home = client.get("/").content.decode()
        assert 'data-testid="transfer-todo-item"' in home, user
        assert ("待您接收" in home) is mine, user
    client.force_login(world.user_b)
    assert 'data-testid="transfer-todo-item"' not in client.get("/").content.decode()
    assert client.get(f"/transfers/{transfer.pk}/").status_code == 404
    client.force_login(user_a2)
    r = client.post(f"/transfers/{transfer.pk}/", {"action": "accept", "reason": ""}, follow=True)
    assert "已接收转学" in r.content.decode()
    new = Registration.objects.get(school=world.school_a2, person=world.reg_a.person)
    assert new.status == "transferred_in"
    page = client.get(f"/registrations/{new.pk}/").content.decode()
    assert world.school_a.name in page  # the history: where the student came from


def test_the_revert_page_names_the_platform_period_and_reverts(client, world):
    client.force_login(world.user_a)
    _post_status(client, world.reg_a, status="withdrawn", reason="误操作", confirm="1")
    assert Registration.objects.get(pk=world.reg_a.pk).status == "withdrawn"
    page = client.get(f"/registrations/{world.reg_a.pk}/revert/").content.decode()
    assert "平台设定" in page and "30 天" in page
    r = client.post(f"/registrations/{world.reg_a.pk}/revert/", {"reason": "登记错误"}, follow=True)
    assert "已撤销学籍异动" in r.content.decode()
    assert Registration.objects.get(pk=world.reg_a.pk).status == "enrolled"
    assert StatusChange.objects.get().reverted_on is not None
