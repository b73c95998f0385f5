"""Chromium uploads a file on /imports/, lands on the job's page while it is queued,
a real `jigong worker` runs it, and the page's script (a static file, under the strict
CSP) follows the job and shows the result without a manual reload."""

import pytest

from tests.browser.conftest import portal  # noqa: F401  (the Playwright fixture)
from tests.imports.conftest import as_rows, student_row  # noqa: F401  (fixture)
from tests.imports.helpers import xlsx
from tests.jobs.test_worker import queue  # noqa: F401  (fixture)
from tests.ops.conftest import jigong

pytestmark = pytest.mark.django_db(transaction=True)


def test_job_page_follows_a_queued_import(world, queue, portal, student_row, tmp_path):  # noqa: F811
    header, data = as_rows([student_row(name="冯七")])
    path = tmp_path / "学籍.xlsx"
    path.write_bytes(xlsx(data, header=header))
    errors = []
    portal.page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    portal.login("school_a")
    page = portal.goto("/imports/students/")
    page.set_input_files("#id_file", str(path))
    page.get_by_role("button", name="开始导入").click()
    page.wait_for_url("**/jobs/imports/*/")
    assert "排队中" in page.get_by_test_id("job-state").inner_text()
    jigong("worker", "--batch", "--no-startup-delay", env=queue)
    summary = page.get_by_test_id("import-summary")
    summary.wait_for(timeout=20_000)  # the script saw the job end and reloaded
    assert "新增1" in summary.inner_text()
    assert "已完成" in page.get_by_test_id("job-state").inner_text()
    assert not [e for e in errors if "Content Security Policy" in e], errors
