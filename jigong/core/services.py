"""Audited writes. Every service of every app writes through these helpers.

HackSoft style: services take the acting user explicitly (`actor`), run in one
transaction, validate with `full_clean` and record an AuditLog row.
"""

import datetime
import decimal
import uuid
from collections.abc import Iterable

from django.db import models, transaction

from jigong.core.models import AuditLog, User
from jigong.core.permissions import ensure

SYSTEM_NAME = "系统"


def _jsonable(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(obj: models.Model) -> dict:
    """Concrete field values, as stored (foreign keys by id)."""
    return {f.attname: _jsonable(getattr(obj, f.attname)) for f in obj._meta.concrete_fields}


def _school_and_district(obj: models.Model) -> tuple[int | None, int | None]:
    from jigong.core.permissions import _paths, _resolve

    scope = getattr(type(obj), "Scope", None)
    school = district = None
    for path in _paths(getattr(scope, "school", None)):
        school = _resolve(obj, path)
        if school:
            break
    for path in _paths(getattr(scope, "district", None)):
        district = _resolve(obj, path)
        if district:
            break
    return school, district


def audit(
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    *,
    before: dict | None = None,
    after: dict | None = None,
    message: str = "",
    object_type: str | None = None,
) -> AuditLog:
    school, district = _school_and_district(obj) if obj is not None else (None, None)
    return AuditLog.objects.create(
        actor=actor if actor and actor.pk else None,
        actor_name=str(actor) if actor else SYSTEM_NAME,
        action=action,
        object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
        object_id=str(obj.pk) if obj is not None and obj.pk else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        school_id=school,
        district_id=district,
        before=before,
        after=after,
        message=message,
    )


@transaction.atomic
def create(actor: User | None, model: type[models.Model], *, check: bool = True, **fields):
    """Validate, scope-check, save and audit a new record."""
    obj = model(**fields)
    if actor is not None and check:
        ensure(actor, "add", obj)
    obj.full_clean()
    obj.save()
    audit(actor, AuditLog.Action.CREATE, obj, after=snapshot(obj))
    return obj


@transaction.atomic
def update(actor: User | None, obj: models.Model, *, check: bool = True, **fields):
    """Apply changes; audit only the fields that actually changed. Scope is checked
    before and after, so a record cannot be moved out of (or into) another scope."""
    if actor is not None and check:
        ensure(actor, "change", obj)
    before = snapshot(obj)
    for name, value in fields.items():
        setattr(obj, name, value)
    if actor is not None and check:
        ensure(actor, "change", obj)
    obj.full_clean()
    after = snapshot(obj)
    changed = [k for k in after if after[k] != before[k]]
    if not changed:
        return obj
    obj.save(update_fields=[obj._meta.get_field(k).name for k in changed])
    audit(
        actor,
        AuditLog.Action.UPDATE,
        obj,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )
    return obj


@transaction.atomic
def delete(actor: User | None, obj: models.Model, *, check: bool = True) -> None:
    if actor is not None and check:
        ensure(actor, "delete", obj)
    before = snapshot(obj)
    audit(actor, AuditLog.Action.DELETE, obj, before=before)
    obj.delete()


def bulk_created(actor: User | None, model: type[models.Model], count: int, message: str):
    """One audit row for a bulk load (demo world, large imports)."""
    return audit(
        actor,
        AuditLog.Action.BULK_CREATE,
        object_type=model._meta.label_lower,
        after={"count": count},
        message=message,
    )


def chunked(items: Iterable, size: int):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
