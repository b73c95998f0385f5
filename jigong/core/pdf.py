"""HTML → PDF with headless Chromium (Debian's ``chromium``, driven by Playwright).

    with PdfRenderer() as pdf:            # one browser for a whole batch
        a = pdf.render(html_a)
        b = pdf.render(html_b, landscape=True, header_footer=False)

    data = render_pdf(html)               # one-shot

Pages are our own HTML: styles and images are inlined (``static_text`` reads a static
file from disk, ``data_uri`` embeds a binary one); every network request is refused,
so a page can never reach a CDN or any other address. Text is set in the system's
Noto CJK fonts (Debian ``fonts-noto-cjk``), which Chromium subsets and embeds, so
the text stays extractable. Page numbers come from Chromium's footer template.

Playwright's sync API runs an event loop in the thread that uses it, and Django's
ORM refuses to run in a thread with a running loop. The browser therefore lives in
one worker thread owned by the renderer; callers keep using the ORM in their own
thread, and nothing needs ``DJANGO_ALLOW_ASYNC_UNSAFE``.
"""

from __future__ import annotations

import base64
import contextlib
import mimetypes
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.utils.translation import gettext as _

CHROMIUM = Path(os.environ.get("JIGONG_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--font-render-hinting=none",
]
FONT_SANS = '"Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif'
FONT_SERIF = '"Noto Serif CJK SC", "Source Han Serif SC", "Noto Sans CJK SC", serif'
TIMEOUT_MS = 60_000

# Chromium fills .pageNumber and .totalPages in these templates; they take no page CSS.
FOOTER = (
    '<div style="width:100%;font-size:8pt;text-align:center;color:#555;'
    f'font-family:{FONT_SANS.replace(chr(34), chr(39))}">'
    '第 <span class="pageNumber"></span> 页，共 <span class="totalPages"></span> 页</div>'
)
EMPTY = "<div></div>"
DEFAULT_MARGIN = {"top": "15mm", "bottom": "18mm", "left": "15mm", "right": "15mm"}


class PdfError(RuntimeError):
    """PDF rendering failed; ``message`` is Chinese, for users and operators."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def static_text(path: str) -> str:
    """A static file's text (e.g. a CSS file) read from disk through the staticfiles
    finders, for inlining into a page."""
    return _static_path(path).read_text(encoding="utf-8")


def data_uri(path: str, mime: str | None = None) -> str:
    """A static file as a ``data:`` URI (images, fonts) for inlining into a page."""
    p = _static_path(path)
    mime = mime or mimetypes.guess_type(p.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(p.read_bytes()).decode('ascii')}"


def _static_path(path: str) -> Path:
    from django.contrib.staticfiles import finders

    found = finders.find(path)
    if not found:
        raise PdfError(_("静态文件“%(p)s”不存在") % {"p": path})
    return Path(found)


class PdfRenderer:
    """One headless Chromium for a batch of documents. Not for concurrent use from
    several threads; each ``render`` call runs to completion before the next."""

    def __init__(self, *, chromium: Path | str | None = None, timeout_ms: int = TIMEOUT_MS):
        self.chromium = Path(chromium) if chromium else CHROMIUM
        self.timeout_ms = timeout_ms
        self._pool: ThreadPoolExecutor | None = None
        self._pw = self._browser = self._page = None
        self._lock = threading.Lock()

    # --- lifecycle (every Playwright call happens in the worker thread) --------------

    def __enter__(self) -> PdfRenderer:
        self.open()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def open(self) -> None:
        if self._pool is not None:
            return
        if not self.chromium.exists():
            raise PdfError(
                _(
                    "未找到 Chromium 浏览器（%(p)s）：生成 PDF 需要安装 Debian 的 chromium "
                    "软件包（apt-get install chromium）。"
                )
                % {"p": self.chromium}
            )
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jigong-pdf")
        try:
            self._pool.submit(self._start).result()
        except Exception as exc:
            self.close()
            if isinstance(exc, PdfError):
                raise
            raise PdfError(_("无法启动 Chromium 浏览器：%(e)s") % {"e": exc}) from exc

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        try:
            pool.submit(self._stop).result()
        finally:
            pool.shutdown(wait=True)

    def _start(self) -> None:
        from django.conf import settings
        from playwright.sync_api import sync_playwright

        # This thread only (Linux nice is per thread), hence Playwright's driver and
        # Chromium, which it starts: the renderer yields the CPU to the web server.
        nice = getattr(settings, "JIGONG_PDF_NICE", 0)
        if nice > 0:
            with contextlib.suppress(OSError):
                os.nice(nice)

        self._pw = sync_playwright().start()
        self._browser = self._pw.chromium.launch(
            executable_path=str(self.chromium), args=CHROMIUM_ARGS, headless=True
        )
        context = self._browser.new_context(locale="zh-CN", java_script_enabled=True)
        context.set_default_timeout(self.timeout_ms)
        # Pages are self-contained: refuse every request that would leave the process.
        context.route("**/*", _refuse_network)
        self._page = context.new_page()

    def _stop(self) -> None:
        try:
            if self._browser is not None:
                self._browser.close()
        finally:
            if self._pw is not None:
                self._pw.stop()
            self._pw = self._browser = self._page = None

    # --- rendering -----------------------------------------------------------------

    def render(
        self,
        html: str,
        *,
        landscape: bool = False,
        header_footer: bool | dict = True,
        paper: str = "A4",
        margin: dict | None = None,
        wait_for: str | None = None,
    ) -> bytes:
        """The PDF of one HTML document.

        header_footer  True: page numbers centred in the footer (第 N 页，共 M 页);
                       False: none (a page that fills the sheet, e.g. a certificate);
                       {"header": html, "footer": html}: Chromium templates of one's own
                       (classes pageNumber, totalPages, date, title are filled in).
        margin         page margins (CSS lengths); default 15 mm, 18 mm at the bottom.
        wait_for       a JavaScript expression; printing waits until it is truthy
                       (e.g. ``"window.__chartsReady === true"`` after charts draw).
        A page's own ``@page`` rule (size, margin) wins over these options.
        """
        if self._pool is None:
            raise PdfError(_("PDF 渲染器未启动：请在 with PdfRenderer() 中调用 render。"))
        options = {
            "format": paper,
            "landscape": landscape,
            "print_background": True,
            "prefer_css_page_size": True,
            "margin": margin or DEFAULT_MARGIN,
        }
        if header_footer:
            templates = header_footer if isinstance(header_footer, dict) else {}
            options.update(
                display_header_footer=True,
                header_template=templates.get("header", EMPTY),
                footer_template=templates.get("footer", FOOTER),
            )
        with self._lock:
            try:
                return self._pool.submit(self._render, html, options, wait_for).result()
            except PdfError:
                raise
            except Exception as exc:
                raise PdfError(_("生成 PDF 失败：%(e)s") % {"e": exc}) from exc

    def _render(self, html: str, options: dict, wait_for: str | None = None) -> bytes:
        self._load(html, wait_for)
        return self._page.pdf(**options)

    def _load(self, html: str, wait_for: str | None) -> None:
        page = self._page
        page.set_content(html, wait_until="load")
        if wait_for:
            page.wait_for_function(wait_for)
        # Web fonts and images are inline; wait until the system fonts are laid out.
        page.evaluate("document.fonts.ready.then(() => true)")

    def snapshot(self, html: str, *, wait_for: str | None = None) -> str:
        """The document as the browser left it after its scripts ran (e.g. charts drawn
        as inline SVG), with every ``<script>`` removed: static, self-contained HTML."""
        if self._pool is None:
            raise PdfError(_("PDF 渲染器未启动：请在 with PdfRenderer() 中调用 snapshot。"))
        with self._lock:
            try:
                return self._pool.submit(self._snapshot, html, wait_for).result()
            except PdfError:
                raise
            except Exception as exc:
                raise PdfError(_("生成页面失败：%(e)s") % {"e": exc}) from exc

    def _snapshot(self, html: str, wait_for: str | None) -> str:
        self._load(html, wait_for)
        return self._page.evaluate(
            "() => { document.querySelectorAll('script').forEach(s => s.remove());"
            " return '<!DOCTYPE html>\\n' + document.documentElement.outerHTML; }"
        )


def _refuse_network(route) -> None:
    url = route.request.url
    if url.startswith(("data:", "about:")):
        route.continue_()
    else:
        route.abort("blockedbyclient")


def render_pdf(html: str, **options) -> bytes:
    """One document with a browser of its own (for many, keep a ``PdfRenderer`` open)."""
    with PdfRenderer() as renderer:
        return renderer.render(html, **options)
