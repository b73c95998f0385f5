"""Browser tests: Playwright (sync API) driving Debian's chromium against live_server.

Chromium must be installed at /usr/bin/chromium (`apt-get install chromium`); when it
is missing the tests fail, they never skip.
"""

import datetime
import os
from pathlib import Path

import pytest
from django.db import connections

from jigong.certificates import services as certificates
from tests import factories as f

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the
# tests and fixtures around it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "Jigong-Test-2025"  # tests.factories.user's default


class Portal:
    """A browser tab on the live server.

    Chromium is launched on first use, inside the test, so a missing chromium makes
    the test FAIL (never error or skip). Playwright is stopped when the test ends:
    while it runs, the main thread has a running event loop, and Django then hands
    out a different database connection; stopping it before the database teardown
    keeps pytest-django's flush and serialized rollback on the test's connection.
    """

    def __init__(self, base_url):
        self.base_url = base_url
        self._playwright = None
        self._browser = None
        self._page = None

    @property
    def page(self):
        if self._page is None:
            if not CHROMIUM.exists():
                pytest.fail(
                    f"{CHROMIUM} not found: the browser tests need Debian's chromium. "
                    "Install it with `sudo apt-get install chromium`.",
                    pytrace=False,
                )
            from playwright.sync_api import sync_playwright

            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            context = self._browser.new_context(locale="zh-CN")
            context.set_default_timeout(15_000)
            self._page = context.new_page()
        return self._page

    def goto(self, path: str):
        self.page.goto(self.base_url + path)
        return self.page

    def login(self, username: str, password: str = PASSWORD):
        page = self.goto("/accounts/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state()
        return page

    def close(self):
        if self._playwright is not None:
            # The connection Django handed out to ORM calls made while the event loop
            # ran; left open, it kept PostgreSQL from dropping the test database.
            connections.close_all()
        if self._browser is not None:
            self._browser.close()
        if self._playwright is not None:
            self._playwright.stop()


@pytest.fixture
def portal(live_server):
    p = Portal(live_server.url)
    yield p
    p.close()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and cached pages of one test never reach the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def certificate(world):
    """张晓明's 高级工 certificate of 2025 at school_a; the world's graduate account is hers."""
    reg = f.registration(
        world.school_a,
        name="张晓明",
        level="advanced",
        id_number=f.id_number(birth=datetime.date(2006, 3, 1)),
        enrolled_on=datetime.date(2022, 9, 1),
    )
    cert = certificates.graduate(
        actor=world.user_a, registration=reg, issued_on=datetime.date(2025, 6, 30)
    )
    world.graduate.person = reg.person
    world.graduate.save(update_fields=["person"])
    return cert
