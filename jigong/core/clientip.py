"""The client's address: one rule for the log-in lock-out (django-axes'
``AXES_CLIENT_IP_CALLABLE``), the verification and department rate limits, the audit
log and the access and error logs.

A forwarding header is believed only when the connecting peer (``REMOTE_ADDR``) is one
of ``JIGONG_TRUSTED_PROXIES`` (addresses or CIDR networks; none by default, nginx on the
loopback address in the production profile). The header is ``JIGONG_CLIENT_IP_HEADER``:
``HTTP_X_REAL_IP`` (default; nginx's ``X-Real-IP $remote_addr``) or
``HTTP_X_FORWARDED_FOR``. Its value is read from the right: the first address that is
not itself a trusted proxy is the client, so entries a client prepended are never used.
A malformed value is not believed. A client reaching the application port directly gets
its own connecting address, whatever headers it sends.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

HEADERS = {"HTTP_X_REAL_IP": "x-real-ip", "HTTP_X_FORWARDED_FOR": "x-forwarded-for"}
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values) -> tuple[Network, ...]:
    """``values`` (a list, or one string separated by commas or spaces) as networks;
    ValueError naming the first value that is neither an address nor a network."""
    if isinstance(values, str):
        values = values.replace(",", " ").split()
    out = []
    for value in values:
        try:
            out.append(ipaddress.ip_network(str(value).strip(), strict=False))
        except ValueError:
            raise ValueError(f"“{value}” is not an IP address or network") from None
    return tuple(out)


def check_settings(trusted, header_name: str) -> str:
    """Validate the two settings (ImproperlyConfigured naming the bad value); return the
    header as a WSGI name (``X-Real-IP``, ``x_real_ip`` → ``HTTP_X_REAL_IP``)."""
    from django.core.exceptions import ImproperlyConfigured

    try:
        parse_networks(trusted)
    except ValueError as exc:
        raise ImproperlyConfigured(f"JIGONG_TRUSTED_PROXIES: {exc}") from None
    name = (header_name or "").strip().upper().replace("-", "_") or "HTTP_X_REAL_IP"
    if not name.startswith("HTTP_"):
        name = "HTTP_" + name
    if name not in HEADERS:
        raise ImproperlyConfigured(
            f"JIGONG_CLIENT_IP_HEADER “{header_name}” must be HTTP_X_REAL_IP or "
            "HTTP_X_FORWARDED_FOR"
        )
    return name


@lru_cache(maxsize=8)
def _networks(values: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(values)


def _address(text: str):
    """An address from a header entry (``1.2.3.4``, ``1.2.3.4:80``, ``[::1]:80``)."""
    text = text.strip()
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:
        text = text.split(":")[0]
    try:
        addr = ipaddress.ip_address(text)
    except ValueError:
        return None
    return addr.ipv4_mapped or addr if isinstance(addr, ipaddress.IPv6Address) else addr


def _trusted(addr, networks) -> bool:
    return addr is not None and any(addr in n for n in networks)


def resolve(peer: str, forwarded: str | None, trusted=None) -> str:
    """The client of a connection from ``peer`` that carried the forwarding header value
    ``forwarded`` (None when absent), given the trusted proxies ``trusted`` (default:
    the setting)."""
    peer = (peer or "").strip()
    if not forwarded:
        return peer or "unknown"
    if trusted is None:
        trusted = getattr(settings, "JIGONG_TRUSTED_PROXIES", ())
    networks = _networks(tuple(trusted))
    if not networks or not _trusted(_address(peer), networks):
        return peer or "unknown"
    hops = [_address(h) for h in forwarded[:2000].split(",")]
    if any(h is None for h in hops):
        return peer
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            return str(hop)
    return str(hops[0])  # every hop a trusted proxy: the first


def header() -> str:
    """The WSGI name of the forwarding header (``HTTP_X_REAL_IP`` by default)."""
    return getattr(settings, "JIGONG_CLIENT_IP_HEADER", "") or "HTTP_X_REAL_IP"


def client_ip(request) -> str:
    """The client address of a Django request (or anything with a WSGI ``META``)."""
    meta = getattr(request, "META", None)
    if meta is None:
        return "unknown"
    return resolve(meta.get("REMOTE_ADDR", ""), meta.get(header()))


def from_access(args: dict, values: dict[str, str]) -> str:
    """The client of a Granian access-log record: its ``addr`` and the header values
    logged with it (``values``: lower-case header name → value, ``-`` when absent)."""
    value = values.get(HEADERS.get(header(), ""), "")
    return resolve(str(args.get("addr", "")), None if value in ("", "-") else value)


def axes_client_ip(request) -> str | None:
    """``client_ip`` for django-axes, whose address columns take only addresses: a
    request without one (the test client's log-in, a Unix socket) gives None."""
    ip = client_ip(request)
    return ip if _address(ip) is not None else None
