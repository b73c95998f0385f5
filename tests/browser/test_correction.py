"""A school corrects a 学籍 in the browser (issue 19 point 3): from the record page to
the correction form, refused without a reason, then saved, and the record shows the new
values and the correction in its history."""

import re

from playwright.sync_api import expect


def test_school_corrects_a_registration_and_sees_the_history(portal, world):
    reg = world.reg_a
    page = portal.login("school_a")
    portal.goto(f"/registrations/{reg.pk}/")
    page.get_by_role("link", name="更正学籍信息").click()
    expect(page).to_have_url(re.compile(rf"/registrations/{reg.pk}/correct/$"))
    form = page.get_by_test_id("edit-form")
    expect(form.get_by_label("姓名")).to_have_value("李明")  # the current values, filled
    form.get_by_label("生源类别").select_option(label="往届毕业生")
    form.get_by_label("姓名").fill("李鸣")
    form.get_by_role("button", name="保存").click()
    # no reason: refused next to the field, nothing saved
    expect(page.locator('[data-field="reason"]')).to_contain_text("须填写原因")
    reg.refresh_from_db()
    assert reg.source == "junior_graduate"

    form = page.get_by_test_id("edit-form")
    expect(form.get_by_label("生源类别")).to_have_value("previous_graduate")  # kept
    form.get_by_label("更正原因").fill("录取名册为往届生，姓名以户籍为准")
    form.get_by_role("button", name="保存").click()
    expect(page).to_have_url(re.compile(rf"/registrations/{reg.pk}/$"))
    details = page.get_by_test_id("detail-table")
    expect(details).to_contain_text("往届毕业生")
    expect(details).to_contain_text("李鸣")
    history = page.locator(".card", has=page.get_by_role("heading", name="更正记录"))
    expect(history).to_contain_text("生源类别：应届初中毕业生 → 往届毕业生")
    expect(history).to_contain_text("姓名：李明 → 李鸣")
    expect(history).to_contain_text("录取名册为往届生，姓名以户籍为准")
    expect(history).to_contain_text("学籍信息更正")
