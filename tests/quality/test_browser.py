"""Headless Chromium opens the public /reports/ page and a published report."""

import pytest

from jigong.quality import services
from tests.browser.conftest import portal  # noqa: F401  (the Playwright fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def test_public_reports_in_browser(qworld, portal, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    report = services.report_generate(actor=qworld.municipal, year=2024)
    services.report_publish(actor=qworld.municipal, report=report)
    page = portal.goto("/reports/")
    link = page.get_by_role("link", name=report.title)
    link.click()
    page.wait_for_load_state()
    assert page.get_by_test_id("public-report-view").is_visible()
    frame = page.frame_locator('[data-testid="report-frame"]')
    frame.get_by_test_id("contents").wait_for()
    assert "目录" in frame.get_by_test_id("contents").inner_text()
    assert frame.locator("svg").count() >= 10
    assert page.get_by_test_id("download-pdf").get_attribute("href").endswith("report.pdf")
