"""The relying party's settings, from JIGONG_OIDC_* (jigong/settings.py): the
``OIDC_*`` names mozilla-django-oidc reads, the endpoints from the issuer's discovery
document (fetched once per issuer) unless set explicitly."""

import threading

import requests
from django.conf import settings

_discovered: dict[str, dict] = {}
_lock = threading.Lock()

ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": (
        "JIGONG_OIDC_AUTHORIZATION_ENDPOINT",
        "authorization_endpoint",
    ),
    "OIDC_OP_TOKEN_ENDPOINT": ("JIGONG_OIDC_TOKEN_ENDPOINT", "token_endpoint"),
    "OIDC_OP_USER_ENDPOINT": ("JIGONG_OIDC_USERINFO_ENDPOINT", "userinfo_endpoint"),
    "OIDC_OP_JWKS_ENDPOINT": ("JIGONG_OIDC_JWKS_ENDPOINT", "jwks_uri"),
}
FIXED = {
    "OIDC_RP_CLIENT_ID": "JIGONG_OIDC_CLIENT_ID",
    "OIDC_RP_CLIENT_SECRET": "JIGONG_OIDC_CLIENT_SECRET",
    "OIDC_RP_SIGN_ALGO": "JIGONG_OIDC_SIGN_ALGO",
    "OIDC_RP_SCOPES": "JIGONG_OIDC_SCOPES",
    "OIDC_TIMEOUT": "JIGONG_OIDC_TIMEOUT",
}
CONSTANT = {
    "OIDC_USE_PKCE": True,
    "OIDC_USE_NONCE": True,
    "OIDC_RP_IDP_SIGN_KEY": None,  # keys from the provider's JWKS (key rotation)
    "OIDC_VERIFY_SSL": True,
    "OIDC_CREATE_USER": False,  # jigong.sso.backend decides, through the acts
    "OIDC_STORE_ID_TOKEN": False,
    "OIDC_STORE_ACCESS_TOKEN": False,
    "OIDC_AUTHENTICATION_CALLBACK_URL": "oidc_authentication_callback",
    "LOGIN_REDIRECT_URL_FAILURE": "/accounts/login/",
}


def enabled() -> bool:
    return bool(
        getattr(settings, "JIGONG_OIDC_ISSUER", "")
        and getattr(settings, "JIGONG_OIDC_CLIENT_ID", "")
    )


def issuer() -> str:
    return settings.JIGONG_OIDC_ISSUER.rstrip("/")


def discovery() -> dict:
    """The issuer's /.well-known/openid-configuration (cached per issuer)."""
    iss = issuer()
    with _lock:
        if iss not in _discovered:
            r = requests.get(
                f"{iss}/.well-known/openid-configuration", timeout=settings.JIGONG_OIDC_TIMEOUT
            )
            r.raise_for_status()
            _discovered[iss] = r.json()
        return _discovered[iss]


def setting(attr: str, *default):
    """What mozilla-django-oidc's ``get_settings(attr)`` answers."""
    if attr in CONSTANT:
        return CONSTANT[attr]
    if attr in FIXED:
        return getattr(settings, FIXED[attr])
    if attr in ENDPOINTS:
        ours, key = ENDPOINTS[attr]
        return (
            getattr(settings, ours, "") or discovery().get(key) or (default[0] if default else None)
        )
    if default:
        return getattr(settings, attr, default[0])
    return getattr(settings, attr)
