"""Declarative import kinds: Chinese columns, row → validated fields by natural key.

An app's ``imports.py`` declares ``ImportKind`` subclasses and registers them with
``@register``. The runner (``jigong.core.imports.runner``) reads the file, cleans each
cell by its column's type, then hands the row to the kind, which resolves references
by natural key, checks scope and writes through the app's services.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from jigong.core import cells
from jigong.core.imports import normalise as N
from jigong.core.models import Role

REGISTRY: dict[str, "ImportKind"] = {}


def register(cls):
    kind = REGISTRY[cls.key] = cls()
    if kind.model is not None:
        for column in kind.columns:
            if column.type == "int":
                bounds = field_bounds(kind.model, column.key)
                column.min_value = column.min_value if column.min_value is not None else bounds[0]
                column.max_value = column.max_value if column.max_value is not None else bounds[1]
    return cls


def field_bounds(model, name: str) -> tuple[int | None, int | None]:
    """(min, max) of an integer model field: its column type's portable range (the same
    on SQLite and PostgreSQL) narrowed by its Min/MaxValueValidators. Checked when a
    cell is cleaned, so an out-of-range number is a row error, not a database error."""
    from django.core import validators
    from django.core.exceptions import FieldDoesNotExist
    from django.db.backends.base.operations import BaseDatabaseOperations

    try:
        f = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None, None
    lo, hi = BaseDatabaseOperations.integer_field_ranges.get(f.get_internal_type(), (None, None))
    for v in f._validators:
        limit = v.limit_value
        if callable(limit):
            continue
        if isinstance(v, validators.MinValueValidator):
            lo = limit if lo is None else max(lo, limit)
        elif isinstance(v, validators.MaxValueValidator):
            hi = limit if hi is None else min(hi, limit)
    return lo, hi


def kinds() -> dict[str, "ImportKind"]:
    autodiscover()
    return REGISTRY


def get_kind(key: str) -> "ImportKind":
    autodiscover()
    try:
        return REGISTRY[key]
    except KeyError:
        raise KeyError(key) from None


_discovered = False


def autodiscover() -> None:
    global _discovered
    if _discovered:
        return
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("imports")
    _discovered = True


def choice_map(choices) -> tuple[dict[str, str], dict[str, str]]:
    """(folded label or value → value, value → label) for a Django choices class or dict."""
    pairs = (
        [(str(v), str(label)) for v, label in choices.choices]
        if hasattr(choices, "choices")
        else [(str(v), str(label)) for v, label in choices.items()]
    )
    accept = {}
    for value, label in pairs:
        accept[N.header(label)] = value
        accept[N.header(value)] = value
    return accept, dict(pairs)


@dataclass
class Column:
    key: str
    header: str
    type: str = "text"  # text code id_number date int decimal bool choice
    required: bool = True
    choices: Any = None
    rule: str = ""
    example: Any = ""
    aliases: tuple = ()
    max_length: int | None = None
    fields: tuple = ()  # service/model field names whose errors belong to this column
    clean_hook: Callable | None = None
    min_value: int | None = None  # int columns; default: the model field's range
    max_value: int | None = None

    def __post_init__(self):
        if isinstance(self.example, Promise):
            self.example = str(self.example)
        if not self.fields:
            self.fields = (self.key,)
        if self.choices is not None:
            self.accept, self.labels = choice_map(self.choices)
            self.type = "choice"

    @property
    def names(self) -> set[str]:
        return {N.header(self.header), *(N.header(a) for a in self.aliases)}

    def clean(self, raw):
        """The clean value, None for a blank optional cell; raises CellError."""
        if N.is_blank(raw):
            if self.required:
                raise N.CellError("不能为空")
            return None
        if raw.__class__ is str and raw[:1] == "'":
            raw = cells.restore(raw)  # the quote our exports put before "+1", "-", "@"
        t = self.type
        if t == "text":
            value = N.plain_text(raw)  # as written: full-width brackets stay (N.plain_text)
            refused = cells.formula_error(value)  # the forms' rule (core.services.validate)
            if refused:
                raise N.CellError(refused)
        elif t == "code":
            value = N.code(raw)
        elif t == "id_number":
            value = N.id_number(raw)
        elif t == "date":
            value = N.date(raw)
        elif t == "int":
            value = N.integer(raw)
            lo, hi = self.min_value, self.max_value
            if lo is not None and value < lo:
                raise N.CellError(f"不能小于{lo}")
            if hi is not None and value > hi:
                raise N.CellError(f"不能大于{hi}")
        elif t == "decimal":
            value = N.decimal(raw)
        elif t == "bool":
            value = N.boolean(raw)
        elif t == "choice":
            value = self.accept.get(N.header(raw))
            if value is None:
                allowed = "、".join(self.labels.values())
                raise N.CellError(f"不是可选值：应为 {allowed} 之一")
        else:  # pragma: no cover - a declaration error
            raise ValueError(t)
        if t == "code" and len(value) > CODE_MAX_LENGTH and not self.max_length:
            raise N.CellError(f"超过{CODE_MAX_LENGTH}个字符，不是有效的代码")
        if self.max_length and isinstance(value, str) and len(value) > self.max_length:
            raise N.CellError(f"超过{self.max_length}个字符")
        if self.clean_hook:
            value = self.clean_hook(value)
        return value

    def export(self, value):
        """The cell written by exports (labels for choices, 是/否, ISO dates as dates)."""
        if value is None:
            return ""
        if self.type == "choice":
            return self.labels.get(str(value), str(value))
        if self.type == "bool":
            return "是" if value else "否"
        if isinstance(value, Decimal):
            return float(value) if self.type == "decimal" else str(value)
        return value

    def exporter(self):
        """export() as a function of one plain database value (``values_list``), or
        None when the value is written as it is (None becomes a blank cell)."""
        if self.type == "choice":
            labels = self.labels

            def label(value):
                if value is None:
                    return ""
                key = str(value)
                return labels.get(key, key)

            return label
        if self.type in ("bool", "decimal"):
            return self.export
        return None

    def note(self) -> str:
        parts = ["必填" if self.required else "选填"]
        if self.type == "choice":
            parts.append("从下拉列表选择：" + "、".join(self.labels.values()))
        elif self.type == "date":
            parts.append("日期，如 2025-07-01、2025/7/1 或 2025年7月1日")
        elif self.type == "id_number":
            parts.append("18位身份证号，单元格须为“文本”格式（否则 Excel 会丢失末尾数字）")
        elif self.type == "int":
            parts.append("整数")
        elif self.type == "decimal":
            parts.append("数字")
        elif self.type == "bool":
            parts.append("填“是”或“否”")
        if self.max_length:
            parts.append(f"不超过{self.max_length}个字符")
        if self.rule:
            parts.append(self.rule)
        return "；".join(parts)


SHOWN_CHARS = 60
CODE_MAX_LENGTH = 40  # longer than any code of ours (credit code 18, certificate 22)


def shorten(value: str) -> str:
    """A cell value as error messages quote it: long values cut, with their length."""
    if len(value) <= SHOWN_CHARS:
        return value
    return f"{value[:SHOWN_CHARS]}…（共{len(value)}个字符）"


@dataclass
class Row:
    """One data row of the file: its Excel row number, raw cells and cleaned values."""

    number: int
    raw: list
    values: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)  # (header, value, message)
    key: tuple | None = None
    existing: Any = None

    def error(self, column: "Column | str", value, message: str) -> None:
        header = column.header if isinstance(column, Column) else column
        self.errors.append((header, shorten("" if value is None else str(value)), message))


class Context:
    """What a kind needs while importing: the acting user and cached look-ups.

    The look-ups by natural key (``ctx.school(row, column, code)``, ``ctx.district(…)``,
    ``ctx.major(…)``, ``ctx.enterprises()`` …) belong to the apps that own the models:
    each app adds its own with ``@Context.lookup`` in a module its ``AppConfig.ready``
    imports (``schools/lookups.py``, ``reference/lookups.py``, ``cooperation/lookups.py``),
    so core imports no domain app (docs/architecture.md, "Layers")."""

    def __init__(self, user, kind: "ImportKind") -> None:
        self.user = user
        self.kind = kind
        self.cache: dict = {}
        self.filename = ""  # the uploaded file's name (an act may record it)

    @classmethod
    def lookup(cls, func: Callable) -> Callable:
        """Add ``func(ctx, …)`` as the method ``ctx.<func name>(…)``; one owner per name."""
        name = func.__name__
        current = getattr(cls, name, None)
        if current is not None and (current.__module__, current.__qualname__) != (
            func.__module__,
            func.__qualname__,
        ):
            raise ValueError(f"Context.{name} is already defined by {current.__module__}")
        setattr(cls, name, func)
        return func

    @property
    def actor(self):
        return self.user

    # --- scope -----------------------------------------------------------------
    def school_in_scope(self, school) -> bool:
        user = self.user
        if user is None or user.is_superuser or user.role == Role.MUNICIPAL:
            return True
        if user.role == Role.DISTRICT:
            return bool(user.district_id) and school.district_id == user.district_id
        if user.role == Role.SCHOOL:
            return bool(user.school_id) and school.pk == user.school_id
        return False


def field_value(obj, name: str):
    """A model attribute for comparison: foreign keys by id."""
    f = obj._meta.get_field(name)
    if f.is_relation and (f.many_to_one or f.one_to_one):
        return getattr(obj, f.attname)
    return getattr(obj, name)


def comparable(value):
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Decimal):
        return value.normalize()
    if isinstance(value, datetime.datetime):
        return value.date()
    return value


def diff(obj, values: dict) -> dict:
    """The subset of ``values`` that differs from ``obj``."""
    changes = {}
    for name, value in values.items():
        current = field_value(obj, name)
        if isinstance(current, Decimal) and value is not None:
            if Decimal(str(value)).normalize() != current.normalize():
                changes[name] = value
        elif comparable(current) != comparable(value):
            changes[name] = value
    return changes


class ImportKind:
    """One register that can be imported, exported and described by a template."""

    key: str = ""
    label: str = ""
    model: type[models.Model] | None = None
    columns: list[Column] = []
    # Listed, and imported into an empty database, in this order: a kind comes after
    # the kinds its rows refer to (tests/imports/test_roundtrip.py holds it to that).
    order: int = 100
    # Roles that may import this kind at all (services check row by row too).
    roles = frozenset({Role.MUNICIPAL, Role.DISTRICT, Role.SCHOOL})
    # The duty (core.models.Duty) its rows' acts need: an account of a role holding that
    # duty but lacking it may not import the kind, nor export it unless its section is
    # shared (jigong.core.sections); "" needs none.
    duty: str = ""

    def refusal(self, user, *, write: bool) -> str | None:
        """Why ``user`` may not import (``write``) or export this kind, or None."""
        from jigong.core.sections import duty_refusal

        if user is None or user.is_superuser:
            return None
        if user.role not in self.roles:
            return _("您的角色无权导入或导出“%(kind)s”") % {"kind": self.label}
        return duty_refusal(user, self.duty, write=write)

    # --- reading ------------------------------------------------------------------
    def column(self, key: str) -> Column:
        by_key = self.__dict__.get("_columns_by_key")
        if by_key is None or len(by_key) != len(self.columns):
            by_key = self.__dict__["_columns_by_key"] = {}
            for c in self.columns:
                by_key.setdefault(c.key, c)
        return by_key[key]

    def prepare(self, ctx: Context, rows: list[Row]) -> None:
        """Bulk look-ups before rows are resolved (override for speed)."""

    def resolve(self, ctx: Context, row: Row) -> None:
        """Turn codes into objects (row.values), check scope; add errors to the row."""

    def natural_key(self, row: Row) -> tuple:
        raise NotImplementedError

    def find_existing(self, ctx: Context, rows: list[Row]) -> None:
        """Set row.existing for rows already in the database (override, in bulk)."""

    def values(self, row: Row) -> dict:
        """Model field values the row stands for, to compare with row.existing."""
        raise NotImplementedError

    # --- writing (through services) --------------------------------------------------
    def create(self, ctx: Context, row: Row):
        raise NotImplementedError

    def update(self, ctx: Context, row: Row, changes: dict):
        raise NotImplementedError

    def changes(self, row: Row) -> dict:
        return diff(row.existing, self.values(row))

    # --- exporting --------------------------------------------------------------------
    def queryset(self, user):
        qs = self.model.objects.all()
        return qs.restrict(user, "view") if user is not None else qs

    # Columns an export adds after the template's, for the reader (学籍状态): the import
    # ignores them, as it ignores any header it does not know, so the file imports back.
    export_extra: tuple = ()

    @property
    def export_columns(self) -> list:
        return [*self.columns, *self.export_extra]

    # Lookups for ``values_list``, one per export column, when every column is a plain
    # value (faster exports); otherwise export_row() is called with each model instance.
    export_values: tuple | None = None

    def export_row(self, obj) -> list:
        raise NotImplementedError

    def example(self) -> list:
        return [c.example for c in self.columns]

    def error_column(self, field_name: str) -> str:
        """The header a service error on ``field_name`` belongs to."""
        for c in self.columns:
            if field_name in c.fields:
                return c.header
        return ""
