"""转出 in the browser (issue 19, point 2): the clerk searches the receiving school in the
register by part of its name, sees what will change on a confirmation step, confirms,
and reads the success message; nothing is written before the confirmation."""

import re

from playwright.sync_api import expect

from jigong.students.models import Transfer


def test_transfer_out_searches_the_school_and_confirms(portal, world):
    page = portal.login("school_a")
    portal.goto(f"/registrations/{world.reg_a.pk}/")
    page.get_by_role("link", name="学籍异动", exact=True).click()
    form = page.get_by_test_id("edit-form")
    form.get_by_label("变更为").select_option(label="转出")
    school = form.get_by_label("转入学校")
    # the field searches the register: part of a name lists the schools that carry it
    expect(school).to_have_attribute("list", "school-register")
    options = page.locator("#school-register option")
    matches = [v for v in options.evaluate_all("os => os.map(o => o.value)") if "乙高级" in v]
    assert matches == [f"{world.school_a2.code} {world.school_a2.name}"]
    school.fill(matches[0])
    form.get_by_label("原因").fill("家庭迁居")
    form.get_by_role("button", name="保存").click()
    summary = page.get_by_test_id("confirm-summary")
    expect(summary).to_contain_text("在校 → 转出")
    expect(page.get_by_test_id("confirm-school")).to_contain_text(world.school_a2.name)
    expect(summary).to_contain_text("家庭迁居")
    assert not Transfer.objects.exists()
    page.get_by_role("button", name="确认登记").click()
    expect(page).to_have_url(re.compile(rf"/registrations/{world.reg_a.pk}/$"))
    expect(page.locator("body")).to_contain_text("已提交转学申请")
    assert Transfer.objects.get().to_school == world.school_a2


def test_transfer_out_without_a_school_says_so_on_the_form(portal, world):
    page = portal.login("school_a")
    portal.goto(f"/registrations/{world.reg_a.pk}/status/")
    form = page.get_by_test_id("edit-form")
    form.get_by_label("变更为").select_option(label="转出")
    form.get_by_label("原因").fill("家庭迁居")
    form.get_by_role("button", name="保存").click()
    expect(page.locator("[data-field=counterpart_school]")).to_contain_text(
        "转出须从学校名录中选择转入学校"
    )
    assert not Transfer.objects.exists()
