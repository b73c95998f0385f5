"""Loader for ``parameters/*.yaml``: every figure of the policy, dated and cited.

Each YAML file maps a dotted parameter name to::

    description: 中文说明
    unit: 人 | 比例 | 学时 | …
    before: not_applicable       # optional, the default; or apply_first
    values:
      - value: 120000
        start: 2021-01-01
        end: 2025-12-31          # optional, inclusive
        clause: （二）
        reference: 渝人社发〔2022〕32号
        source: policy           # optional; "platform" where the policy gives no figure
        note: …                  # optional

Lookups take a date and return the value in force on it, OpenFisca style.

Dates before the first value
----------------------------
What a rule does on a date before its parameter took effect is decided here, once,
by the parameter's ``before`` key, and nowhere else:

``not_applicable`` (the default)
    The rule did not exist yet: ``applies(name, on)`` is False, and every rule in
    ``rules`` that reads the parameter answers "not applicable" — a ``check_*`` rule
    passes, a figure is ``None`` (no deadline, no target, no cap), a list is empty.
    A rule whose result has no meaning then says so with a ``PolicyViolation``
    (rule ``not_in_force``) naming the date the policy took effect.
``apply_first``
    The first value also holds before its start date: for a figure that predates its
    citation (the tier division of （六）) or a platform setting that is the
    platform's method rather than a dated legal figure (retention periods, quality
    weights, a baseline list). ``cite``/``get`` return the first value.

A date after the last value has ended is not covered by ``before``: the parameter is
not in force then (targets of “十四五” end on 2025-12-31; ``rules.target_citation``
decides what a target means after its period).

``cite``/``get`` raise ``ParameterNotInForce`` for a date the parameter does not
cover: that is an internal error (a rule that forgot to ask ``applies`` first), never
an answer for a user; ``tests/policy/test_before.py`` walks every rule on dates
before the policy to keep it so.
"""

from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from itertools import pairwise
from typing import Any

import yaml

SOURCES = ("policy", "platform")
BEFORE = ("not_applicable", "apply_first")
KEYS = frozenset({"description", "unit", "before", "values"})


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


@dataclass(frozen=True, slots=True)
class Parameter:
    """A parameter: its dated values (oldest first) and what holds before the first."""

    name: str
    values: tuple[Citation, ...]
    before: str = "not_applicable"

    @property
    def first(self) -> Citation:
        return self.values[0]

    def citation(self, on: date) -> Citation | None:
        """The value that applies on ``on`` (see the module docstring), or None."""
        for c in self.values:
            if c.in_force(on):
                return c
        if self.before == "apply_first" and on < self.first.start:
            return self.first
        return None


def _as_date(v: Any, where: str) -> date:
    if isinstance(v, date):
        return v
    try:
        return date.fromisoformat(str(v))
    except ValueError:
        raise ValueError(f"{where}: bad date {v!r}") from None


def _parameter(name: str, spec: dict) -> Parameter:
    for key in ("description", "unit", "values"):
        if key not in spec:
            raise ValueError(f"parameter {name}: missing {key}")
    if set(spec) - KEYS:
        raise ValueError(f"parameter {name}: unknown keys {sorted(set(spec) - KEYS)}")
    before = spec.get("before", "not_applicable")
    if before not in BEFORE:
        raise ValueError(f"parameter {name}: before must be one of {BEFORE}")
    if not spec["values"]:
        raise ValueError(f"parameter {name}: no values")
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
    return Parameter(name, tuple(rows), before)


@cache
def _table() -> dict[str, Parameter]:
    table: dict[str, Parameter] = {}
    folder = resources.files("jigong.policy") / "parameters"
    for f in sorted(folder.iterdir(), key=lambda f: f.name):
        if not f.name.endswith(".yaml"):
            continue
        for name, spec in (yaml.safe_load(f.read_text(encoding="utf-8")) or {}).items():
            if name in table:
                raise ValueError(f"parameter {name} defined twice ({f.name})")
            table[name] = _parameter(name, spec)
    return table


def all() -> list[str]:  # shadows the builtin inside this module: do not use all() here
    """Names of all parameters, sorted."""
    return sorted(_table())


def parameter(name: str) -> Parameter:
    try:
        return _table()[name]
    except KeyError:
        raise ParameterNotFound(name) from None


def history(name: str) -> tuple[Citation, ...]:
    """Every dated value of a parameter, oldest first."""
    return parameter(name).values


def applies(name: str, on: date) -> bool:
    """Whether a value of ``name`` applies on ``on``: one is in force, or the date is
    before the first value and the parameter says ``before: apply_first``. Rules ask
    this before ``cite``/``get`` and answer "not applicable" when it is False."""
    return parameter(name).citation(on) is not None


def cite(name: str, on: date) -> Citation:
    """The value of ``name`` that applies on ``on`` with its clause, dates, description
    and unit; ``ParameterNotInForce`` (internal) when none applies."""
    p = parameter(name)
    c = p.citation(on)
    if c is None:
        raise ParameterNotInForce(name, on, "；".join(c.period for c in p.values))
    return c


def get(name: str, on: date) -> Any:
    """The value of ``name`` that applies on ``on`` (see ``cite``)."""
    return cite(name, on).value


def reload() -> None:
    """Forget the cached table (tests, or after editing YAML in a running process)."""
    _table.cache_clear()
