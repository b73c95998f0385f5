"""The department's home page (portal/home_department.html): its own API keys, who
issues them, and example calls against this server. An inclusion tag rather than a
view, so the home page's router (indicators.views.home) needs no import of this app."""

from __future__ import annotations

import json
import shlex

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from jigong.core.models import ApiKeyScope
from jigong.policy import rules
from jigong.public import ratelimit, selectors
from jigong.public.department_api import FILE_MAX_BYTES
from jigong.public.services import KEY_PREFIX

register = template.Library()

# What the reader puts in place of these in the example calls (tests fill them).
NUMBER = "证书编号"
NAME = "完整姓名"
KEY_VARIABLE = "JIGONG_API_KEY"


def _api(request, path: str) -> str:
    """This server's address as the caller reached it (behind a proxy: the forwarded
    host when ``USE_X_FORWARDED_HOST`` is set, docs/ops.md)."""
    return request.build_absolute_uri(path)


def examples(request) -> dict[str, str]:
    """Runnable ``curl`` commands for single and batch verification."""
    header = f'-H "X-API-Key: ${KEY_VARIABLE}"'
    single = " ".join(
        [
            "curl -sS --get",
            shlex.quote(_api(request, reverse("api-v1:verify"))),
            header,
            "--data-urlencode",
            shlex.quote(f"number={NUMBER}"),
            "--data-urlencode",
            shlex.quote(f"name={NAME}"),
        ]
    )
    body = json.dumps({"items": [{"number": NUMBER, "name": NAME}]}, ensure_ascii=False)
    batch = " ".join(
        [
            "curl -sS -X POST",
            shlex.quote(_api(request, reverse("api-v1:verify_batch"))),
            header,
            '-H "Content-Type: application/json"',
            "-d",
            shlex.quote(body),
        ]
    )
    return {"single": single, "batch": batch}


def _window(limit: tuple[int, int]) -> dict:
    count, seconds = limit
    return {"count": count, "minutes": max(1, seconds // 60)}


@register.inclusion_tag("public/_department_home.html", takes_context=True)
def department_home(context):
    request = context["request"]
    keys = list(selectors.my_api_keys(user=request.user))
    labels = dict(ApiKeyScope.choices)
    for k in keys:
        k.masked = f"{KEY_PREFIX}_{k.prefix}_••••••••"
        k.scope_names = [str(labels.get(s, s)) for s in k.scopes]
    return {
        "request": request,
        "keys": keys,
        "examples": examples(request),
        "key_variable": KEY_VARIABLE,
        "contact": settings.JIGONG_API_KEY_CONTACT,
        "batch_max": rules.batch_verify_max(timezone.localdate()),
        "file_max_mb": FILE_MAX_BYTES // (1024 * 1024),
        "misses_per_key": _window(ratelimit.setting("JIGONG_VERIFY_KEY_MISSES")),
        "misses_per_number": _window(ratelimit.setting("JIGONG_VERIFY_MISSES_PER_CLIENT_NUMBER")),
        "docs_url": reverse("api-v1:openapi-view"),
        "public_verify_url": reverse("api-v1:certificate_verify"),
        "keys_url": reverse("public:verify_keys"),
        "qr_url": reverse("public:verify_qr"),
    }
