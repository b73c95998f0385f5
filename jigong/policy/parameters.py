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

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cache
from importlib import resources
from itertools import pairwise
from typing import Any

import yaml

SOURCES = ("policy", "platform")
# How a value the policy does not state is cited wherever it is used (issue 14).
PLATFORM_BASIS = "平台设定（可由市人社局调整）"
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
    def platform(self) -> bool:
        return self.source == "platform"

    @property
    def basis(self) -> str:
        """What a message cites as this value's basis: the clause for a figure of the
        policy; for a platform value “平台设定（可由市人社局调整）”, with the clause whose
        procedure it fills in (never the bare clause, as if the policy said it)."""
        if not self.platform:
            return self.clause
        return f"{PLATFORM_BASIS}，参照{self.clause}" if self.clause else PLATFORM_BASIS

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


# --- adjustments of platform values by the municipal bureau ---------------------------
#
# A platform value (``source: platform``) may be adjusted in the portal: a new value from
# a date on, recorded by the act ``platform_setting.adjust`` (jigong.reference). This
# module stays free of Django: the app registers two functions with
# ``use_adjustments`` — ``version()`` (cheap; None when unavailable) and ``rows()`` — and
# lookups merge the rows over the YAML, re-checking the version at most once per
# ``REFRESH_SECONDS`` (``refresh()`` forces it, e.g. right after an adjustment).


@dataclass(frozen=True, slots=True)
class Adjustment:
    """A platform value set by the municipal bureau from ``start`` on."""

    name: str
    value: Any
    start: date
    note: str


REFRESH_SECONDS = 1.0
_adjustments: tuple[Callable[[], object], Callable[[], Iterable[Adjustment]]] | None = None
_merged: tuple[object, float, dict[str, Parameter] | None] = (None, 0.0, None)


def use_adjustments(
    version: Callable[[], object] | None, rows: Callable[[], Iterable[Adjustment]] | None
) -> None:
    """Register (or, with None, remove) the source of adjustments."""
    global _adjustments
    _adjustments = None if version is None or rows is None else (version, rows)
    refresh()


def refresh() -> None:
    """Re-read the adjustments at the next lookup."""
    global _merged
    _merged = (None, 0.0, None)


def adjusted(p: Parameter, rows: Iterable[Adjustment]) -> Parameter:
    """``p`` with each adjustment in force from its start: earlier values end the day
    before, later ones give way; the clause and reference stay those of the value the
    adjustment replaces (the procedure it fills in)."""
    values = list(p.values)
    for a in sorted(rows, key=lambda a: a.start):
        template = p.citation(a.start) or p.first
        kept = []
        for c in values:
            if c.start >= a.start:
                continue
            if c.end is None or c.end >= a.start:
                c = replace(c, end=a.start - timedelta(days=1))
            kept.append(c)
        kept.append(
            replace(
                template, value=a.value, start=a.start, end=None, source="platform", note=a.note
            )
        )
        values = kept
    return Parameter(p.name, tuple(values), p.before)


def _current() -> dict[str, Parameter]:
    global _merged
    base = _table()
    if _adjustments is None:
        return base
    version, checked, table = _merged
    now = time.monotonic()
    if table is not None and now - checked < REFRESH_SECONDS:
        return table
    v = _adjustments[0]()
    if table is None or v != version:
        table = base
        if v is not None:
            by_name: dict[str, list[Adjustment]] = {}
            for a in _adjustments[1]():
                if a.name in base:
                    by_name.setdefault(a.name, []).append(a)
            table = {**base, **{n: adjusted(base[n], rows) for n, rows in by_name.items()}}
    _merged = (v, now, table)
    return table


def yaml_parameter(name: str) -> Parameter:
    """The parameter as the YAML files define it, without adjustments."""
    try:
        return _table()[name]
    except KeyError:
        raise ParameterNotFound(name) from None


def all() -> list[str]:  # shadows the builtin inside this module: do not use all() here
    """Names of all parameters, sorted."""
    return sorted(_table())


def parameter(name: str) -> Parameter:
    try:
        return _current()[name]
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
    refresh()
