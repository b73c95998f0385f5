"""Every role's first day, end to end on the demo world (issue 19 point 10).

One journey per role: log in, the main pages, the main act, its result. Every page on
the way is watched for what a user would notice: a 4xx/5xx answer, a console error or
script error, a CSP violation, a page wider than a 390 px phone, and a parameter name
(``licensing.standards.x``) or raw model name (``aidprogramme``, ``auth.group``) in
the visible text.

Problems whose fix belongs to another engineer's slice are listed in KNOWN with the
slice that owns it; a journey fails on any problem not listed, and on a listed problem
that no longer occurs (so the list only shrinks).
"""

import io
import re
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.management import call_command
from playwright.sync_api import expect

from jigong.demo.generate import PASSWORDS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}

# (role, page, problem) → who owns its fix. Remove an entry when its journey says fixed.
KNOWN: dict[tuple[str, str, str], str] = {}

WATCH = """
window.__problems = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__problems.push("csp " + e.violatedDirective + " " + e.blockedURI);
});
"""
# The outermost elements reaching past the viewport's right edge, outside any scrolling
# box (for the failure message).
WIDE = """[...document.querySelectorAll("body *")]
  .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
  .filter((e) => {
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
      if (["auto", "scroll", "hidden"].includes(getComputedStyle(a).overflowX)) return false;
      if (a.getBoundingClientRect().right > window.innerWidth + 1) return false;
    }
    return true;
  })
  .slice(0, 3)
  .map((e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
    + (e.className ? "." + e.className.split(" ")[0] : ""))
  .join(", ")"""

# A dotted lowercase identifier in the text (a parameter name, app_label.model) that is
# no file name, address or number.
DOTTED = re.compile(r"(?<![\w./@:-])[a-z][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)+(?![\w/@-])")
FILE_ENDINGS = {"xlsx", "xls", "csv", "pdf", "json", "zip", "txt", "png", "svg", "html"}


def _model_names() -> re.Pattern:
    names = {m._meta.model_name for m in apps.get_models()}
    words = "|".join(sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![\w./@:-])({words})(?![\w/@-])")


def _pattern(path: str) -> str:
    """The page's address with its ids as <id>: the same page in any world."""
    return re.sub(r"/\d+(?=/|$)", "/<id>", path)


class Journey:
    """One role's tab: every page it opens is checked; problems are (role, page, problem)."""

    def __init__(self, browser, base_url: str, role: str):
        self.role = role
        self.base_url = base_url
        self.origin = urlsplit(base_url).netloc
        self.context = browser.new_context(locale="zh-CN", viewport=PHONE)
        self.context.set_default_timeout(15_000)
        self.context.add_init_script(WATCH)
        self.page = self.context.new_page()
        self.problems: set[tuple[str, str, str]] = set()
        self.details: dict[tuple[str, str, str], list[str]] = {}
        self.models = _model_names()
        self.page.on("pageerror", lambda e: self.add(f"script error: {e}"))
        self.page.on(
            "console",
            lambda m: self.add(f"console: {m.text[:120]}") if m.type == "error" else None,
        )
        self.page.on("response", self._response)

    def _here(self) -> str:
        return _pattern(urlsplit(self.page.url).path)

    def add(self, problem: str, where: str | None = None, detail: str = ""):
        """A problem of a kind on a page (its details go to the failure message)."""
        key = (self.role, where or self._here(), problem)
        self.problems.add(key)
        if detail and detail not in self.details.setdefault(key, []):
            self.details[key].append(detail)

    def _response(self, r):
        if r.status >= 400 and urlsplit(r.url).netloc == self.origin:
            path = _pattern(urlsplit(r.url).path)
            self.add(f"HTTP {r.status} {path}", where=self._here())

    def goto(self, path: str):
        self.page.goto(self.base_url + path)
        self.check()
        return self.page

    def check(self):
        """The page as it stands: CSP reports, width at 390 px, identifiers shown."""
        page = self.page
        page.wait_for_load_state("load")
        for p in page.evaluate("window.__problems || []"):
            self.add(p)
        page.evaluate("window.__problems = []")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            self.add("wider than 390 px", detail=page.evaluate(WIDE))
        text = page.locator("body").inner_text()
        for name in DOTTED.findall(text):
            if name.rsplit(".", 1)[1] not in FILE_ENDINGS:
                self.add("parameter name shown", detail=name)
        for name in self.models.findall(text):
            self.add("model name shown", detail=name)

    def login(self, username: str, password: str):
        page = self.goto("/accounts/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state()
        assert urlsplit(page.url).path != "/accounts/login/", f"{username} could not log in"
        self.check()
        return page

    def click(self, locator):
        locator.click()
        self.page.wait_for_load_state()
        self.check()
        return self.page

    def menu(self):
        """The navigation menu as a phone shows it (opened if folded)."""
        nav = self.page.locator("nav[aria-label='导航菜单']:visible")
        if not nav.count():
            opener = self.page.get_by_text("菜单", exact=True)
            assert opener.count(), f"{self.role}: no navigation menu at 390 px"
            opener.click()
        expect(nav).to_have_count(1)
        return nav

    def walk_menu(self) -> list[str]:
        """Open every entry of the menu: the role's main pages (the first from the menu
        itself, the rest by their addresses, which saves a click per page)."""
        links = self.menu().get_by_role("link")
        labels = links.all_inner_texts()
        hrefs = links.evaluate_all("ls => ls.map((l) => l.getAttribute('href'))")
        self.click(self.menu().get_by_role("link", name=labels[-1], exact=True))
        for href in hrefs[:-1]:
            self.goto(href)
        return labels

    def close(self):
        self.context.close()


def assert_as_known(journey: Journey):
    """Unknown problems fail; so do known problems of this role that no longer occur."""
    role = journey.role
    unknown = sorted(p for p in journey.problems if p not in KNOWN)
    gone = sorted(k for k in KNOWN if k[0] == role and k not in journey.problems)
    lines = [f"new: {p} {', '.join(journey.details.get(p, [])[:8])}" for p in unknown]
    lines += [f"fixed, remove from KNOWN ({KNOWN[k]}): {k}" for k in gone]
    assert not lines, "\n".join(lines)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: the browser tests need Debian's chromium.")
    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def demo(settings, tmp_path, reference_data):
    """The small demo world, as `jigong demo` builds it (its signing key in tmp_path)."""
    settings.JIGONG_KEYS_DIR = tmp_path / "keys"
    call_command("demo", "--scale", "small", "--seed", "7", "--no-progress", stdout=io.StringIO())


@pytest.fixture
def journey(request, browser, live_server):
    from django.db import connections

    made = []

    def start(role: str) -> Journey:
        j = Journey(browser, live_server.url, role)
        made.append(j)
        return j

    yield start
    for j in made:
        j.close()
    connections.close_all()


def _transition(j: Journey, name: str, comment: str):
    """Use the 办理 form of an item's page; its result shows as the success message."""
    form = j.page.get_by_test_id(f"transition-{name}")
    form.locator("textarea[name=comment]").fill(comment)
    j.click(form.locator("button[type=submit]"))
    expect(j.page.locator("body")).to_contain_text("已执行")


def test_public(demo, journey):
    from jigong.certificates import printing, signing
    from jigong.certificates.models import CertificateStatus, GraduationCertificate
    from jigong.demo.reports import publish_demo_reports

    # `jigong demo` queues the report for `jigong worker`, which command 1 runs; the tests'
    # task backend runs the job here and now.
    publish_demo_reports.enqueue()
    cert = GraduationCertificate.objects.filter(status=CertificateStatus.VALID).first()
    name = cert.registration.person.name
    qr_query = urlsplit(printing.qr_address(cert, signing.store().signer())).query
    j = journey("public")
    j.goto("/")
    page = j.goto("/verify/")
    page.get_by_label("证书编号").fill(cert.number)
    page.get_by_label("持证人姓名").fill(name)
    j.click(page.get_by_role("button", name="查询"))
    expect(page.locator("body")).to_contain_text(cert.number)
    # the printed QR code, scanned by a phone
    page = j.goto(f"/verify/qr/?{qr_query}")
    expect(page.locator("body")).to_contain_text("证书当前有效")
    page = j.goto("/reports/")
    reports = page.get_by_test_id("public-report")
    if reports.count():
        j.click(reports.first.get_by_role("link").first)
    else:
        j.add("no published annual quality report to read")
    j.goto("/qualifications/")
    assert_as_known(j)


def test_school_clerk(demo, journey, tmp_path):
    from jigong.core.models import User
    from jigong.students.models import Registration, Status

    clerk = (
        User.objects.filter(role="school", username__startswith="school-")
        .order_by("username")
        .first()
    )
    reg = Registration.objects.filter(school=clerk.school, status=Status.ENROLLED).first()
    j = journey("school")
    j.login(clerk.username, PASSWORDS["school"])
    assert "学籍" in j.walk_menu()
    # import a file: the school's own 学籍 file, exported and sent back
    page = j.goto("/imports/")
    with page.expect_download() as download:
        page.locator("a[href='/imports/students/export.xlsx']").click()
    file = tmp_path / "students.xlsx"
    download.value.save_as(file)
    page = j.goto("/imports/students/")
    page.locator("input[type=file]").set_input_files(file)
    j.click(page.get_by_role("button", name="开始导入"))
    # the job page: the file's rows written, none refused (nothing changed in them)
    expect(page.locator("body")).to_contain_text("已完成", timeout=30_000)
    expect(page.locator("body")).to_contain_text("拒绝0")
    j.check()
    # record a 学籍异动 and see it on the record
    page = j.goto(f"/registrations/{reg.pk}/")
    j.click(page.get_by_role("link", name="学籍异动", exact=True))
    form = page.get_by_test_id("edit-form")
    form.get_by_label("变更为").select_option(label="休学")
    form.get_by_label("原因").fill("因病休学一年")
    j.click(form.get_by_role("button", name="保存"))
    confirm = page.get_by_role("button", name="确认登记")
    if confirm.count():
        j.click(confirm)
    expect(page.locator("body")).to_contain_text("因病休学一年")
    expect(page.get_by_test_id("detail-table")).to_contain_text("休学")
    assert_as_known(j)


def test_district(demo, journey):
    from jigong.workflows.models import EnrolmentPlan

    plan = EnrolmentPlan.objects.filter(state="submitted").select_related("school").first()
    assert plan, "the demo world has no enrolment plan waiting for a district"
    j = journey("district")
    j.login(f"district-{plan.school.district.code}", PASSWORDS["district"])
    page = j.goto("/dashboard/")
    expect(page.locator('[data-chart="trend"] canvas').first).to_be_visible()
    j.check()
    j.walk_menu()
    page = j.goto("/schools/")
    j.click(page.locator(f"a[href='/schools/{plan.school.pk}/']").first)
    page = j.goto("/enrolment-plans/")
    j.click(page.locator(f"a[href='/enrolment-plans/{plan.pk}/']").first)
    _transition(j, "district_approve", "招生计划符合本区县安排")
    plan.refresh_from_db()
    assert plan.state == "district_approved"
    assert_as_known(j)


def test_city(demo, journey):
    from jigong.workflows.models import EnrolmentPlan

    plan = EnrolmentPlan.objects.filter(state="district_approved").first()
    assert plan, "the demo world has no enrolment plan waiting for the city"
    j = journey("city")
    j.login("city", PASSWORDS["municipal"])
    page = j.goto("/")
    page = j.goto("/dashboard/")
    expect(page.locator('[data-chart="trend"] canvas').first).to_be_visible()
    j.check()
    assert "目标看板" in j.walk_menu()
    page = j.goto("/enrolment-plans/")
    j.click(page.locator(f"a[href='/enrolment-plans/{plan.pk}/']").first)
    _transition(j, "approve", "同意")
    plan.refresh_from_db()
    assert plan.state == "approved"
    page = j.goto("/audit-log/")
    expect(page.locator("body")).to_contain_text("批准")
    j.click(page.locator("main table a[href^='/audit-log/']").first)
    assert_as_known(j)


def test_graduate(demo, journey):
    j = journey("graduate")
    j.login("grad", PASSWORDS["graduate"])
    page = j.goto("/graduate/")
    form = page.get_by_test_id("code-create-form").first
    form.locator("input[name=days]").fill("30")
    j.click(form.get_by_role("button", name="生成验证码"))
    code = page.get_by_test_id("new-code").inner_text().strip()
    j.context.clear_cookies()
    page = j.goto("/verify/code/")
    page.get_by_label("在线验证码").fill(code)
    j.click(page.get_by_role("button", name="查看核验报告"))
    expect(page.get_by_role("button", name="下载 PDF 核验报告")).to_be_visible()
    assert_as_known(j)


def test_department(demo, journey):
    j = journey("department")
    j.login("dept", PASSWORDS["department"])
    page = j.goto("/")
    expect(page.get_by_test_id("department-keys")).to_be_visible()
    page = j.goto("/api/v1/docs")
    expect(page.locator(".opblock").first).to_be_visible(timeout=30_000)
    j.check()
    assert_as_known(j)


def test_the_detectors_see_what_a_user_would(journey):
    """Each kind of problem a journey fails on is seen, on a page that has them all."""
    j = journey("public")
    page = j.goto("/verify/")
    page.evaluate(
        """() => {
        const s = document.createElement("script");  // an inline script: the CSP refuses it
        s.textContent = "1";
        document.body.append(s);
        console.error("broken");
        const wide = document.createElement("div");
        wide.style.width = "600px";
        wide.textContent = "licensing.standards.x auth.group aidprogramme";
        document.body.append(wide);
        fetch("/no-such-page/");
    }"""
    )
    page.wait_for_timeout(300)
    j.check()
    kinds = {problem.split(" ")[0].rstrip(":") for _, _, problem in j.problems}
    assert kinds >= {"csp", "console", "wider", "HTTP", "parameter", "model"}, j.problems
    at = ("public", "/verify/")
    assert j.details[(*at, "parameter name shown")] == ["licensing.standards.x", "auth.group"]
    assert j.details[(*at, "model name shown")] == ["aidprogramme"]
    assert (*at, "HTTP 404 /no-such-page/") in j.problems
