"""The proof-of-work challenge of public verification (ALTCHA, PoW v2, the ``altcha``
library; the widget is vendored in static/vendor/altcha).

A challenge is PBKDF2/SHA-256 with ``JIGONG_VERIFY_POW_COST`` iterations a try, in
ALTCHA's deterministic mode: the server picks the winning counter uniformly in
``JIGONG_VERIFY_POW_COUNTER`` and signs the key it leads to, so a solver must try every
counter from 0 up to it (the work has a floor, not only an average) and the server
checks a solution with one HMAC. The challenge is signed (HMAC-SHA-256 with a key
derived from SECRET_KEY), expires after ``JIGONG_VERIFY_CHALLENGE_SECONDS`` and is
accepted once: its signature is then kept in the shared default cache until it expires.
"""

from __future__ import annotations

import secrets
import time

import altcha
from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac

MAX_PAYLOAD = 4000
USED = "jg:verify:altcha-used:"


def _secret(purpose: str) -> str:
    return salted_hmac("jigong.public.challenge", purpose).hexdigest()


def new() -> dict:
    """A signed challenge, as the widget and API clients take it (JSON object)."""
    low, high = settings.JIGONG_VERIFY_POW_COUNTER
    challenge = altcha.create_challenge(
        "PBKDF2/SHA-256",
        settings.JIGONG_VERIFY_POW_COST,
        counter=low + secrets.randbelow(high - low + 1),
        expires_at=int(time.time()) + settings.JIGONG_VERIFY_CHALLENGE_SECONDS,
        hmac_secret=_secret("signature"),
        hmac_key_secret=_secret("key"),
    )
    return challenge.to_dict()


def passed(payload: str | None) -> bool:
    """Whether ``payload`` (base64 JSON {challenge, solution}) solves one of our
    challenges, unexpired and not used before; a passing payload is used up."""
    if not payload or not isinstance(payload, str) or len(payload) > MAX_PAYLOAD:
        return False
    try:
        result = altcha.verify_solution(
            payload, _secret("signature"), hmac_key_secret=_secret("key")
        )
        if not result.verified:
            return False
        signature = altcha.Payload.from_base64(payload).challenge.signature
    except Exception:  # a forged payload of any shape is a failed challenge, never a 500
        return False
    return cache.add(USED + signature, 1, timeout=settings.JIGONG_VERIFY_CHALLENGE_SECONDS + 60)
