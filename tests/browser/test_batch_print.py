"""Batch printing in Chromium (issue 19, point 6): from the certificate list to the form,
the form's choices (year, level, major), the job page following a real `jigong worker`
(progress, then the file), and the PDF downloaded from it."""

import datetime
import re
from pathlib import Path

import pytest

from tests import factories as f
from tests.browser.conftest import portal  # noqa: F401  (the Playwright fixture)
from tests.jobs.test_worker import queue  # noqa: F401  (fixture)
from tests.ops.conftest import jigong
from tests.printing import pdftools
from tests.printing.conftest import issue, keystore, signing_key  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)


def test_batch_print_form_job_page_pdf(world, issue, signing_key, queue, portal, settings):  # noqa: F811
    welding = f.major("0202", "焊接加工")
    wanted = [
        issue(
            name=f"焊工{i}",
            major_=welding,
            id_number=f.id_number(birth=datetime.date(2006, 5, 1 + i)),
        )
        for i in range(2)
    ]
    other = issue(name="车工甲", id_number=f.id_number(birth=datetime.date(2006, 6, 1)))
    queue["JIGONG_KEYS_DIR"] = str(settings.JIGONG_KEYS_DIR)  # the worker signs the QR codes
    errors = []
    portal.page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    portal.login("school_a")
    page = portal.goto("/graduation-certificates/")
    page.get_by_test_id("batch-print").click()
    page.wait_for_url("**/graduation-certificates/print/")
    page.get_by_label("发证年份").fill("2025")
    page.get_by_label("班级层次").select_option("intermediate")
    page.get_by_label("专业").select_option(label="焊接加工（0202）")
    page.get_by_test_id("batch-print-submit").click()
    page.wait_for_url("**/jobs/files/*/")
    assert "排队中" in page.get_by_test_id("job-state").inner_text()
    assert page.locator("progress").count() == 1  # the progress shown while it waits
    assert "焊接加工" in page.content()
    jigong("worker", "--batch", "--no-startup-delay", env=queue)
    link = page.get_by_test_id("file-download")
    link.wait_for(timeout=30_000)  # the page's script saw the job end and reloaded
    assert "2 页" in page.get_by_test_id("file-summary").inner_text()
    with page.expect_download() as got:
        link.click()
    pdf = Path(got.value.path()).read_bytes()
    assert pdftools.pages(pdf) == 2
    text = re.sub(r"\s+", "", pdftools.text(pdf))
    assert all(c.number in text for c in wanted) and other.number not in text
    assert not errors, errors
