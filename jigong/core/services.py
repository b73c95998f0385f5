"""Audited writes. Every service of every app writes through these helpers.

HackSoft style: services take the acting user explicitly (`actor`), run in one
transaction, validate with `full_clean` and record an AuditLog row.
"""

import datetime
import decimal
import uuid
from collections.abc import Iterable

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from jigong.core import acts, cells, pii
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
    """Concrete field values, as stored (foreign keys by id); a sealed ID number
    (jigong.core.pii) as its masked value and its keyed hash in hex, never in plain."""
    return {
        f.attname: f.audit_value(obj)
        if hasattr(f, "audit_value")
        else _jsonable(getattr(obj, f.attname))
        for f in obj._meta.concrete_fields
    }


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
    school_id: int | None = None,
    district_id: int | None = None,
) -> AuditLog:
    """One audit row, naming the act running in this context (jigong.core.acts). The
    row's school and district are the object's; ``school_id``/``district_id`` name them
    for an object outside any one school (a person shared between schools)."""
    school, district = _school_and_district(obj) if obj is not None else (None, None)
    running = acts.current()
    return AuditLog.objects.create(
        act=running.code if running else "",
        actor=actor if actor and actor.pk else None,
        actor_name=str(actor) if actor else SYSTEM_NAME,
        action=action,
        object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
        object_id=str(obj.pk) if obj is not None and obj.pk else "",
        # ID numbers in the label and the message are stored masked: the audit log's
        # text search must not confirm part of a number the reader sees masked.
        object_repr=pii.mask_text(str(obj))[:200] if obj is not None else "",
        school_id=school_id or school,
        district_id=district_id or district,
        before=before,
        after=after,
        message=pii.mask_text(message) if message else message,
    )


def validate(obj: models.Model) -> None:
    """`full_clean`, with duplicate-key errors rewritten to name the fields and values,
    and NUL characters refused in every text field (PostgreSQL cannot store them; a form
    field refuses them, a value read straight from a POST or a file might not), and a
    text beginning with "=" refused in every text field (``cells.formula_error``: the
    one input rule against formula injection, also the import columns')."""
    nul = {
        f.name: [_("%(f)s含有空字符（\\x00），请删除后重试") % {"f": f.verbose_name}]
        for f in obj._meta.concrete_fields
        if isinstance(f, (models.CharField, models.TextField))
        and isinstance(getattr(obj, f.attname, None), str)
        and "\x00" in getattr(obj, f.attname)
    }
    if nul:
        raise ValidationError(nul)
    formulas = {
        f.name: [f"{f.verbose_name}：{error}"]
        for f in obj._meta.concrete_fields
        if isinstance(f, (models.CharField, models.TextField))
        and (error := cells.formula_error(getattr(obj, f.attname, None)))
    }
    if formulas:
        raise ValidationError(formulas)
    try:
        obj.full_clean()
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        errors = {}
        for name, items in exc.error_dict.items():
            # a sealed ID number's errors name the number's field, not its keyed hash
            name = _plain_name(obj, name)
            errors.setdefault(name, []).extend(_duplicate_message(obj, e) for e in items)
        raise ValidationError(errors) from exc


def _duplicate_message(obj: models.Model, error: ValidationError):
    if error.code not in ("unique", "unique_together") or not error.params:
        return error
    fields = error.params.get("unique_check")
    if not fields:
        return error
    meta = obj._meta
    parts = "、".join(
        f"{meta.get_field(f).verbose_name}“{_shown(_value(obj, meta.get_field(f)))}”"
        for f in fields
    )
    return ValidationError(
        _("%(what)s：%(parts)s的记录已存在，不能重复")
        % {"what": meta.verbose_name, "parts": parts},
        code=error.code,
    )


def _plain_name(obj, name: str) -> str:
    try:
        return getattr(obj._meta.get_field(name), "plain", "") or name
    except FieldDoesNotExist:
        return name


def _value(obj, field):
    """A field's value for a message; an ID number's keyed hash shows the masked number."""
    return field.shown(obj) if hasattr(field, "shown") else getattr(obj, field.name)


def _shown(value) -> str:
    return str(value) if value is not None else ""


@transaction.atomic
def create(
    actor: User | None,
    model: type[models.Model],
    *,
    check: bool = True,
    audit_message: str = "",
    **fields,
):
    """Validate, scope-check, save and audit a new record."""
    obj = model(**fields)
    if actor is not None and check:
        ensure(actor, "add", obj)
    validate(obj)
    obj.save()
    audit(actor, AuditLog.Action.CREATE, obj, after=snapshot(obj), message=audit_message[:255])
    return obj


@transaction.atomic
def update(
    actor: User | None,
    obj: models.Model,
    *,
    check: bool = True,
    audit_message: str = "",
    **fields,
):
    """Apply changes; audit only the fields that actually changed. Scope is checked
    before and after, so a record cannot be moved out of (or into) another scope; a
    field that belongs to a procedure is changed only by its act (jigong.core.acts)."""
    if actor is not None and check:
        ensure(actor, "change", obj)
    before = snapshot(obj)
    for name, value in fields.items():
        setattr(obj, name, value)
    if actor is not None and check:
        ensure(actor, "change", obj)
    validate(obj)
    after = snapshot(obj)
    changed = [k for k in after if after[k] != before[k]]
    if not changed:
        return obj
    names = [obj._meta.get_field(k).name for k in changed]
    refused = acts.procedure_errors(obj, names)
    if refused:
        raise ValidationError(refused)
    obj.save(update_fields=names)
    audit(
        actor,
        AuditLog.Action.UPDATE,
        obj,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
        message=audit_message[:255],
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


# Field types whose Python values the database drivers take as they are.
_PLAIN_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "EmailField",
        "IntegerField",
        "PositiveBigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SlugField",
        "SmallIntegerField",
        "TextField",
    }
)


def _db_converter(field: models.Field, connection):
    """A function turning a clean Python value into the driver's parameter, or None
    when the value goes through unchanged (the common case, checked once per field)."""
    target = field.target_field if field.is_relation else field
    kind = target.get_internal_type()
    if kind in _PLAIN_TYPES:
        return None
    if kind == "DateField" and not getattr(field, "auto_now", False):
        adapt = connection.ops.adapt_datefield_value
        seen: dict = {}  # bulk rows repeat the same few dates

        def date(v):
            try:
                return seen[v]
            except KeyError:
                out = seen[v] = None if v is None else adapt(v)
                return out

        return date
    return lambda v: field.get_db_prep_save(v, connection)


ANALYZE_AFTER = 10_000  # rows a PostgreSQL bulk insert analyses its table after


def bulk_insert(
    model: type[models.Model], fields: list[str], rows: Iterable[tuple], *, batch: int = 5000
) -> int:
    """Insert already-validated rows: no model instances, no per-value
    ``get_db_prep_save`` for plain columns. ``fields`` are attnames (``person_id`` for a
    foreign key); the model's other concrete fields take their defaults
    (auto_now/auto_now_add: now). On PostgreSQL one ``COPY … FROM STDIN`` streams all
    rows (psycopg escapes the values; a failing row fails the whole COPY, nothing of it
    is written); elsewhere ``executemany`` in chunks of ``batch``. Either way it runs in
    the caller's transaction and database errors arrive as Django's ``DatabaseError``.
    Callers validate and audit (one ``bulk_created`` row per table); used by bulk
    services for large imports."""
    from django.db import connections, router

    connection = connections[router.db_for_write(model)]
    meta = model._meta
    by_attname = {f.attname: f for f in meta.concrete_fields}
    given = [by_attname[name] for name in fields]
    extra = []  # (field, constant value or None, per-row default callable or None)
    for f in meta.concrete_fields:
        if f.attname in fields or (f.primary_key and isinstance(f, models.AutoField)):
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            extra.append((f, f.pre_save(model(), add=True), None))
        elif f.has_default() and callable(f.default):
            extra.append((f, None, f.default))
        else:
            extra.append((f, f.get_default(), None))
    columns = given + [f for f, _c, _d in extra]
    convert = [_db_converter(f, connection) for f in columns]
    constants = tuple(
        (c(v) if c else v) for (f, v, d), c in zip(extra, convert[len(given) :], strict=True)
    )
    per_row = [(i, d, convert[len(given) + i]) for i, (_f, _v, d) in enumerate(extra) if d]
    given_convert = [(i, c) for i, c in enumerate(convert[: len(given)]) if c]
    qn = connection.ops.quote_name
    table = qn(meta.db_table)
    names = ", ".join(qn(f.column) for f in columns)

    def params(row):
        if given_convert:
            row = list(row)
            for i, c in given_convert:
                row[i] = c(row[i])
            row = tuple(row)
        if not per_row:
            return row + constants
        tail = list(constants)
        for i, d, c in per_row:
            tail[i] = c(d()) if c else d()
        return row + tuple(tail)

    n = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The raw psycopg cursor's copy() is not wrapped by Django: map its errors.
            copy_sql = f"COPY {table} ({names}) FROM STDIN"
            with connection.wrap_database_errors, cursor.cursor.copy(copy_sql) as copy:
                write = copy.write_row
                for r in rows:
                    write(params(r))
                    n += 1
            if n >= ANALYZE_AFTER:
                # Fresh statistics, committed with the rows: planned on the old ones, a
                # query over a table that just grew by 100,000 rows ran for minutes.
                cursor.execute(f"ANALYZE {table}")
            return n
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
        for chunk in chunked(rows, batch):
            cursor.executemany(sql, [params(r) for r in chunk])
            n += len(chunk)
    return n


def pks_by_key(model: type[models.Model], field: str, keys: Iterable, *, chunk: int = 900) -> dict:
    """{value of ``field`` → pk} for the rows whose ``field`` is among ``keys``, by
    plain ``IN`` queries in chunks (below SQLite's historical 999-parameter limit);
    for unique text or integer keys such as an ID number, in large bulk loads where
    building an ORM query per chunk would cost more than the query itself."""
    from django.db import connections, router

    connection = connections[router.db_for_read(model)]
    meta = model._meta
    qn = connection.ops.quote_name
    table, column, pk = qn(meta.db_table), qn(meta.get_field(field).column), qn(meta.pk.column)
    keys = list(keys)
    found: dict = {}
    with connection.cursor() as cursor:
        for i in range(0, len(keys), chunk):
            part = keys[i : i + chunk]
            marks = ", ".join(["%s"] * len(part))
            cursor.execute(f"SELECT {column}, {pk} FROM {table} WHERE {column} IN ({marks})", part)
            found.update(cursor.fetchall())
    return found


def chunked(items: Iterable, size: int):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
