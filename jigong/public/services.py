"""Writes of the certificate query system: department API keys (issued and revoked by
the municipal bureau, audited) and the query log (append-only, purged only past the
retention period)."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jigong.certificates.models import QueryLog
from jigong.core import services as core
from jigong.core.models import ApiKey, ApiKeyScope, AuditLog
from jigong.core.permissions import role_may
from jigong.policy import parameters, rules

KEY_PREFIX = "jgk"
MAX_RATE = 1_000_000


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()


def split_key(key: str) -> tuple[str, str] | None:
    """``jgk_<prefix>_<secret>`` → (prefix, whole key), or None when malformed."""
    key = (key or "").strip()
    parts = key.split("_", 2)
    if len(key) > 100 or len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1]:
        return None
    return parts[1], key


@dataclass(frozen=True)
class IssuedKey:
    api_key: ApiKey
    key: str  # shown once; only its digest is stored


def _check_scopes(scopes) -> list[str]:
    allowed = dict(ApiKeyScope.choices)
    scopes = list(dict.fromkeys(s.strip() for s in (scopes or []) if s and s.strip()))
    if not scopes:
        raise ValidationError({"scopes": [_("授权范围“”：至少选择一项")]})
    for s in scopes:
        if s not in allowed:
            names = "、".join(f"{k}（{v}）" for k, v in allowed.items())
            raise ValidationError(
                {"scopes": [_("授权范围“%(s)s”：应为%(n)s") % {"s": s[:40], "n": names}]}
            )
    return scopes


@transaction.atomic
def api_key_create(
    *, actor, name: str, scopes, rate_per_minute: int = 600, note: str = ""
) -> IssuedKey:
    """Issue a key to a department. The returned ``key`` is the only time it is seen."""
    if actor is not None and not role_may(actor, ApiKey, "add"):
        raise PermissionDenied(_("只有市人社局可以签发接口密钥。"))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("使用部门“”：必须填写")]})
    scopes = _check_scopes(scopes)
    if not isinstance(rate_per_minute, int) or not 1 <= rate_per_minute <= MAX_RATE:
        raise ValidationError(
            {
                "rate_per_minute": [
                    _("每分钟限额“%(r)s”：应为1至%(m)s之间的整数")
                    % {"r": str(rate_per_minute)[:20], "m": MAX_RATE}
                ]
            }
        )
    prefix = secrets.token_hex(4)
    while ApiKey.objects.filter(prefix=prefix).exists():
        prefix = secrets.token_hex(4)
    key = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    obj = core.create(
        actor,
        ApiKey,
        name=name,
        prefix=prefix,
        digest=digest(key),
        scopes=scopes,
        rate_per_minute=rate_per_minute,
        note=(note or "").strip(),
        created_by=actor if actor is not None and actor.pk else None,
    )
    return IssuedKey(api_key=obj, key=key)


@transaction.atomic
def api_key_revoke(*, actor, api_key: ApiKey) -> ApiKey:
    if actor is not None and not role_may(actor, ApiKey, "change"):
        raise PermissionDenied(_("只有市人社局可以撤销接口密钥。"))
    key = ApiKey.objects.select_for_update().get(pk=api_key.pk)
    if key.revoked_at is not None:
        raise ValidationError({"revoked_at": [_("接口密钥“%(k)s”：已经撤销") % {"k": key.prefix}]})
    core.update(actor, key, revoked_at=timezone.now())
    api_key.refresh_from_db()
    return key


# --- the query log ---------------------------------------------------------------------

LOG_FIELDS = [
    "at",
    "api_key_id",
    "client",
    "ip",
    "channel",
    "kind",
    "number",
    "name",
    "found",
    "batch",
]


def query_log_write(entries: list[tuple]) -> int:
    """Append query-log rows (tuples in LOG_FIELDS order) with one statement per chunk.
    Query logs are themselves the record of access, so they are not audited row by row.
    One transaction: in autocommit each row would be a commit of its own."""
    with transaction.atomic():
        return core.bulk_insert(QueryLog, LOG_FIELDS, entries)


@transaction.atomic
def query_log_purge(*, actor, before: datetime.date) -> int:
    """Delete query-log rows older than ``before``; refuses any ``before`` that would
    delete a row within the retention period (at least 6 months, （十八） platform rule)."""
    if actor is not None and not role_may(actor, QueryLog, "delete"):
        raise PermissionDenied(_("只有市人社局可以清理查询日志。"))
    today = timezone.localdate()
    keep_from = rules.query_log_keep_from(today, today)
    if before > keep_from:
        months = parameters.get("certificates.query_log_retention_months", today)
        raise ValidationError(
            {
                "before": [
                    _("清理截止日期“%(b)s”：查询日志至少保存%(m)s个月，只能清理%(k)s之前的日志")
                    % {"b": before, "m": months, "k": keep_from}
                ]
            }
        )
    cutoff = timezone.make_aware(datetime.datetime.combine(before, datetime.time.min))
    deleted, _detail = QueryLog.objects.filter(at__lt=cutoff).delete()
    core.audit(
        actor,
        AuditLog.Action.DELETE,
        object_type=QueryLog._meta.label_lower,
        before={"count": deleted, "before": before.isoformat()},
        message=_("清理%(b)s之前的查询日志%(n)s条") % {"b": before, "n": deleted},
    )
    return deleted
