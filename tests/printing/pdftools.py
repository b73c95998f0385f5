"""Reading PDFs the way a person's tools do: poppler-utils (Debian `poppler-utils`)."""

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} not found: install Debian's poppler-utils", pytrace=False)
    return path


def _run(name: str, pdf: bytes, *args: str) -> str:
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "doc.pdf"
        f.write_bytes(pdf)
        out = subprocess.run(
            [_tool(name), *args, str(f), "-"], capture_output=True, check=True, timeout=60
        )
    return out.stdout.decode("utf-8", "replace")


def text(pdf: bytes) -> str:
    return _run("pdftotext", pdf, "-layout")


def pages(pdf: bytes) -> int:
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "doc.pdf"
        f.write_bytes(pdf)
        out = subprocess.run([_tool("pdfinfo"), str(f)], capture_output=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", out.stdout.decode(), re.M).group(1))


def page_size_mm(pdf: bytes) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "doc.pdf"
        f.write_bytes(pdf)
        out = subprocess.run([_tool("pdfinfo"), str(f)], capture_output=True, check=True)
    w, h = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", out.stdout.decode()).groups()
    return float(w) * 25.4 / 72, float(h) * 25.4 / 72


def fonts(pdf: bytes) -> list[dict]:
    """pdffonts rows: {"type", "emb", "sub", "uni"}."""
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "doc.pdf"
        f.write_bytes(pdf)
        out = subprocess.run([_tool("pdffonts"), str(f)], capture_output=True, check=True)
    rows = []
    for line in out.stdout.decode().splitlines()[2:]:
        cols = line.split()
        # name type... encoding emb sub uni obj gen: read from the right
        rows.append({"emb": cols[-5], "sub": cols[-4], "uni": cols[-3], "line": line})
    return rows


def first_page_gray(pdf: bytes, dpi: int = 20) -> tuple[int, int, bytes]:
    """(width, height, 8-bit gray pixels) of page 1, rendered by pdftoppm."""
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "doc.pdf"
        f.write_bytes(pdf)
        subprocess.run(
            [_tool("pdftoppm"), "-gray", "-r", str(dpi), "-f", "1", "-l", "1", str(f), f"{d}/p"],
            check=True,
            timeout=60,
        )
        pgm = next(Path(d).glob("p*.pgm")).read_bytes()
    # P5 header: magic, width, height, maxval, each separated by whitespace
    m = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", pgm)
    w, h = int(m.group(1)), int(m.group(2))
    return w, h, pgm[m.end() : m.end() + w * h]


def dark_fraction(pixels: bytes, threshold: int = 128) -> float:
    return sum(1 for p in pixels if p < threshold) / max(len(pixels), 1)


def qr_texts(pdf: bytes, dpi: int = 100) -> list[str]:
    """The texts of the QR codes on page 1, read as a phone's scanner reads them (ZXing,
    the decoder of most Android scanners) from the page rendered by pdftoppm."""
    import zxingcpp

    w, h, pixels = first_page_gray(pdf, dpi=dpi)
    image = memoryview(pixels).cast("B", (h, w))
    return [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]
