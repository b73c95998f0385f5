"""Indicators computed together: one query per family of indicators over the same rows.

A family query groups its rows (from ``restrict(user, "view")``) by the grain key and a
few per-row classifications — which window years a registration is in school, its
enrolment and graduation year, track, level, … — and counts each group. Each member
indicator is then a fold over those few thousand groups in Python (``Indicator.cell``),
so 19 registration indicators cost one scan of the registrations instead of 19.

Each member keeps its own ``Indicator.query`` (the definition as a query; the tests
compare both with hand-written SQL): a ``cell`` must count exactly the rows that query
counts. ``cell(row, years)`` returns None when the group is outside the indicator's base
rows, else {year: (numerator, denominator)} for the years the group counts in.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)

from jigong.indicators import catalogue as C


def _years_case(conditions, default=None):
    return Case(*conditions, default=Value(default), output_field=IntegerField())


def _registrations(user, years: list[int], dim: str):
    """Registrations of the window, one row per (key, classification) with its count."""
    from jigong.core.permissions import restrict
    from jigong.students.models import Registration, Status, StatusChange

    first, last = C.year_start(min(years)), C.year_end(max(years))
    graduated = [(y, Q(status="graduated", left_on__range=C.span(y))) for y in years]
    in_window = Q(enrolled_on__range=(first, last))
    partners = sorted(
        {*C._partner_codes(), *(p for y in years for p in C.cross_province_partners(y))}
    )
    technician = Q(school__tier="technician_college")
    annotations = {
        # first window year in school (enrolled by its snapshot date)
        "a": _years_case([When(enrolled_on__lte=C.as_of(y), then=Value(y)) for y in years]),
        # last window year in school (not left by its snapshot date)
        "b": _years_case(
            [
                When(Q(left_on__isnull=True) | Q(left_on__gt=C.as_of(y)), then=Value(y))
                for y in reversed(years)
            ]
        ),
        "e": _years_case([When(enrolled_on__range=C.span(y), then=Value(y)) for y in years]),
        "t": Case(
            When(
                in_window,
                then=Exists(
                    StatusChange.objects.filter(
                        registration=OuterRef("pk"), status=Status.TRANSFERRED_IN
                    )
                ),
            ),
            default=Value(False),
            output_field=BooleanField(),
        ),
        "p": Case(
            When(
                in_window & Q(person__home_province__in=partners), then=F("person__home_province")
            ),
            default=Value(""),
            output_field=CharField(),
        ),
        "coop": Case(
            When(cooperation__kind__in=("order_class", "named_class"), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        "g": _years_case([When(q, then=Value(y)) for y, q in graduated]),
        "c": Case(
            *[When(q, then=C._certified(y)) for y, q in graduated],
            default=Value(False),
            output_field=BooleanField(),
        ),
        "tc": Case(
            *[
                When(q & technician, then=C._certified(y, C.TECHNICIAN_SKILL_LEVEL))
                for y, q in graduated
            ],
            default=Value(False),
            output_field=BooleanField(),
        ),
        "tcol": Case(
            When(technician, then=Value(True)), default=Value(False), output_field=BooleanField()
        ),
    }
    key = "school_id" if dim == "school" else "major_id"
    base = C._registered_base(years) | in_window | C._graduated_base(years)
    names = ["a", "b", "e", "t", "p", "coop", "g", "c", "tc", "tcol"]
    rows = (
        restrict(user, Registration, "view")
        .filter(base)
        .annotate(**annotations)
        .values(key, "track", "level", "source", *names)
        .order_by()
    )
    yield from _grouped(rows, key)


def _grouped(rows, key: str):
    """Count ``rows`` (a values() queryset) per distinct row. Grouping in an outer query
    evaluates each classification once per row (Django's GROUP BY would repeat the
    subqueries in the sort key; MATERIALIZED keeps SQLite from flattening it back)."""
    sql, params = rows.query.sql_with_params()
    names = list(rows.query.values_select) + list(rows.query.annotation_select)
    cols = ", ".join(f"x.{connection.ops.quote_name(n)}" for n in names)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH x AS MATERIALIZED ({sql}) SELECT {cols}, COUNT(*) FROM x GROUP BY {cols}",
            params,
        )
        for values in cursor.fetchall():
            row = dict(zip([*names, "n"], values, strict=True))
            row["k"] = row.pop(key)
            yield row


def _training(user, years: list[int], dim: str):
    from jigong.core.permissions import restrict
    from jigong.training.models import TrainingRecord

    first, _last = C.training_period()
    qs = (
        restrict(user, TrainingRecord, "view")
        .filter(year__gte=min(first, min(years)), year__lte=max(years))
        .values("school_id", "year")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in qs:
        row["k"] = row.pop("school_id")
        yield row


def _employment(user, years: list[int], dim: str):
    from jigong.core.permissions import restrict
    from jigong.employment.models import COUNTED_AS_EMPLOYED, EmploymentOutcome

    key = "school_id" if dim == "school" else "registration__major_id"
    qs = (
        restrict(user, EmploymentOutcome, "view")
        .filter(graduation_year__gte=min(years), graduation_year__lte=max(years))
        .annotate(
            employed=Case(
                When(status__in=COUNTED_AS_EMPLOYED, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .values(key, "graduation_year", "employed")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in qs:
        row["k"] = row.pop(key)
        yield row


QUERIES = {"registrations": _registrations, "training": _training, "employment": _employment}


def compute(name: str, members, *, user, years: list[int], dim: str) -> dict:
    """{code: {year: {key: (numerator, denominator)}}} for every member of the family."""
    out = {ind.code: {y: {} for y in years} for ind in members}
    # years an indicator is defined for (a cumulative figure starts with its period)
    defined = {ind.code: [y for y in years if ind.num(y) is not None] for ind in members}
    for row in QUERIES[name](user, years, dim):
        n, k = row["n"], row["k"]
        for ind in members:
            counted = ind.cell(row, years)
            if counted is None:
                continue
            grain = out[ind.code]
            for y in defined[ind.code]:
                num, den = counted.get(y, (0, 0))
                cell = grain[y].get(k)
                grain[y][k] = (
                    (num * n, den * n)
                    if cell is None
                    else (
                        cell[0] + num * n,
                        cell[1] + den * n,
                    )
                )
    return out


# --- cells: which groups an indicator counts, and in which years -------------------


def in_school(extra=None):
    def cell(r, years):
        if r["a"] is None or r["b"] is None or (extra and not extra(r)):
            return None
        return {y: (1, 0) for y in years if r["a"] <= y <= r["b"]}

    return cell


def enrolled(extra=None, *, new=True):
    def cell(r, years):
        if r["e"] is None or (new and r["t"]) or (extra and not extra(r)):
            return None
        return {r["e"]: (1, 0)}

    return cell


def cross_province(r, years):
    if r["e"] is None or r["t"]:
        return None
    return {r["e"]: (1, 0)} if r["p"] and r["p"] in C.cross_province_partners(r["e"]) else {}


def graduated(extra=None, *, num="", ratio=False):
    def cell(r, years):
        if r["g"] is None or (extra and not extra(r)):
            return None
        counted = 1 if not num or r[num] else 0
        return {r["g"]: (counted, 1 if ratio else 0)}

    return cell


def training_year(r, years):
    if not min(years) <= r["year"] <= max(years):
        return None
    return {r["year"]: (1, 0)}


def training_cumulative(r, years):
    first, last = C.training_period()
    if not first <= r["year"] <= min(max(years), last):
        return None
    return {y: (1, 0) for y in years if y >= first and r["year"] <= min(y, last)}


def employment(r, years):
    return {r["graduation_year"]: (1 if r["employed"] else 0, 1)}
