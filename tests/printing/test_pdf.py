"""jigong.core.pdf: HTML → PDF with headless Chromium, CJK text extractable and embedded."""

import http.server
import threading

import pytest

from jigong.core.pdf import FONT_SANS, FONT_SERIF, PdfError, PdfRenderer, render_pdf
from tests.printing import pdftools

PAGE = f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<style>body {{ font-family: {FONT_SERIF}; }} .s {{ font-family: {FONT_SANS}; }}</style></head>
<body><h1>技师学院毕业证书</h1><p class="s">预备技师（技师）班 重庆市人力资源和社会保障局</p>
<div style="break-after: page"></div><p>第二页：中级工班 高级工班</p></body></html>"""


def test_cjk_text_extractable_fonts_embedded_page_numbers():
    pdf = render_pdf(PAGE)
    assert pdf.startswith(b"%PDF")
    text = pdftools.text(pdf)
    for s in ("技师学院毕业证书", "预备技师（技师）班", "重庆市人力资源和社会保障局", "中级工班"):
        assert s in text
    assert "第 1 页，共 2 页" in text and "第 2 页，共 2 页" in text
    fonts = pdftools.fonts(pdf)
    assert fonts, "no fonts in the PDF"
    assert all(f["emb"] == "yes" for f in fonts), fonts
    assert all(f["uni"] == "yes" for f in fonts), fonts  # text maps back to Unicode
    assert pdftools.pages(pdf) == 2


def test_landscape_without_header_footer():
    with PdfRenderer() as r:
        pdf = r.render(PAGE, landscape=True, header_footer=False)
        portrait = r.render(PAGE)
    w, h = pdftools.page_size_mm(pdf)
    assert round(w) == 297 and round(h) == 210
    assert "第 1 页" not in pdftools.text(pdf)
    assert pdftools.page_size_mm(portrait)[0] < pdftools.page_size_mm(portrait)[1]


def test_rendered_page_is_not_blank():
    w, h, pixels = pdftools.first_page_gray(render_pdf(PAGE), dpi=40)
    assert w > 100 and h > 100
    assert 0.001 < pdftools.dark_fraction(pixels) < 0.5


def test_no_request_leaves_the_renderer():
    """A page that refers to a stylesheet, an image and a script elsewhere renders, and
    no request reaches the server they point at."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        html = (
            f'<html><head><link rel="stylesheet" href="{base}/x.css">'
            f'<script src="{base}/x.js"></script></head>'
            f'<body><img src="{base}/x.png">无网络</body></html>'
        )
        pdf = render_pdf(html)
    finally:
        server.shutdown()
        server.server_close()
    assert "无网络" in pdftools.text(pdf)
    assert hits == []


@pytest.mark.django_db
def test_orm_usable_while_the_browser_is_open(world):
    """The browser runs in its own thread: the ORM keeps working in ours."""
    from jigong.schools.models import School

    with PdfRenderer() as r:
        n = School.objects.count()
        pdf = r.render(f"<p>{n}所学校</p>")
        assert School.objects.filter(pk=world.school_a.pk).exists()
    assert f"{n}所学校" in pdftools.text(pdf)


def test_missing_chromium_is_a_clear_chinese_error(tmp_path):
    with pytest.raises(PdfError) as info:
        PdfRenderer(chromium=tmp_path / "none").open()
    assert "未找到 Chromium 浏览器" in info.value.message
    assert "apt-get install chromium" in info.value.message


def test_render_outside_the_context_is_refused():
    with pytest.raises(PdfError, match="PDF 渲染器未启动"):
        PdfRenderer().render("<p>x</p>")
