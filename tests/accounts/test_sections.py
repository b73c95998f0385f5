"""Each clerk sees only what their duty allows (issue 15): the menu lists the sections of
the clerk's duties, the pages of another duty's acts answer 403 naming the duty, the
shared registers stay readable; the import door and the API door honour duties; the
bureau's statistics acts need 统计."""

import datetime
import io
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from jigong.core.imports.runner import run_import
from jigong.core.models import AuditLog, Duty
from jigong.quality import services as quality
from jigong.quality.models import AnnualReport
from tests import factories as f

pytestmark = pytest.mark.django_db
D = datetime.date


def _clerk(world, *duties, role="school"):
    if role == "school":
        u = f.user("school", school=world.school_a)
    elif role == "municipal":
        u = f.user("municipal")
    u.duties = list(duties)
    u.save(update_fields=["duties"])
    c = Client()
    c.force_login(u)
    return u, c


def _menu(c) -> set[str]:
    """The hrefs of the portal's menu on the home page."""
    page = c.get("/").content.decode()
    return set(re.findall(r'class="nav-link[^"]*" href="(/[^"]*)"', page))


def test_menu_shows_only_the_sections_of_the_clerks_duties(world):
    _, certs = _clerk(world, Duty.CERTIFICATES)
    _, enrol = _clerk(world, Duty.ENROLMENT)
    seen_certs, seen_enrol = _menu(certs), _menu(enrol)
    assert "/graduation-certificates/" in seen_certs
    assert "/enrolment-plans/" not in seen_certs
    assert "/training-records/" not in seen_certs
    assert "/accounts/manage/" not in seen_certs
    # the 招生 clerk sees its plans (the menu narrows, it did not lose the entry)
    assert "/enrolment-plans/" in seen_enrol
    # a shared register: the 学籍 list a 证书 clerk needs to find a graduate
    assert "/registrations/" in seen_certs


def test_pages_of_another_duty_answer_403_naming_it(world):
    _, certs = _clerk(world, Duty.CERTIFICATES)
    for url, duty in (
        ("/enrolment-plans/", "招生"),
        ("/enrolment-plans/new/", "招生"),
        ("/brochure-filings/new/", "招生"),
        ("/training-records/", "培训与就业"),
        (f"/registrations/{world.reg_a.pk}/correct/", "学籍"),
        (f"/registrations/{world.reg_a.pk}/status/", "学籍"),
        ("/accounts/manage/", "管理员"),
    ):
        r = certs.get(url)
        assert r.status_code == 403, url
        assert f"须具有“{duty}”职责" in r.content.decode(), url
    # shared registers stay readable
    assert certs.get("/registrations/").status_code == 200
    assert certs.get(f"/registrations/{world.reg_a.pk}/").status_code == 200

    _, records = _clerk(world, Duty.RECORDS)
    r = records.get("/graduation-certificates/print/")  # the batch page
    assert r.status_code == 403 and "须具有“证书”职责" in r.content.decode()
    r = records.get(f"/registrations/{world.reg_a.pk}/graduate/")
    assert r.status_code == 403 and "须具有“证书”职责" in r.content.decode()
    assert records.get("/graduation-certificates/").status_code == 200
    assert records.get(f"/registrations/{world.reg_a.pk}/correct/").status_code == 200


def test_import_of_another_duty_is_refused_before_any_row_is_read(world):
    clerk, c = _clerk(world, Duty.CERTIFICATES)
    # not even a spreadsheet: a read would answer a file error, not the duty
    result = run_import("training", io.BytesIO(b"not a spreadsheet"), user=clerk)
    assert result.file_errors and "须具有“培训与就业”职责" in result.file_errors[0]
    r = c.get("/imports/students/")
    assert r.status_code == 403 and "须具有“学籍”职责" in r.content.decode()
    before = AuditLog.objects.count()
    r = c.post(
        "/imports/training/",
        {"mode": "all", "file": io.BytesIO(b"x")},
    )
    assert r.status_code == 403 and "须具有“培训与就业”职责" in r.content.decode()
    assert AuditLog.objects.count() == before
    # the kind of the clerk's own duty is offered and its form answers
    index = c.get("/imports/").content.decode()
    assert "/imports/graduations/" in index and "/imports/training/" not in index
    assert c.get("/imports/graduations/").status_code == 200
    # export: a shared register reads, another duty's does not
    assert c.get("/imports/students/export.csv").status_code == 200
    assert c.get("/imports/training/export.csv").status_code == 403


def test_api_write_operations_refuse_a_clerk(world):
    from jigong.api import api

    _, c = _clerk(world)  # a school clerk with no duty at all
    writes = [
        (path, method)
        for path, methods in api.get_openapi_schema()["paths"].items()
        for method in methods
        if method in ("post", "put", "patch", "delete")
    ]
    assert writes
    for path, method in writes:
        r = getattr(c, method)(path, {}, content_type="application/json")
        assert r.status_code in (401, 403), (path, method, r.status_code)


def _report(world):
    return AnnualReport.objects.create(
        year=2024,
        title="2024年度重庆市技工教育质量报告",
        html_path="x.html",
        pdf_path="x.pdf",
        pdf_sha256="0" * 64,
        generated_by=world.municipal,
    )


def test_statistics_acts_need_the_statistics_duty(world):
    report = _report(world)
    reviewer, c = _clerk(world, Duty.REVIEW, role="municipal")
    with pytest.raises(PermissionDenied, match="须具有“统计”职责"):
        quality.report_publish(actor=reviewer, report=report)
    r = c.post(f"/quality/reports/{report.pk}/publish/")
    assert r.status_code == 403 and "须具有“统计”职责" in r.content.decode()
    report.refresh_from_db()
    assert report.status == "draft"
    r = c.post("/quality/compute/", {"year": 2024})
    assert r.status_code == 403 and "须具有“统计”职责" in r.content.decode()

    statistician, c = _clerk(world, Duty.STATISTICS, role="municipal")
    assert c.post(f"/quality/reports/{report.pk}/publish/").status_code == 302
    report.refresh_from_db()
    assert report.status == "published" and report.published_by == statistician
    assert AuditLog.objects.filter(act="annual_report.publish").exists()


def test_docs_table_of_sections_is_the_code():
    from pathlib import Path

    from jigong.core import sections

    text = (Path(__file__).parents[2] / "docs" / "architecture.md").read_text(encoding="utf-8")
    start, end = "<!-- sections:start -->\n", "<!-- sections:end -->"
    assert start in text, "docs/architecture.md lacks the table of sections"
    assert text.split(start, 1)[1].split(end, 1)[0] == sections.table(), (
        "regenerate: .venv/bin/python scripts/docs_acts.py"
    )
    # every URL name of the table is a page (a renamed page would slip out of the check)
    from tests.test_permission_matrix import routes

    names = set(routes())
    missing = [n for s in sections.SECTIONS for n in (*s.read, *s.act) if n not in names]
    assert not missing
