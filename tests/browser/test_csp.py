"""The strict Content-Security-Policy in a real browser: the main pages load, charts
draw, and Chromium reports no CSP violation and no script error."""

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI + " " + e.sourceFile);
});
"""


def _watch(page):
    problems = []
    page.add_init_script(WATCH)
    page.on(
        "console",
        lambda m: (
            problems.append(f"console: {m.text}") if "Content Security Policy" in m.text else None
        ),
    )
    page.on(
        "response",
        lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    return problems


def _visit(portal, page, path, problems):
    response = page.goto(portal.base_url + path)
    assert response.status < 400, f"{path}: {response.status}"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("load")
    violations = page.evaluate("window.__cspViolations")
    problems.extend(f"{path}: {v}" for v in violations)


def test_main_pages_have_no_csp_violation(portal, world):
    page = portal.page
    problems = _watch(page)
    for path in ("/", "/verify/", "/reports/", "/qualifications/"):
        _visit(portal, page, path, problems)
    portal.login("city")
    for path in (
        "/",
        "/registrations/",
        f"/registrations/{world.reg_a.pk}/",
        "/imports/",
        "/imports/students/",
        "/quality/reports/",
    ):
        _visit(portal, page, path, problems)
    _visit(portal, page, "/dashboard/", problems)
    # the charts still draw under the CSP
    expect(page.locator('[data-chart="trend"] canvas').first).to_be_visible()
    expect(page.locator('[data-chart="compare"] canvas')).to_have_count(1)
    page.locator('[data-chart="compare"] canvas').hover()  # tooltips render too
    problems.extend(f"/dashboard/: {v}" for v in page.evaluate("window.__cspViolations"))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("username", ["yuzhong", "school_a", "dept", "grad"])
def test_home_per_role_has_no_csp_violation(portal, world, username):
    page = portal.page
    problems = _watch(page)
    portal.login(username)
    _visit(portal, page, "/", problems)
    if username in ("yuzhong", "school_a"):
        _visit(portal, page, "/dashboard/", problems)
        expect(page.locator('[data-chart="trend"] canvas').first).to_be_visible()
    assert not problems, "\n".join(problems)
