"""The targets dashboard (/dashboard/): targets, trends, drill-down, regional comparison."""

import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from jigong.core import build_progress
from jigong.core.choices import RegionGroup, Tier
from jigong.core.models import Role
from jigong.core.permissions import STAFF_ROLES
from jigong.indicators import cache, overview
from jigong.indicators import selectors as S
from jigong.indicators.catalogue import CATALOGUE
from jigong.indicators.formatting import show_share, show_target, show_value

# The next level of a drill-down: (breakdown of the row) -> (breakdown shown, filter key)
DRILL = {
    "group": ("district", "group"),
    "district": ("school", "district"),
    "tier": ("school", "tier"),
}


def _is_staff(user) -> bool:
    return user.is_superuser or user.role in STAFF_ROLES


def _series(rows) -> list:
    return [r.value for r in rows]


def _targets(user, year):
    out = []
    for t in S.targets_table(user=user, year=year):
        ind = t.indicator
        out.append(
            {
                "code": ind.code,
                "name": str(ind.name),
                "clause": ind.clause,
                "unit": str(ind.unit),
                "ratio": ind.is_ratio,
                "target": show_target(ind, t.target),
                "kind": t.kind_label,
                # a part of the city draws no city target line over its own figures
                "target_value": None if t.part else t.target,
                "part": t.part,
                "share": show_share(t.share) if t.part and not ind.is_ratio else None,
                "actual": show_value(ind, t.actual),
                "status": t.status or "none",
                "status_label": t.status_label if t.citation else "—",
                "reference": t.citation.reference if t.citation else "",
                "years": [r.key for r in t.trend],
                "trend": _series(t.trend),
                "trend_text": [show_value(ind, r.value) for r in t.trend],
            }
        )
    return out


def _breakdown(user, year, code, by, within):
    ind = CATALOGUE[code]
    rows = S.compute(code, user=user, year=year, by=by, within=within)
    drill = DRILL.get(by)
    items = []
    for r in rows:
        url = None
        if drill:
            nxt, key = drill
            params = {"year": year, "indicator": code, "by": nxt, key: r.key}
            url = reverse("indicators:dashboard") + "?" + urlencode(params) + "#breakdown"
        items.append(
            {
                "key": r.key,
                "label": r.label,
                "value": r.value,
                "text": show_value(ind, r.value),
                "numerator": r.numerator,
                "denominator": r.denominator,
                "url": url,
            }
        )
    return items


def _compare(user, year):
    """Every indicator for the three regional groups (一区两群)."""
    rows = []
    groups = None
    for code, ind in CATALOGUE.items():
        cells = S.compute(code, user=user, year=year, by="group")
        if groups is None:
            groups = [(r.key, r.label) for r in cells]
        rows.append(
            {
                "code": code,
                "name": str(ind.name),
                "ratio": ind.is_ratio,
                "cells": [show_value(ind, r.value) for r in cells],
                "values": [r.value for r in cells],
            }
        )
    return groups or [], rows


def _within_labels(user, within) -> list[str]:
    labels = []
    if within.get("group") in RegionGroup.values:
        labels.append(str(RegionGroup(within["group"]).label))
    if within.get("tier") in Tier.values:
        labels.append(str(Tier(within["tier"]).label))
    if within.get("district"):
        names = {s["district__code"]: s["district__name"] for s in S.schools_in_scope(user=user)}
        labels.append(names.get(within["district"], within["district"]))
    return labels


@login_required
def dashboard(request):
    user = request.user
    if not _is_staff(user):
        raise PermissionDenied(_("您的角色无权查看目标看板。"))
    # Cached figures are served even when a write has made them out of date; a worker
    # job recomputes them (cache.py, tasks.py), and the page says how old they are.
    view = request.GET.urlencode()
    with cache.serve_stale(view) as serving:
        # the page's figures as one entry: one cache read when they are current
        figures = cache.get_or_compute(
            (cache.scope_key(user), "page", view), lambda: _dashboard_context(request, user)
        )
    context = _with_catalogue(figures)
    context["updated_at"] = _updated_at(serving)
    context["refreshing"] = serving.stale
    context["refresh_minutes"] = max(1, cache.MAX_AGE // 60)
    return render(request, "indicators/dashboard.html", context)


def _with_catalogue(figures: dict) -> dict:
    """The page's context from its cached figures (which hold codes, not the
    catalogue's indicators: those hold functions and are not stored)."""
    return {
        **figures,
        "indicator": CATALOGUE[figures["indicator_code"]],
        "indicators": list(CATALOGUE.values()),
        "catalogue": [
            {"ind": CATALOGUE[c["code"]], "text": c["text"]} for c in figures["catalogue"]
        ],
    }


def _updated_at(serving):
    if serving.oldest is None:
        return timezone.localtime()
    return timezone.localtime(datetime.datetime.fromtimestamp(serving.oldest, tz=datetime.UTC))


def _dashboard_context(request, user) -> dict:
    errors = []
    try:
        year = S.parse_year(request.GET.get("year"), default=S.latest_year(user=user))
    except S.IndicatorError as exc:
        errors.append(exc.message)
        year = S.latest_year(user=user)
    code = request.GET.get("indicator") or "students_in_school"
    try:
        S.indicator(code)
    except S.IndicatorError as exc:
        errors.append(exc.message)
        code = "students_in_school"
    ind = CATALOGUE[code]
    default_by = "group" if S._wide(user) else ("school" if user.role == "district" else "year")
    by = request.GET.get("by") or default_by
    within = {k: request.GET[k] for k in ("group", "district", "tier") if request.GET.get(k)}
    try:
        breakdown = _breakdown(user, year, code, by, within)
    except S.IndicatorError as exc:
        errors.append(exc.message)
        by, within = default_by, {}
        breakdown = _breakdown(user, year, code, by, within)

    targets = _targets(user, year)
    groups, compare = _compare(user, year)
    catalogue = []
    for c, i in CATALOGUE.items():
        value = S.compute(c, user=user, year=year)[0].value
        catalogue.append({"code": c, "text": show_value(i, value)})

    within_labels = _within_labels(user, within)

    chart_data = {
        "targets": targets,
        "breakdown": {
            "name": str(ind.name),
            "ratio": ind.is_ratio,
            "labels": [r["label"] for r in breakdown],
            "values": [r["value"] for r in breakdown],
        },
        "compare": {
            "groups": [g[1] for g in groups],
            "indicators": [r["name"] for r in compare if r["ratio"]],
            "values": [r["values"] for r in compare if r["ratio"]],
        },
        "no_data": _("无数据"),
    }
    by_choices = [(b, S.BREAKDOWN_LABELS[b]) for b in S.BREAKDOWNS if b != "major" or ind.by_major]
    return {
        "title": _("目标看板"),
        "subtitle": _("%(scope)s · %(year)s年 · 依据渝人社发〔2022〕32号")
        % {"scope": S.scope_label(user), "year": year},
        "year": year,
        "years": list(range(min(year, 2021), max(year, S.today().year) + 1)),
        "errors": errors,
        "targets": targets,
        "targets_part": not S._wide(user),
        "scope_name": S.scope_label(user),
        "indicator_code": code,
        "by": by,
        "by_label": S.BREAKDOWN_LABELS.get(by, by),
        "by_choices": by_choices,
        "within_labels": within_labels,
        "breakdown": breakdown,
        "groups": groups,
        "compare": compare,
        "catalogue": catalogue,
        "chart_data": chart_data,
        "as_of": S.snapshot_date(year),
    }


def home(request):
    """Anonymous: the public landing page. Staff: the figures of their scope
    (``overview``). Routed by the composition root (jigong/urls.py) as ``home``."""
    user = request.user
    progress = {"demo_progress": build_progress.current()}
    if not user.is_authenticated:
        return render(request, "portal/landing.html", progress)
    if user.is_superuser or user.role in STAFF_ROLES:
        # served from the cache like the dashboard: refreshed by the same worker job
        with cache.serve_stale("") as serving:
            context = cache.get_or_compute(
                (cache.scope_key(user), "home"), lambda: overview.home_figures(user=user)
            )
        context = {
            **context,
            **progress,
            "updated_at": _updated_at(serving),
            "refreshing": serving.stale,
        }
    if user.is_superuser or user.role == Role.MUNICIPAL:
        return render(request, "portal/home_municipal.html", context)
    if user.role == Role.DISTRICT:
        return render(request, "portal/home_district.html", context)
    if user.role == Role.SCHOOL:
        return render(request, "portal/home_school.html", {**context, "school": user.school})
    if user.role == Role.DEPARTMENT:
        return render(request, "portal/home_department.html", progress)
    return render(request, "portal/home_graduate.html", progress)


@login_required
def policy_map(request):
    """The help page: the clause map of the policy, searchable by clause or word."""
    from jigong.indicators import policymap

    q = request.GET.get("q", "")[:50]
    return render(
        request,
        "help/policy_map.html",
        {"title": _("政策条款对照"), "q": q, "rows": policymap.search(q)},
    )
