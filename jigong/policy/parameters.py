"""Loader for ``parameters/*.yaml``: every figure of the policy, dated and cited.

Each YAML file maps a dotted parameter name to::

    description: 中文说明
    unit: 人 | 比例 | 学时 | …
    values:
      - value: 120000
        start: 2021-01-01
        end: 2025-12-31          # optional, inclusive
        clause: （二）
        reference: 渝人社发〔2022〕32号
        source: policy           # optional; "platform" where the policy gives no figure
        note: …                  # optional

Lookups take a date and return the value in force on it, OpenFisca style.
"""

from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from itertools import pairwise
from typing import Any

import yaml

SOURCES = ("policy", "platform")


class ParameterError(LookupError):
    """Base of parameter lookup errors; ``message`` is Chinese."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


class ParameterNotFound(ParameterError):
    def __init__(self, name: str) -> None:
        super().__init__(name, f"政策参数“{name}”不存在")


class ParameterNotInForce(ParameterError):
    def __init__(self, name: str, on: date, periods: str) -> None:
        super().__init__(
            name, f"政策参数“{name}”在{on.isoformat()}没有有效取值（有效期：{periods}）"
        )
        self.on = on


@dataclass(frozen=True, slots=True)
class Citation:
    """One dated value of a parameter with its legal basis."""

    name: str
    value: Any
    start: date
    end: date | None
    clause: str
    reference: str
    description: str
    unit: str
    source: str = "policy"
    note: str = ""

    def in_force(self, on: date) -> bool:
        return self.start <= on and (self.end is None or on <= self.end)

    @property
    def period(self) -> str:
        return f"{self.start.isoformat()}至{self.end.isoformat() if self.end else '今'}"


def _as_date(v: Any, where: str) -> date:
    if isinstance(v, date):
        return v
    try:
        return date.fromisoformat(str(v))
    except ValueError:
        raise ValueError(f"{where}: bad date {v!r}") from None


def _citations(name: str, spec: dict) -> tuple[Citation, ...]:
    for key in ("description", "unit", "values"):
        if key not in spec:
            raise ValueError(f"parameter {name}: missing {key}")
    rows = []
    for i, row in enumerate(spec["values"]):
        where = f"parameter {name} value #{i}"
        for key in ("value", "start", "clause", "reference"):
            if row.get(key) in (None, ""):
                raise ValueError(f"{where}: missing {key}")
        c = Citation(
            name=name,
            value=row["value"],
            start=_as_date(row["start"], where),
            end=_as_date(row["end"], where) if row.get("end") else None,
            clause=str(row["clause"]),
            reference=str(row["reference"]),
            description=str(spec["description"]),
            unit=str(spec["unit"]),
            source=str(row.get("source", "policy")),
            note=str(row.get("note", "")),
        )
        if c.source not in SOURCES:
            raise ValueError(f"{where}: source must be one of {SOURCES}")
        if c.source == "platform" and not c.note:
            raise ValueError(f"{where}: a platform value needs a note")
        if c.end and c.end < c.start:
            raise ValueError(f"{where}: ends before it starts")
        rows.append(c)
    rows.sort(key=lambda c: c.start)
    for a, b in pairwise(rows):
        if a.end is None or a.end >= b.start:
            raise ValueError(f"parameter {name}: periods overlap")
    return tuple(rows)


@cache
def _table() -> dict[str, tuple[Citation, ...]]:
    table: dict[str, tuple[Citation, ...]] = {}
    folder = resources.files("jigong.policy") / "parameters"
    for f in sorted(folder.iterdir(), key=lambda f: f.name):
        if not f.name.endswith(".yaml"):
            continue
        for name, spec in (yaml.safe_load(f.read_text(encoding="utf-8")) or {}).items():
            if name in table:
                raise ValueError(f"parameter {name} defined twice ({f.name})")
            table[name] = _citations(name, spec)
    return table


def all() -> list[str]:  # shadows the builtin inside this module: do not use all() here
    """Names of all parameters, sorted."""
    return sorted(_table())


def history(name: str) -> tuple[Citation, ...]:
    """Every dated value of a parameter, oldest first."""
    try:
        return _table()[name]
    except KeyError:
        raise ParameterNotFound(name) from None


def cite(name: str, on: date) -> Citation:
    """The value of ``name`` in force on ``on`` with its clause, dates, description and unit."""
    rows = history(name)
    for c in rows:
        if c.in_force(on):
            return c
    raise ParameterNotInForce(name, on, "；".join(c.period for c in rows))


def get(name: str, on: date) -> Any:
    """The value of ``name`` in force on ``on``."""
    return cite(name, on).value


def reload() -> None:
    """Forget the cached table (tests, or after editing YAML in a running process)."""
    _table.cache_clear()
