"""Issue 16 on a phone (390 px): an applicant finds a brochure on /enrol/, applies
(solving the ALTCHA challenge in Chromium), keeps the reference and reads the status of
each choice with it and the ID number (one server, one browser page)."""

import datetime
import time

from jigong.admissions.models import Application
from tests import factories as f
from tests.admissions import public_world

PHONE = {"width": 390, "height": 844}


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= 390")


def _solve(page) -> None:
    payload = page.locator("altcha-widget input[name=altcha]")
    page.locator("altcha-widget input[type=checkbox]").wait_for()
    page.locator("altcha-widget label").first.click()
    start = time.perf_counter()
    while not payload.input_value() and time.perf_counter() - start < 15:
        time.sleep(0.02)
    assert payload.input_value(), "the challenge was not solved in the browser"


def test_find_a_brochure_apply_and_check_the_status_on_a_phone(portal, world):
    w = public_world.build(world)
    id_number = f.id_number(birth=datetime.date(w.year - 16, 4, 9))
    page = portal.page
    page.set_viewport_size(PHONE)

    # the home page leads to the brochures; a search by major finds 万州丙's
    page = portal.goto("/")
    page.get_by_role("link", name="招生报名").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("/enrol/") and _fits(page)
    page.get_by_label("学校或专业名称").fill("幼儿教育")
    page.get_by_role("button", name="查找").click()
    page.wait_for_load_state()
    cards = page.get_by_test_id("brochure")
    assert cards.count() == 1 and "万州丙技工学校" in cards.first.inner_text()
    assert "023-58000000" in cards.first.inner_text() and _fits(page)

    # apply from the brochure: its school is chosen, its planned majors listed
    cards.first.get_by_test_id("apply-link").click()
    page.wait_for_load_state()
    assert _fits(page)
    assert page.locator("#id_school_1").input_value() == w.school_b.code
    page.get_by_label("身份证号").fill(id_number)
    page.get_by_label("姓名").fill("陈晓雨")
    page.get_by_label("联系电话").fill("13800138000")
    page.get_by_label("报名类别").select_option(label="应届初中毕业生")
    page.get_by_label("前置学历").select_option(label="初中")
    page.locator("#id_major_1").select_option(label="幼儿教育（中级工班）")
    # a second choice: choosing the school lists its majors at once (the page's script)
    page.locator("#id_school_2").select_option(label="重庆甲技师学院")
    assert page.locator("#id_major_2 option").first.inner_text() == "请选择专业"
    # the tracks offered follow the school: 甲's brochure both, 丙's full-time only
    assert page.locator("#id_track_1 option").all_inner_texts() == ["全日制"]
    assert page.locator("#id_track_2 option").all_inner_texts() == ["全日制", "非全日制"]
    page.locator("#id_school_3").select_option(label="万州丙技工学校")
    assert page.locator("#id_track_3 option").all_inner_texts() == ["全日制"]
    page.locator("#id_school_3").select_option(value="")  # no third choice after all
    assert page.locator("#id_track_3 option").all_inner_texts() == ["全日制", "非全日制"]
    page.locator("#id_major_2").select_option(label="电气自动化设备安装与维修（中级工班）")
    assert not page.locator("[data-enrol-enterprise]").is_visible()  # not 非全日制
    _solve(page)
    page.get_by_role("button", name="提交报名").click()
    page.wait_for_load_state()
    reference = page.get_by_test_id("reference").inner_text().strip()
    app = Application.objects.get()
    assert reference == app.reference and _fits(page)

    # the status page with the reference and the ID number
    page.get_by_role("link", name="报名结果查询").click()
    page.wait_for_load_state()
    page.get_by_label("报名号").fill(reference)
    page.get_by_label("身份证号").fill(id_number)
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state()
    states = page.get_by_test_id("choice-state").all_inner_texts()
    assert states == ["待审核", "待审核"] and _fits(page)
    assert "万州丙技工学校" in page.get_by_test_id("application").inner_text()
