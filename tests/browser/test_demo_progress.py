"""The home page tells a first-time user that the demo world is still being built."""

import pytest
from django.core.cache import cache

from jigong.core import build_progress


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_home_shows_the_running_demo_build_and_log_in_still_works(portal, world):
    cache.clear()
    build_progress.publish(scale="full", done=30, total=120, step="写入 学生", steps=13)
    page = portal.goto("/")
    banner = page.get_by_test_id("demo-progress")
    assert "写入 学生" in banner.inner_text() and "25%" in banner.inner_text()
    page = portal.login("school_a")
    assert "演示数据正在后台生成" in page.get_by_test_id("demo-progress").inner_text()
    build_progress.clear()
    page.reload()
    assert page.get_by_test_id("demo-progress").count() == 0
