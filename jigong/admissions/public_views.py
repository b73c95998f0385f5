"""The public pages of online enrolment at /enrol/ (anonymous, （九）(十), issue 16):
the brochure search, a listed school's page, the application form and the status page
with the confirmation of an admission. Reads: ``public_selectors``; writes: the acts of
``jigong.admissions.services``."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from jigong.admissions import public_selectors as sel
from jigong.core import params
from jigong.core.choices import Level, RegionGroup, Tier
from jigong.students.models import Track

PER_PAGE = 20


def _filters(query) -> sel.Filters:
    return sel.Filters(
        q=params.text(query, "q", max_length=40),
        district=params.text(query, "district", max_length=12),
        group=params.choice(query, "group", RegionGroup.choices),
        tier=params.choice(query, "tier", Tier.choices),
        major=params.text(query, "major", max_length=16),
        level=params.choice(query, "level", Level.choices),
        track=params.choice(query, "track", Track.choices),
    )


def _context(**kw) -> dict:
    return {
        "tiers": Tier.choices,
        "groups": RegionGroup.choices,
        "levels": Level.choices,
        "tracks": Track.choices,
        **kw,
    }


def index(request):
    """/enrol/: accepted brochures of schools on the current qualification list."""
    filters = _filters(request.GET)
    number = params.integer(request.GET, "page", lo=1, hi=100_000, default=1)
    ql = sel.current_list()
    context = _context(title=_("招生简章与网上报名"), filters=filters, qualification_list=ql)
    if ql is not None:
        season = sel.current_season()
        year = season.year if season else ql.year
        page = Paginator(
            sel.brochure_search(qualification_list=ql, year=year, filters=filters), PER_PAGE
        ).get_page(number)
        sel.attach_plans(page.object_list, year=year)
        context.update(
            season=season,
            year=year,
            page=page,
            options=sel.filter_options(qualification_list=ql, year=year),
        )
    return render(request, "admissions/public_index.html", context)


def school(request, code: str):
    """/enrol/schools/<code>/: a listed school's public facts, open majors, brochures."""
    ql = sel.current_list()
    found = sel.school_get(qualification_list=ql, code=code[:16]) if ql else None
    if found is None:
        raise Http404(_("该学校不在当前招生资质名单中，或已暂停招生。"))
    season = sel.current_season()
    year = season.year if season else ql.year
    brochures = sel.school_brochures(school=found, year=year)
    sel.attach_plans(brochures, year=year)
    return render(
        request,
        "admissions/public_school.html",
        _context(
            title=found.name,
            school=found,
            season=season,
            year=year,
            majors=sel.school_majors_open(school=found),
            brochures=brochures,
        ),
    )


def apply(request):  # the form: next commit
    raise Http404


def status(request):  # the status page: next commit
    raise Http404
