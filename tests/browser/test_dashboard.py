"""The targets dashboard in a real browser: ECharts draws, the targets table shows."""

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_dashboard_draws_charts_and_targets(portal, world):
    portal.login("city")
    page = portal.page
    page.get_by_test_id("nav-menu").get_by_role("link", name="目标看板").click()
    table = page.get_by_test_id("targets-table")
    expect(table).to_be_visible()
    from jigong.indicators.catalogue import TARGET_INDICATORS

    expect(table.locator("tbody tr")).to_have_count(len(TARGET_INDICATORS))  # 15 targets
    expect(table).to_contain_text("毕业生就业率")
    expect(table).to_contain_text("市级一体化师资研修基地")
    expect(page.get_by_test_id("status-employment_rate")).to_be_visible()
    # ECharts renders each chart into a canvas
    expect(page.locator('[data-chart="trend"] canvas').first).to_be_visible()
    expect(page.locator('[data-chart="breakdown"] canvas')).to_have_count(1)
    expect(page.locator('[data-chart="compare"] canvas')).to_have_count(1)
    # drill down: group → district
    page.get_by_test_id("breakdown-table").get_by_role("link", name="主城都市区").click()
    expect(page.get_by_test_id("breakdown-table")).to_contain_text("渝中区")


def test_school_dashboard_in_browser_is_scoped(portal, world):
    portal.login("school_a")
    page = portal.goto("/dashboard/?by=school")
    expect(page.get_by_test_id("targets-table")).to_be_visible()
    body = page.locator("body").inner_text()
    assert "重庆甲技师学院" in body
    assert "万州丙技工学校" not in body and "重庆乙高级技工学校" not in body


def test_dashboard_says_when_its_figures_were_computed(portal, world):
    """Issue 19 point 4: the figures are served at once from the last computation, and the
    page says when that was."""
    import re

    portal.login("city")
    page = portal.goto("/dashboard/")
    updated = page.get_by_test_id("updated-at")
    expect(updated).to_be_visible()
    assert re.search(r"数据更新于 \d\d:\d\d", updated.inner_text()), updated.inner_text()
    page = portal.goto("/")
    expect(page.get_by_test_id("figures-updated-at")).to_contain_text("数据更新于")
