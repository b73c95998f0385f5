"""The public pages of online enrolment at /enrol/ (anonymous, （九）(十), issue 16):
the brochure search, a listed school's page, the application form and the status page
with the confirmation of an admission. Reads: ``jigong.admissions.public_selectors``;
writes: the acts of ``jigong.admissions.services``. They sit in ``public`` (the top
layer), like the graduates' pages in ``accounts.py``: they share /verify/'s limiter and
challenge, which ``admissions`` (a procedure, below ``indicators``) may not import."""

from __future__ import annotations

import hashlib
import time

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from jigong.admissions import public_selectors as sel
from jigong.admissions import selectors, services, undo
from jigong.admissions.models import Application, ChoiceState, Schooling
from jigong.core import params
from jigong.core.choices import Level, RegionGroup, Tier
from jigong.public import challenge, ratelimit, verification
from jigong.public.accounts import _limit_key
from jigong.public.views import CHALLENGE_FAILED, CHALLENGE_MISSING, _challenge_context
from jigong.students.models import Source, Track

PER_PAGE = 10
LIST_LINES = 6  # plan lines a brochure shows in the list; all on the school's page


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
    title = _("招生简章与网上报名")
    version = sel.version()
    if version is None:
        return render(request, "admissions/public_index.html", _context(title=title))
    key = hashlib.sha256(
        repr((version.key, get_language(), sorted(request.GET.lists()))).encode()
    ).hexdigest()
    anonymous = not request.user.is_authenticated
    if anonymous and (page := _recall(_LOCAL_PAGES, key)) is not None:
        return HttpResponse(page)
    results = _recall(_LOCAL_RESULTS, key)
    if results is None:
        results = _results(request, version, filters=filters, number=number)
        _keep(_LOCAL_RESULTS, key, results, RESULTS_SECONDS)
    response = render(
        request,
        "admissions/public_index.html",
        _context(title=title, qualification_list=True, results=mark_safe(results)),
    )
    if anonymous:  # the same page for every visitor without an account
        _keep(_LOCAL_PAGES, key, response.content, RESULTS_SECONDS)
    return response


# A drawn result section (the search form, the count, the cards, the pages) — and for
# visitors without an account the whole page — is kept by this process under the
# version of what lists brochures (``sel.version``, read by every request) and the
# query, for ``RESULTS_SECONDS`` at most: the facts not in the version (a school
# renamed, a major closed) are at most that old on the page.
RESULTS_SECONDS = 60
_LOCAL_RESULTS: dict[str, tuple[float, str]] = {}
_LOCAL_PAGES: dict[str, tuple[float, bytes]] = {}
LOCAL_MAX = 500  # entries per store: ~40 KB a page, at most ~20 MB a process


def _recall(store: dict, key: str):
    found = store.get(key)
    return found[1] if found is not None and found[0] > time.monotonic() else None


def _keep(store: dict, key: str, value, seconds: int) -> None:
    if len(store) >= LOCAL_MAX:
        store.clear()
    store[key] = (time.monotonic() + seconds, value)


def _results(request, version, *, filters, number: int) -> str:
    """The result section drawn: the filters run once (the pks in order), then the
    page's rows by pk and their cards."""
    from django.template.loader import render_to_string

    from jigong.workflows.models import QualificationList

    ql = QualificationList.objects.get(pk=version.list_id)
    year = version.year
    found = sel.brochure_search(version=version, filters=filters)
    page = Paginator(list(found.values_list("pk", flat=True)), PER_PAGE).get_page(number)
    page.object_list = sel.brochures_by_pk(page.object_list)
    _cards(page.object_list, year=year, filters=filters)
    options = sel.filter_options(qualification_list=ql, version=version)
    context = _context(
        filters=filters,
        year=year,
        page=page,
        district_options=_options(options["districts"], filters.district),
        major_options=_options(options["majors"], filters.major),
    )
    return str(render_to_string("admissions/_public_results.html", context, request=request))


def _options(pairs, chosen) -> str:
    """``<option>``s of (value, label) pairs, ``chosen`` selected: drawn here, not by a
    template loop (a hundred majors were a third of the page's time)."""
    return mark_safe(  # escaped here
        "".join(
            f'<option value="{escape(v)}"{" selected" if v == chosen else ""}>{escape(label)}'
            "</option>"
            for v, label in pairs
        )
    )


_LOCAL_CARDS: dict[str, tuple[float, dict]] = {}  # this process's copy of the cards
LINES_MARK, MORE_MARK = "\x00lines\x00", "\x00more\x00"  # where a card's lines go


def _cards(brochures, *, year: int, filters, first: int | None = LIST_LINES) -> None:
    """Each brochure's card (``.html``): drawn once per brochure with every plan line
    (``_draw``; cached, whatever the search), then its first ``first`` lines — those
    matching the search first — put in (``_compose``). Misses are drawn together (their
    plan lines read in one query)."""
    from django.core.cache import cache

    language = get_language()
    keys = {b.pk: sel.card_key(b, year=year, language=language) for b in brochures}
    got = {}
    for key in keys.values():  # the same key draws the same card: a local copy is as good
        local = _recall(_LOCAL_CARDS, key)
        if local is not None:
            got[key] = local
    wanted = [k for k in keys.values() if k not in got]
    if wanted:
        shared = cache.get_many(wanted)
        got.update(shared)
        for key, card in shared.items():
            _keep(_LOCAL_CARDS, key, card, sel.CARD_SECONDS)
    missing = [b for b in brochures if keys[b.pk] not in got]
    if missing:
        sel.attach_plans(missing, year=year)
        fresh = {keys[b.pk]: _draw(b, year) for b in missing}
        cache.set_many(fresh, sel.CARD_SECONDS)
        for key, card in fresh.items():
            _keep(_LOCAL_CARDS, key, card, sel.CARD_SECONDS)
        got.update(fresh)
    for b in brochures:
        b.html = _compose(got[keys[b.pk]], filters=filters, first=first)


def _draw(b, year: int) -> dict:
    """A brochure's card with marks where its lines go, and each line drawn."""
    from django.template.loader import render_to_string

    b.lines_html, b.more_html = mark_safe(LINES_MARK), mark_safe(MORE_MARK)
    people = escape(_("人"))
    return {
        "html": str(render_to_string("admissions/public_brochure.html", {"b": b, "year": year})),
        "more_url": reverse("enrol:school", args=[b.school.code]),
        "lines": [
            {
                "code": line["code"],
                "level": line["level"],
                "major": line["major"],
                "html": (
                    '<li class="list-group-item px-0 py-1 d-flex justify-content-between gap-2">'
                    f'<span>{escape(line["major"])}<span class="text-secondary">'
                    f"（{escape(line['level_label'])}）</span></span>"
                    f'<span class="text-nowrap" data-quota="{escape(line["quota"])}">'
                    f"{escape(line['quota'])}{people}</span></li>"
                ),
            }
            for line in b.lines
        ],
    }


def _compose(card: dict, *, filters, first: int | None) -> str:
    """The card with its lines: all, or the first ``first`` (matching ``filters`` first)
    and a link to the school's page for the rest."""
    lines, more = card["lines"], ""
    if first is not None:
        lines = sorted(lines, key=lambda line: not sel.line_matches(line, filters))
        left = len(lines) - first
        lines = lines[:first]
        if left > 0:
            text = _("另有 %(n)s 个专业计划，查看学校招生页") % {"n": left}
            more = (
                f'<p class="small mb-2"><a href="{escape(card["more_url"])}" '
                f'data-testid="more-lines">{escape(text)}</a></p>'
            )
    html = card["html"].replace(LINES_MARK, "".join(line["html"] for line in lines))
    return mark_safe(html.replace(MORE_MARK, more))  # our template's and escaped parts


def school(request, code: str):
    """/enrol/schools/<code>/: a listed school's public facts, open majors, brochures."""
    ql = sel.current_list()
    found = sel.school_get(qualification_list=ql, code=code[:16]) if ql else None
    if found is None:
        raise Http404(_("该学校不在当前招生资质名单中，或已暂停招生。"))
    season = sel.current_season()
    year = season.year if season else ql.year
    brochures = sel.school_brochures(school=found, year=year)
    _cards(brochures, year=year, filters=None, first=None)
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


# --- applying -------------------------------------------------------------------------

CLOSED = gettext_lazy("当前没有开放报名的招生季。")
APPLY_CHALLENGE = gettext_lazy(
    "为防止批量虚假报名，每次提交报名前请完成人机验证：浏览器将计算约一秒。"
)
FIELDS = (
    "id_number",
    "name",
    "phone",
    "category",
    "schooling",
    "home_province",
    "enterprise_code",
    "arrangement_months",
)


class ApplyForm(forms.Form):
    """The fields of ``admission.apply``; the act checks every rule (its messages land
    on these fields), the form only bounds the lengths."""

    id_number = forms.CharField(label=gettext_lazy("身份证号"), max_length=40, required=False)
    name = forms.CharField(label=gettext_lazy("姓名"), max_length=64, required=False)
    phone = forms.CharField(label=gettext_lazy("联系电话"), max_length=20, required=False)
    category = forms.CharField(label=gettext_lazy("报名类别"), max_length=24, required=False)
    schooling = forms.CharField(label=gettext_lazy("前置学历"), max_length=12, required=False)
    home_province = forms.CharField(label=gettext_lazy("生源省份"), max_length=2, required=False)
    enterprise_code = forms.CharField(
        label=gettext_lazy("所在企业统一社会信用代码"), max_length=40, required=False
    )
    arrangement_months = forms.CharField(
        label=gettext_lazy("工学安排（月）"), max_length=6, required=False
    )
    altcha = forms.CharField(required=False, max_length=challenge.MAX_PAYLOAD)

    def __init__(self, *args, max_choices: int, **kw):
        super().__init__(*args, **kw)
        self.max_choices = max_choices
        for n in range(1, max_choices + 1):
            self.fields[f"school_{n}"] = forms.CharField(max_length=16, required=False)
            self.fields[f"major_{n}"] = forms.CharField(max_length=20, required=False)
            self.fields[f"track_{n}"] = forms.CharField(max_length=12, required=False)


def _rows(form, options) -> list[dict]:
    """The choice rows as drawn: the school chosen and the majors it offers."""
    by_code = {o["school"].code: o for o in options}
    rows = []
    for n in range(1, form.max_choices + 1):
        code = str(form[f"school_{n}"].value() or "")
        major = str(form[f"major_{n}"].value() or "")
        rows.append(
            {
                "n": n,
                "school": code,
                "major": major,
                "track": str(form[f"track_{n}"].value() or Track.FULL_TIME),
                "majors": by_code[code]["majors"] if code in by_code else [],
                "tracks": [
                    (v, label)
                    for v, label in Track.choices
                    if code not in by_code or v in by_code[code]["tracks"]
                ],
                "errors": form.errors.get(f"major_{n}", []),
            }
        )
    return rows


def _choices(data, options, max_choices: int) -> list[dict]:
    """The choices as the act takes them, in rank order: a row with a school or a major
    chosen counts (an incomplete one is refused by the act, naming its rank)."""
    majors = {str(sm.pk): sm for o in options for sm in o["majors"]}
    out = []
    for n in range(1, max_choices + 1):
        code, major = data.get(f"school_{n}") or "", data.get(f"major_{n}") or ""
        if not code and not major:
            continue
        sm = majors.get(major)
        if sm is not None and code and sm.school.code != code:
            sm = None  # a major of another school than the one shown in the row
        out.append({"school_major": sm, "track": data.get(f"track_{n}") or Track.FULL_TIME})
    return out


def _place_errors(form, exc: ValidationError, ranks: list[int]) -> list[str]:
    """Put the act's messages on the form's fields; the rest is returned (shown on top).
    ``ranks``: the form row of each choice the act saw, in order."""
    rest = []
    for key, messages in exc.message_dict.items():
        parts = key.split(".")
        if parts[0] == "choices" and len(parts) == 3 and parts[1].isdigit():
            index = int(parts[1]) - 1
            field = f"major_{ranks[index]}" if index < len(ranks) else None
        elif key in FIELDS:
            field = key
        else:
            field = None
        for message in messages:
            if field is None:
                rest.append(message)
            else:
                form.add_error(field, message)
    return rest


@never_cache
def apply(request):
    """/enrol/apply/: the application form (``admission.apply``), under the limits of
    /verify/ (per client, per client + ID number) and the proof-of-work challenge on every
    submission (an application is a write, and one per ID number a season)."""
    season = sel.current_season()
    ql = sel.current_list()
    if season is None or ql is None or not season.is_open(timezone.localdate()):
        return render(
            request,
            "admissions/public_apply.html",
            {"title": _("网上报名"), "closed": CLOSED, "season": season},
        )
    options = sel.apply_options(qualification_list=ql, year=season.year)
    initial = {}
    if request.method == "GET" and request.GET.get("school"):
        initial["school_1"] = params.text(request.GET, "school", max_length=16)
    form = ApplyForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        max_choices=season.max_choices,
    )
    context = {"title": _("网上报名"), "season": season, "messages_top": []}
    status = 200
    if request.method == "POST" and "refresh" not in request.POST and form.is_valid():
        data = form.cleaned_data
        ip = ratelimit.client_ip(request)
        key = _limit_key(data["id_number"])
        if ratelimit.begin(ip, key) == "limited":
            status = 429
            context["messages_top"].append(verification.LIMITED_MESSAGE)
        elif not challenge.passed(data.get("altcha")):
            ratelimit.release(ip, key)
            context["challenge_error"] = (
                CHALLENGE_FAILED if data.get("altcha") else CHALLENGE_MISSING
            )
        else:
            choices = _choices(data, options, season.max_choices)
            ranks = [
                n
                for n in range(1, season.max_choices + 1)
                if data.get(f"school_{n}") or data.get(f"major_{n}")
            ]
            try:
                app = services.application_submit(
                    actor=None,
                    season=season,
                    id_number=data["id_number"],
                    name=data["name"],
                    phone=data["phone"],
                    category=data["category"],
                    schooling=data["schooling"],
                    home_province=data["home_province"],
                    enterprise_code=data["enterprise_code"],
                    arrangement_months=data["arrangement_months"] or None,
                    choices=choices,
                )
            except ValidationError as exc:
                ratelimit.settle(ip, key, found=False)
                context["messages_top"] += _place_errors(form, exc, ranks)
            else:
                ratelimit.settle(ip, key, found=True)
                return render(
                    request,
                    "admissions/public_applied.html",
                    {"title": _("报名成功"), "application": app, "season": season},
                )
    _challenge_context(context)
    context.update(
        form=form,
        rows=_rows(form, options),
        options=options,
        options_json={
            o["school"].code: [
                [sm.pk, f"{sm.major.name}（{sm.get_level_display()}）"] for sm in o["majors"]
            ]
            for o in options
        },
        tracks_json={o["school"].code: o["tracks"] for o in options},
        categories=Source.choices,
        schoolings=Schooling.choices,
        tracks=Track.choices,
        provinces=_provinces(),
        challenge_note=APPLY_CHALLENGE,
    )
    return render(request, "admissions/public_apply.html", context, status=status)


def _provinces() -> list[tuple[str, str]]:
    from jigong.standards.regions import PROVINCES

    return sorted(PROVINCES.items())


# --- status and confirmation ----------------------------------------------------------

PROOF_SECONDS = 600  # the session remembers a found application this long
PROOF_KEY = "enrol_proof"
STATUS_MISS = gettext_lazy("未查询到与所填报名号和身份证号相符的报名，请核对后重新查询。")
PROOF_EXPIRED = gettext_lazy("查询已超过10分钟，请重新输入报名号和身份证号。")


class StatusForm(forms.Form):
    reference = forms.CharField(label=gettext_lazy("报名号"), max_length=40, strip=True)
    id_number = forms.CharField(label=gettext_lazy("身份证号"), max_length=40, strip=True)
    altcha = forms.CharField(required=False, max_length=challenge.MAX_PAYLOAD)


def _remembered(request) -> Application | None:
    proof = request.session.get(PROOF_KEY)
    if not isinstance(proof, dict) or proof.get("until", 0) < time.time():
        return None
    return (
        Application.objects.filter(pk=proof.get("app"))
        .select_related("season")
        .prefetch_related("choices__school", "choices__school_major__major")
        .first()
    )


def _remember(request, app: Application) -> None:
    request.session[PROOF_KEY] = {"app": app.pk, "until": time.time() + PROOF_SECONDS}


def _withdraw(app: Application, target: str, context: dict) -> None:
    """The applicant withdraws one choice or ("all") the application (``admission.withdraw``)."""
    choice = None
    if target != "all":
        choice = next((c for c in app.choices.all() if str(c.pk) == target), None)
        if choice is None:
            context["message"] = _("该志愿不属于本报名。")
            return
    try:
        undo.application_withdraw(actor=None, application=app, choice=choice)
    except ValidationError as exc:
        context["message"] = "；".join(exc.messages)
    else:
        context["withdrawn"] = choice or app


@never_cache
def status(request):
    """/enrol/status/: an application by its reference and ID number (the limits of
    /verify/; every kind of miss the same page), its choices' states and the confirmation
    of an admitted choice (``admission.confirm``) while the session remembers the proof."""
    ip = ratelimit.client_ip(request)
    context = {"title": _("报名结果查询")}
    status_code = 200
    app = None
    form = StatusForm()
    if request.method == "POST" and (request.POST.get("confirm") or request.POST.get("withdraw")):
        app = _remembered(request)
        if app is None:
            context["message"] = PROOF_EXPIRED
        elif request.POST.get("withdraw"):
            _withdraw(app, request.POST["withdraw"], context)
            app = _remembered(request)
        else:
            choice = next(
                (c for c in app.choices.all() if str(c.pk) == request.POST["confirm"]), None
            )
            if choice is None:
                context["message"] = _("该志愿不属于本报名。")
            else:
                try:
                    services.admission_confirm(actor=None, application=app, choice=choice)
                except ValidationError as exc:
                    context["message"] = "；".join(exc.messages)
                else:
                    context["confirmed"] = choice
                app = _remembered(request)  # the states as they are now
    elif request.method == "POST":
        form = StatusForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            key = _limit_key(data["id_number"])
            needs = ratelimit.challenge_due(ip, key)
            passed = needs and challenge.passed(data.get("altcha"))
            if ratelimit.begin(ip, key) == "limited":
                status_code = 429
                context["message"] = verification.LIMITED_MESSAGE
            elif needs and not passed:
                ratelimit.release(ip, key)
                context["challenge_error"] = (
                    CHALLENGE_FAILED if data.get("altcha") else CHALLENGE_MISSING
                )
                _challenge_context(context)
            else:
                app = selectors.application_by_proof(
                    reference=data["reference"], id_number=data["id_number"]
                )
                ratelimit.settle(ip, key, found=app is not None)
                if app is None:
                    context["message"] = STATUS_MISS
                    form = StatusForm(initial={"reference": data["reference"]})
                else:
                    _remember(request, app)
                    form = StatusForm()
        else:
            context["message"] = STATUS_MISS  # over-long or empty: the same miss
            form = StatusForm()
    else:
        app = _remembered(request)
    if app is not None:
        context["application"] = app
        context["choices"] = sorted(app.choices.all(), key=lambda c: c.rank)
        context["admitted"] = ChoiceState.ADMITTED
        context["withdrawable"] = undo.WITHDRAWABLE
        context["may_withdraw_all"] = any(
            c.state in undo.WITHDRAWABLE for c in context["choices"]
        ) and all(c.state != ChoiceState.ENROLLED for c in context["choices"])
    if status_code == 200 and "challenge" not in context and ratelimit.challenge_due(ip):
        _challenge_context(context)
    context["form"] = form
    return render(request, "admissions/public_status.html", context, status=status_code)
