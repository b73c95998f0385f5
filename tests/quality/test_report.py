"""The annual quality report: bad input refused, the PDF checked page by page (pdftoppm),
CJK text embedded and extractable (pdftotext, pdffonts), contents page with real page
numbers, staff buttons scoped, publication to the anonymous /reports/ pages."""

import io
import re
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from jigong.core.models import AuditLog
from jigong.quality import report as R
from jigong.quality import services
from jigong.quality.models import AnnualReport
from tests.printing import pdftools

pytestmark = pytest.mark.django_db


def _page_grays(pdf: bytes, dpi: int = 12) -> list[bytes]:
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "r.pdf"
        f.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-gray", "-r", str(dpi), str(f), f"{d}/p"], check=True, timeout=120
        )
        out = []
        for p in sorted(Path(d).glob("p*.pgm")):
            pgm = p.read_bytes()
            m = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", pgm)
            out.append(pgm[m.end() :])
    return out


def _page_texts(pdf: bytes) -> list[str]:
    return [re.sub(r"\s+", "", t) for t in pdftools.text(pdf).split("\f") if t.strip()]


def test_city_report_pdf_page_by_page(qworld):
    built = R.build(user=qworld.municipal, year=2024)
    pdf = built.pdf
    n = pdftools.pages(pdf)
    assert n == built.pages and n >= 9
    grays = _page_grays(pdf)
    assert len(grays) == n
    for i, px in enumerate(grays, 1):  # every page has ink beyond the footer
        assert pdftools.dark_fraction(px, threshold=200) > 0.002, f"page {i} is blank"
    assert all(f["emb"] == "yes" for f in pdftools.fonts(pdf))
    texts = _page_texts(pdf)
    assert "重庆市技工教育2024年度质量报告" in texts[0]
    contents = texts[1]
    assert contents.startswith("目录")
    for s in built.sections:  # the contents page lists every section with its real page
        title = re.sub(r"\s+", "", s["title"])
        m = re.search(re.escape(title) + r"(\d+)", contents)
        assert m, title
        page = int(m.group(1))
        assert texts[page - 1].startswith(title)
        assert title not in "".join(texts[2 : page - 1])
    body = "".join(texts)
    assert "第1页，共" in body  # page numbers in the footer
    for word in (
        "毕业生就业率",
        "一区两群",
        "主城都市区",
        "技师学院",
        "综合得分分布",
        "重庆甲技师学院",
    ):
        assert word in body, word
    # charts were drawn (SVG in the stored HTML, no script left)
    assert built.html.count("<svg") >= 10 and "<script" not in built.html


def test_cli_bad_input_and_school_report(qworld, tmp_path):
    future = timezone.localdate().year + 1
    with pytest.raises(CommandError, match="未来年份"):
        call_command("report", "annual", "--year", str(future), "--out", str(tmp_path / "a.pdf"))
    with pytest.raises(CommandError, match="没有在校生、毕业生、培训或就业数据"):
        call_command("report", "annual", "--year", "2012", "--out", str(tmp_path / "a.pdf"))
    with pytest.raises(CommandError, match="扩展名"):
        call_command("report", "annual", "--year", "2024", "--out", str(tmp_path / "a.doc"))
    with pytest.raises(CommandError, match="不存在或不在您的数据范围内"):
        call_command(
            "report",
            "annual",
            "--year",
            "2024",
            "--out",
            str(tmp_path / "a.pdf"),
            "--school",
            qworld.school_b.code,
            "--as",
            qworld.user_a.username,
        )
    assert not list(tmp_path.iterdir())
    out = io.StringIO()
    call_command(
        "report",
        "annual",
        "--year",
        "2024",
        "--out",
        str(tmp_path / "a.html"),
        "--school",
        qworld.school_a.code,
        stdout=out,
    )
    html = (tmp_path / "a.html").read_text(encoding="utf-8")
    assert "重庆甲技师学院2024年度质量报告" in html and "<svg" in html
    assert qworld.school_b.name not in html  # the annex holds this school only


def test_staff_report_buttons_are_scoped(qworld, client):
    client.force_login(qworld.user_b)
    other = f"/quality/reports/school/{qworld.school_a.code}/2024.pdf"
    assert client.get(other).status_code == 404
    assert client.get("/quality/reports/school/NOPE/2024.pdf").status_code == 404
    own = f"/quality/reports/school/{qworld.school_b.code}/2024.pdf"
    r = client.get(own)  # a link or a bookmark: the button that queues the build
    assert r.status_code == 200 and 'method="post"' in r.content.decode()
    r = client.post(own)  # built by the worker (here the tests' immediate backend)
    assert r.status_code == 302 and r["Location"].startswith("/jobs/files/")
    data = b"".join(client.get(r["Location"] + "download/").streaming_content)
    assert data.startswith(b"%PDF-")
    r = client.get(f"/quality/reports/school/{qworld.school_b.code}/2999.pdf")
    assert r.status_code == 400 and "未来年份" in r.content.decode()
    r = client.post("/quality/reports/", {"year": 2024})  # the school's button: its own report
    assert r.status_code == 302 and r["Location"].startswith("/jobs/files/")
    assert not AnnualReport.objects.exists()


def test_publish_and_public_pages(qworld, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(qworld.municipal)
    r = client.post("/quality/reports/", {"year": 2012}, follow=True)  # a background job
    assert "没有在校生" in r.content.decode() and not AnnualReport.objects.exists()
    r = client.post("/quality/reports/", {"year": 2024})
    assert r.status_code == 302
    report = AnnualReport.objects.get()
    assert report.status == "draft" and report.pages >= 9
    assert (tmp_path / "reports" / report.pdf_path).read_bytes().startswith(b"%PDF-")
    client.logout()
    assert client.get(f"/reports/{report.pk}/").status_code == 404  # drafts are not public
    assert "尚未发布" in client.get("/reports/").content.decode()

    client.force_login(qworld.user_a)
    assert client.post(f"/quality/reports/{report.pk}/publish/").status_code == 404
    client.force_login(qworld.municipal)
    assert client.post(f"/quality/reports/{report.pk}/publish/").status_code == 302
    report.refresh_from_db()
    assert report.status == "published" and report.published_by == qworld.municipal
    client.logout()
    page = client.get("/reports/").content.decode()
    assert report.title in page
    assert report.title in client.get(f"/reports/{report.pk}/").content.decode()
    content = client.get(f"/reports/{report.pk}/content/")
    assert "<svg" in b"".join(content.streaming_content).decode()
    pdf = client.get(f"/reports/{report.pk}/report.pdf")
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
    with pytest.raises(ValidationError, match="已发布"):
        services.report_publish(actor=qworld.municipal, report=report)

    # withdrawn by the act annual_report.withdraw from the staff page: no longer public
    client.force_login(qworld.user_a)
    assert client.post(f"/quality/reports/{report.pk}/withdraw/").status_code == 404
    client.force_login(qworld.municipal)
    assert (
        f"/quality/reports/{report.pk}/withdraw/"
        in client.get("/quality/reports/").content.decode()
    )
    assert client.post(f"/quality/reports/{report.pk}/withdraw/").status_code == 302
    report.refresh_from_db()
    assert report.status == "draft" and report.published_at is None
    log = AuditLog.objects.filter(act="annual_report.withdraw").get()
    assert log.object_id == str(report.pk) and log.after["status"] == "draft"
    client.logout()
    assert client.get(f"/reports/{report.pk}/").status_code == 404


def test_district_report_button(qworld, client):
    client.force_login(qworld.district_a)
    r = client.post("/quality/reports/", {"year": 2024})
    assert r.status_code == 200 and "学校代码不能为空" in r.content.decode()
    r = client.post("/quality/reports/", {"year": 2024, "school": qworld.school_b.code})
    assert r.status_code == 200  # another district's school: refused as an unknown code
    assert f"学校代码“{qworld.school_b.code}”不存在或不在您的数据范围内" in r.content.decode()
