"""The platform's public address (``JIGONG_PUBLIC_URL``): what printed documents carry
so that a reader — a phone scanning a certificate's QR code, a person typing the printed
address — reaches this platform from outside. Scheme and host (a port and a path prefix
allowed); no query or fragment."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

DEFAULT = "http://127.0.0.1:8000"


def check(value: str) -> str:
    """``value`` without a trailing slash; ImproperlyConfigured naming the setting."""
    text = (value or "").strip()
    parts = urlsplit(text)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not re.fullmatch(r"[a-z0-9.-]+|[0-9a-f:.]+", host):
        raise ImproperlyConfigured(
            f"JIGONG_PUBLIC_URL “{value}”：应为本平台对外的地址，如 https://jigong.example.cn"
        )
    if parts.query or parts.fragment or "?" in text or "#" in text:
        raise ImproperlyConfigured(
            f"JIGONG_PUBLIC_URL “{value}”：只写协议、主机（可带端口和路径前缀），不带 ? 或 #"
        )
    return text.rstrip("/")


def absolute(path: str) -> str:
    """``path`` (an absolute path of this site, e.g. ``/verify/``) under the public
    address."""
    from django.conf import settings

    return check(settings.JIGONG_PUBLIC_URL) + path
