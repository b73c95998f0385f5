"""The site icon: /favicon.ico answers (browsers ask for it on every page, the admin's
and the plain error pages included), and the base template links the icons."""

import re

import pytest

ICO_MAGIC = b"\x00\x00\x01\x00"


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_favicon_ico_is_an_icon(client):
    r = client.get("/favicon.ico")
    assert r.status_code == 200
    assert r["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    body = _body(r)
    assert body[:4] == ICO_MAGIC and body.count(b"\x89PNG") == 3  # 16, 32 and 48 px


@pytest.mark.parametrize("who", [None, "user_a"])
def test_base_template_links_the_icons_from_self(client, world, who):
    if who:
        client.force_login(getattr(world, who))
    r = client.get("/accounts/login/" if who is None else "/")
    assert r.status_code == 200
    text = r.content.decode()
    links = dict(
        (m.group(2), m.group(1))
        for m in re.finditer(r'<link rel="icon" href="([^"]+)"[^>]*type="([^"]+)"', text)
    )
    assert set(links) == {"image/svg+xml", "image/x-icon"}, text[:800]
    for kind, href in links.items():
        assert href.startswith("/static/")  # same origin: the CSP's img-src 'self'
        icon = client.get(href)
        assert icon.status_code == 200 and icon["Content-Type"].startswith(kind)
    assert "img-src 'self'" in r["Content-Security-Policy"]
    svg = _body(client.get(links["image/svg+xml"])).decode()
    assert svg.startswith("<svg") and "<script" not in svg and "http://www.w3.org" in svg
