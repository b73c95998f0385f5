"""Write the site icon: jigong/static/favicon/favicon.svg and favicon.ico (16, 32, 48 px).

A white gear (技工: skilled work) on the portal's red-to-blue square. The SVG and the ICO
are drawn from the same geometry; the ICO's images are PNGs rasterised here with 4×4
supersampling, so nothing beyond the standard library is needed. Run it again after
changing the design: ``.venv/bin/python scripts/make_favicon.py``.
"""

import math
import struct
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "jigong" / "static" / "favicon"
SIZE = 64  # the SVG's view box
RED, BLUE = (0xB3, 0x12, 0x1B), (0x0B, 0x4F, 0x9C)  # --portal-red, --portal-blue
CORNER = 14
TEETH = 8
OUTER, ROOT, HOLE = 25.0, 19.0, 8.0
TOP, FOOT = 8.0, 13.0  # half-widths in degrees of a tooth's top and of its foot


def gear_radius(angle: float) -> float:
    """The gear's outline radius at ``angle`` (degrees), tooth 0 pointing up."""
    pitch = 360 / TEETH
    phi = abs((angle % pitch + pitch / 2) % pitch - pitch / 2)
    if phi <= TOP:
        return OUTER
    if phi >= FOOT:
        return ROOT
    return OUTER + (ROOT - OUTER) * (phi - TOP) / (FOOT - TOP)


def _point(radius: float, angle: float) -> str:
    a = math.radians(angle)
    x, y = SIZE / 2 + radius * math.sin(a), SIZE / 2 - radius * math.cos(a)
    return f"{x:.2f} {y:.2f}"


def svg() -> str:
    pitch = 360 / TEETH
    d = [f"M{_point(ROOT, -FOOT)}"]
    for i in range(TEETH):
        a = i * pitch
        d.append(f"L{_point(OUTER, a - TOP)}")
        d.append(f"A{OUTER} {OUTER} 0 0 1 {_point(OUTER, a + TOP)}")
        d.append(f"L{_point(ROOT, a + FOOT)}")
        d.append(f"A{ROOT} {ROOT} 0 0 1 {_point(ROOT, a + pitch - FOOT)}")
    d.append("Z")
    c = SIZE / 2
    d.append(f"M{c - HOLE} {c}a{HOLE} {HOLE} 0 1 0 {2 * HOLE} 0a{HOLE} {HOLE} 0 1 0 {-2 * HOLE} 0Z")
    hexa = "#{:02x}{:02x}{:02x}".format
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}">'
        "<title>技工</title>"
        '<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">'
        f'<stop offset="0" stop-color="{hexa(*RED)}"/>'
        f'<stop offset="1" stop-color="{hexa(*BLUE)}"/>'
        "</linearGradient></defs>"
        f'<rect width="{SIZE}" height="{SIZE}" rx="{CORNER}" fill="url(#g)"/>'
        f'<path fill="#fff" fill-rule="evenodd" d="{"".join(d)}"/>'
        "</svg>\n"
    )


def _sample(x: float, y: float) -> tuple[float, float, float, float]:
    """RGBA (0–1) of the design at (x, y) in view-box units."""
    qx, qy = min(x, SIZE - x), min(y, SIZE - y)
    if qx < CORNER and qy < CORNER and math.hypot(CORNER - qx, CORNER - qy) > CORNER:
        return (0.0, 0.0, 0.0, 0.0)
    dx, dy = x - SIZE / 2, y - SIZE / 2
    r = math.hypot(dx, dy)
    if HOLE < r <= gear_radius(math.degrees(math.atan2(dx, -dy))):
        return (1.0, 1.0, 1.0, 1.0)
    t = (x + y) / (2 * SIZE)
    rgb = [(a + (b - a) * t) / 255 for a, b in zip(RED, BLUE, strict=True)]
    return (*rgb, 1.0)


def raster(px: int, sub: int = 4) -> bytes:
    """Rows of RGBA bytes, each prefixed with PNG filter 0."""
    scale = SIZE / px
    rows = bytearray()
    for j in range(px):
        rows.append(0)
        for i in range(px):
            acc = [0.0, 0.0, 0.0, 0.0]
            for sj in range(sub):
                for si in range(sub):
                    r, g, b, a = _sample(
                        (i + (si + 0.5) / sub) * scale, (j + (sj + 0.5) / sub) * scale
                    )
                    acc[0] += r * a
                    acc[1] += g * a
                    acc[2] += b * a
                    acc[3] += a
            n = sub * sub
            alpha = acc[3] / n
            color = [c / acc[3] if acc[3] else 0.0 for c in acc[:3]]
            rows += bytes(round(255 * v) for v in (*color, alpha))
    return bytes(rows)


def png(px: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", px, px, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raster(px), 9))
        + chunk(b"IEND", b"")
    )


def ico(sizes=(16, 32, 48)) -> bytes:
    """An ICO whose images are PNGs (read by every current browser and Windows)."""
    images = [png(s) for s in sizes]
    out = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    for s, data in zip(sizes, images, strict=True):
        out += struct.pack("<BBBBHHII", s % 256, s % 256, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    return out + b"".join(images)


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "favicon.svg").write_text(svg(), encoding="utf-8")
    (OUT / "favicon.ico").write_bytes(ico())
    print(f"wrote {OUT / 'favicon.svg'} and {OUT / 'favicon.ico'}")
