"""The department's first day (issue 19, point 1): the API documentation renders from
this server's own files, the department's home page shows its keys and a working
example call, and the public pages carry no developer text."""

import json
import subprocess
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from jigong.public import services as public

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The elements reaching past the viewport's right edge (for the failure message).
WIDE = """[...document.querySelectorAll("body *")]
  .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
  .slice(0, 8)
  .map((e) => e.tagName + "." + e.className + " " + (e.textContent || "").slice(0, 30))"""
DEVELOPER_TEXT = ("/api/v1/certificates/verify", "/verify/keys.json", "base32")


def _watch(page, origin):
    """Everything a user would notice went wrong: script errors, console errors (CSP
    violations among them), failed requests, and any request leaving this server."""
    problems = []
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on(
        "console",
        lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    page.on(
        "response",
        lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    page.on(
        "request",
        lambda r: (
            problems.append(f"off-site request: {r.url}")
            if urlsplit(r.url).netloc != origin and not r.url.startswith("data:")
            else None
        ),
    )
    return problems


def _run(command: str, key: str, number: str) -> dict:
    """The shown command with the reader's own certificate number and name, run by a
    shell with the key in JIGONG_API_KEY (as the page tells)."""
    command = command.replace("证书编号", number).replace("完整姓名", "张晓明")
    out = subprocess.run(
        ["bash", "-c", command],
        env={"PATH": "/usr/bin:/bin", "JIGONG_API_KEY": key},
        capture_output=True,
        timeout=30,
    )
    assert out.returncode == 0, out.stderr.decode()
    return json.loads(out.stdout)


def test_api_docs_render_every_operation_from_local_files(portal):
    page = portal.page
    problems = _watch(page, urlsplit(portal.base_url).netloc)
    response = page.goto(portal.base_url + "/api/v1/docs")
    assert response.status == 200
    # Swagger UI fetches and renders the document after the page loads (slow on a busy CI)
    expect(page.locator(".opblock").first).to_be_visible(timeout=30_000)
    for path in (
        "/api/v1/department/verify",
        "/api/v1/department/verify/batch",
        "/api/v1/department/verify/batch/file",
        "/api/v1/certificates/verify",
    ):
        expect(page.locator(".opblock-summary-path", has_text=path).first).to_be_visible()
    text = page.locator("body").inner_text()
    assert "Parser error" not in text
    assert "Unable to render" not in text
    assert "duplicated mapping key" not in text
    # open the batch file operation: its answer is documented as a file
    page.locator(".opblock-summary-path", has_text="/api/v1/department/verify/batch/file").click()
    expect(page.get_by_text("结果文件").first).to_be_visible()
    assert not problems, "\n".join(problems)


def test_public_pages_carry_no_developer_text_and_verify_links_to_the_qr_check(portal):
    page = portal.goto("/verify/")
    for path in ("/verify/", "/verify/qr/", "/verify/code/"):
        page = portal.goto(path)
        text = page.locator("body").inner_text()
        shown = [t for t in DEVELOPER_TEXT if t in text]
        assert not shown, f"{path} shows developer text {shown}"
    page = portal.goto("/verify/")
    page.get_by_role("link", name="扫码核验证书二维码").click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == "/verify/qr/"
    expect(page.get_by_role("heading", name="毕业证书二维码核验")).to_be_visible()


def test_department_sees_its_keys_and_runs_the_example_call(portal, world, certificate):
    # the municipal bureau issues a key to the department's account, on the page
    page = portal.login("city")
    page = portal.goto("/api-keys/new/")
    page.get_by_label("使用部门").fill("市征兵办")
    page.get_by_label("部门账号").select_option(label=str(world.department))
    page.get_by_label("单个核验").check()
    page.get_by_label("批量核验").check()
    page.get_by_label("每分钟限额").fill("120")
    page.get_by_role("button", name="保存").click()
    key = page.get_by_test_id("api-key").inner_text().strip()
    prefix = key.split("_")[1]
    # a key of another department, not held by this account
    other = public.api_key_create(actor=world.municipal, name="市职称办", scopes=["verify"])
    page.context.clear_cookies()

    page = portal.login("dept")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    problems = _watch(page, urlsplit(portal.base_url).netloc)
    page = portal.goto("/")
    keys = page.get_by_test_id("department-keys")
    row = keys.locator("tr", has_text=prefix)
    expect(row).to_have_count(1)
    row_text = row.inner_text()
    assert key not in page.content(), "the key's secret is shown"
    assert key.rsplit("_", 1)[1][:8] not in page.content()
    assert "单个核验" in row_text and "批量核验" in row_text
    assert "120" in row_text  # its limit per minute
    assert "尚未使用" in row_text
    assert other.api_key.prefix not in keys.inner_text()
    # who issues keys, and how to ask
    issuer = page.get_by_test_id("department-key-issuer").inner_text()
    assert "市人社局" in issuer and "申请" in issuer

    # the example calls, against this server, work as shown with the key in the variable
    single = page.get_by_test_id("curl-single").inner_text()
    assert single.startswith("curl ")
    assert portal.base_url + "/api/v1/department/verify" in single
    page.get_by_test_id("copy-curl-single").click()
    expect(page.get_by_test_id("copy-curl-single")).to_have_text("已复制")
    assert page.evaluate("navigator.clipboard.readText()") == single
    found = _run(single, key, certificate.number)
    assert found["found"] is True and found["number"] == certificate.number

    batch = page.get_by_test_id("curl-batch").inner_text()
    assert portal.base_url + "/api/v1/department/verify/batch" in batch
    assert _run(batch, key, certificate.number)["found"] == 1

    # the calls just made are the key's last use
    page.reload()
    row = page.get_by_test_id("department-keys").locator("tr", has_text=prefix)
    assert "尚未使用" not in row.inner_text()
    assert timezone.localdate().isoformat() in row.inner_text()
    # the developer text moved here from the public pages
    text = page.locator("body").inner_text()
    for t in DEVELOPER_TEXT:
        assert t in text, f"{t} missing from the department's page"
    # on a phone the long commands wrap: the page never scrolls sideways
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide at 390px: {page.evaluate(WIDE)}"
    assert not problems, "\n".join(problems)
