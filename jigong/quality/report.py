"""The annual quality report (（二十四）定期发布技工教育年度质量报告并向社会公开).

    built = build(user=..., year=2024, school=None)   # city; or a School for one school
    built.html   static, self-contained HTML (charts as inline SVG, no script)
    built.pdf    A4 PDF: cover, contents with page numbers, sections, annex

How it is made, in one Chromium (``jigong.core.pdf.PdfRenderer``):

1. the figures are read through the indicator selectors and the quality evaluation,
   starting from ``restrict(user, "view")`` — a school user gets its own school only;
2. the template ``reports/annual.html`` is rendered with the vendored ECharts inlined;
   the browser draws every chart with the SVG renderer and sets
   ``window.__chartsReady``; the DOM is taken back without its scripts (``snapshot``),
   which is the stored HTML;
3. that static HTML is printed twice: the first PDF's text (pdftotext, per page) gives
   the page on which each section heading lands, the second prints the contents page
   with those numbers. The contents list has a fixed length, so pages do not move.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jigong.core.choices import RegionGroup, Tier
from jigong.core.models import Role
from jigong.core.pdf import FONT_SANS, PdfError, PdfRenderer, static_text
from jigong.core.permissions import restrict

CHARTS_READY = "window.__chartsReady === true"
PAGE_MARK = "{{PAGE:%s}}"
PLACEHOLDER = "··"

REGIONAL = (  # indicators of the regional and tier breakdowns
    "students_in_school",
    "new_enrolment",
    "graduates",
    "employment_rate",
    "training_person_times",
    "cooperation_agreements",
    "order_named_class_students",
    "part_time_teacher_share",
    "integrated_teacher_share",
)
EMPLOYMENT = (
    "graduates",
    "employment_rate",
    "graduate_skill_certificate_rate",
    "technician_certificate_share",
)
TRAINING = (
    "training_person_times",
    "training_person_times_cumulative",
    "apprenticeship_registrations",
)
COOPERATION = (
    "cooperation_agreements",
    "order_named_class_students",
    "alliances",
    "apprenticeship_registrations",
    "part_time_teacher_share",
    "integrated_teacher_share",
)
ANNEX = (
    "students_in_school",
    "graduates",
    "employment_rate",
    "graduate_skill_certificate_rate",
    "training_person_times",
    "cooperation_agreements",
    "part_time_teacher_share",
)
ADMISSIONS = (  # （九） online enrolment
    "plan_fulfilment",
    "technician_entrants_senior_share",
    "technician_entrants_veteran_share",
    "technician_entrants_poverty_share",
    "enrol_applications_cross_province",
    "enrol_admitted_cross_province",
)
NO_DATA_CHECK = ("students_in_school", "graduates", "training_person_times", "employment_rate")


class ReportError(ValidationError):
    """Refused input (Chinese message naming field and value)."""


@dataclass
class Built:
    year: int
    school: object | None
    title: str
    html: str
    pdf: bytes
    pages: int
    sections: list


# --- inputs -----------------------------------------------------------------------


def resolve_school(*, user, code: str | None):
    """The school a report is for, within the user's scope (None: the user's whole
    scope, which only the municipal bureau may report on). Out of scope and unknown
    codes give the same refusal."""
    from jigong.schools.models import School

    if user is None or not user.is_authenticated:
        raise PermissionDenied(_("请先登录。"))
    if not code:
        if user.is_superuser or user.role == Role.MUNICIPAL:
            return None
        if user.role == Role.SCHOOL and user.school_id:
            return restrict(user, School, "view").get(pk=user.school_id)
        raise PermissionDenied(_("全市年度质量报告只能由市人社局生成：请指定学校代码。"))
    school = restrict(user, School, "view").filter(code=str(code).strip()).first()
    if school is None:
        raise ReportError(
            {"school": [_("学校代码“%(c)s”不存在或不在您的数据范围内") % {"c": code}]}
        )
    return school


def check_inputs(*, user, year, school) -> int:
    from jigong.indicators.selectors import compute
    from jigong.quality.services import check_year

    year = check_year(year)
    within = {"school": school.code} if school is not None else None
    if all(
        compute(code, user=user, year=year, within=within)[0].value is None
        for code in NO_DATA_CHECK
    ):
        raise ReportError(
            {
                "year": [
                    _("年度“%(y)s”%(w)s没有在校生、毕业生、培训或就业数据：不能生成年度质量报告")
                    % {"y": year, "w": f"{school.name}" if school else _("全市")}
                ]
            }
        )
    return year


# --- figures ------------------------------------------------------------------------


def _ind(code):
    from jigong.indicators.catalogue import CATALOGUE

    return CATALOGUE[code]


def _text(code, value) -> str:
    from jigong.indicators.formatting import show_value

    return show_value(_ind(code), value)


def _num(value, digits=2):
    if value is None:
        return None
    return round(float(value), digits)


def _table(user, year, codes, by, within):
    """rows × indicators: {"head": [...], "rows": [{"label", "cells"}]} for ``by``."""
    from jigong.indicators.selectors import compute

    columns = {code: compute(code, user=user, year=year, by=by, within=within) for code in codes}
    first = columns[codes[0]]
    rows = []
    for i, r in enumerate(first):
        rows.append(
            {
                "label": r.label,
                "key": r.key,
                "cells": [_text(c, columns[c][i].value) for c in codes],
                "values": [columns[c][i].value for c in codes],
            }
        )
    return {"head": [str(_ind(c).name) for c in codes], "codes": list(codes), "rows": rows}


def _bar(cid, title, labels, values, *, percent=False, horizontal=False, height=260):
    data = [None if v is None else (_num(v * 100) if percent else _num(v)) for v in values]
    axis_cat = {"type": "category", "data": labels, "axisLabel": {"interval": 0, "fontSize": 10}}
    axis_val = {"type": "value", "axisLabel": {"formatter": "{value}%" if percent else "{value}"}}
    if not horizontal:
        axis_cat["axisLabel"]["rotate"] = 30 if len(labels) > 4 else 0
    return {
        "id": cid,
        "title": title,
        "height": height,
        "option": {
            "title": {"text": title, "left": "center", "textStyle": {"fontSize": 13}},
            "grid": {"left": 60 if not horizontal else 140, "right": 30, "top": 40, "bottom": 60},
            "xAxis": axis_val if horizontal else axis_cat,
            "yAxis": axis_cat if horizontal else axis_val,
            "series": [
                {
                    "type": "bar",
                    "data": data,
                    "itemStyle": {"color": "#206bc4"},
                    "label": {
                        "show": len(labels) <= 12,
                        "position": "right" if horizontal else "top",
                        "fontSize": 10,
                    },
                }
            ],
        },
    }


def _line(cid, title, labels, values, *, percent=False, target=None, height=240):
    data = [None if v is None else (_num(v * 100) if percent else _num(v)) for v in values]
    series = [
        {
            "type": "line",
            "data": data,
            "connectNulls": False,
            "symbolSize": 6,
            "label": {"show": True, "fontSize": 10},
            "itemStyle": {"color": "#206bc4"},
        }
    ]
    if target is not None:
        t = _num(float(target) * 100) if percent else _num(target)
        series[0]["markLine"] = {
            "symbol": "none",
            "data": [{"yAxis": t, "name": _("目标")}],
            "lineStyle": {"color": "#d63939", "type": "dashed"},
            "label": {
                "formatter": _("目标 {c}") + ("%" if percent else ""),
                "position": "insideEndTop",
                "fontSize": 10,
            },
        }
    return {
        "id": cid,
        "title": title,
        "height": height,
        "option": {
            "title": {"text": title, "left": "center", "textStyle": {"fontSize": 13}},
            "grid": {"left": 70, "right": 60, "top": 40, "bottom": 30},
            "xAxis": {"type": "category", "data": labels},
            "yAxis": {
                "type": "value",
                "axisLabel": {"formatter": "{value}%" if percent else "{value}"},
            },
            "series": series,
        },
    }


def _histogram(cid, title, totals, height=240):
    bins = [f"{lo}–{lo + 10}" for lo in range(0, 100, 10)]
    counts = [0] * 10
    for t in totals:
        counts[min(int(Decimal(t) // 10), 9)] += 1
    chart = _bar(cid, title, bins, counts, height=height)
    chart["option"]["xAxis"]["name"] = _("综合得分")
    chart["option"]["yAxis"]["name"] = _("学校数")
    return chart, list(zip(bins, counts, strict=True))


def _targets(user, year, school):
    from jigong.indicators.catalogue import TARGET_INDICATORS
    from jigong.indicators.formatting import show_target
    from jigong.indicators.selectors import (
        cap_note,
        compute,
        judge,
        target_kind_label,
        verdict_label,
    )

    within = {"school": school.code} if school is not None else None
    rows = []
    for code in TARGET_INDICATORS:
        ind = _ind(code)
        actual = compute(code, user=user, year=year, within=within)[0].value
        trend = compute(code, user=user, year=year, by="year", within=within)
        citation, status, verdict = judge(ind, actual, year, trend)
        if school is not None and not ind.is_ratio:
            status = verdict = None  # city-wide counts are not a single school's target
        rows.append(
            {
                "code": code,
                "name": str(ind.name),
                "clause": ind.clause,
                "kind": target_kind_label(ind, year),
                "target": show_target(ind, citation.value if citation else None),
                "target_value": citation.value if citation else None,
                "actual": _text(code, actual),
                "status": verdict_label(status, verdict, year, no_data=actual is None)
                + ("" if school is not None else cap_note(ind, actual, year)),
                "status_code": status or "none",
                "ratio": ind.is_ratio,
                "years": [str(r.key) for r in trend],
                "trend": [r.value for r in trend],
            }
        )
    return rows


def _quality(user, year, school):
    """Scores of the year: stored ones when the bureau computed them, else computed now
    (not stored). A school sees its own scores and its rank as a position only."""
    from jigong.quality.evaluation import MEASURE_LABELS, evaluate
    from jigong.quality.models import Dimension, QualityScore
    from jigong.quality.selectors import dimension_rows

    stored = list(
        restrict(user, QualityScore, "view").filter(year=year).select_related("school__district")
    )
    if school is not None:
        stored = [s for s in stored if s.school_id == school.pk]
    if stored:
        rows = [
            {
                "code": s.school.code,
                "name": s.school.name,
                "tier": s.school.get_tier_display(),
                "dims": [s.dimension_scores()[d] for d in Dimension.values],
                "total": s.total,
                "rank": s.rank,
                "ranked": s.ranked,
                "inputs": s.inputs,
            }
            for s in stored
        ]
        source = _("市人社局已审定计算的得分（%(t)s）") % {
            "t": timezone.localtime(max(s.computed_at for s in stored)).strftime("%Y-%m-%d")
        }
    else:
        evals = evaluate(user=user, year=year)
        if school is not None:
            evals = [e for e in evals if e.school_id == school.pk]
        rows = [
            {
                "code": e.code,
                "name": e.name,
                "tier": str(Tier(e.tier).label),
                "dims": [e.dimensions[d] for d in Dimension.values],
                "total": e.total,
                "rank": e.rank if user.role != Role.SCHOOL else None,
                "ranked": e.ranked,
                "inputs": e.inputs,
            }
            for e in evals
        ]
        source = _("按平台数据即时计算（尚未由市人社局保存）")
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["code"]))
    dims = dimension_rows(year)
    means = []
    for i, d in enumerate(Dimension.values):
        vals = [r["dims"][i] for r in rows if r["dims"][i] is not None]
        means.append(
            {
                "label": str(Dimension(d).label),
                "weight": dims[i]["weight"],
                "measures": dims[i]["measures"],
                "mean": (sum(vals) / len(vals)).quantize(Decimal("0.01")) if vals else None,
                "with_data": len(vals),
                "no_data": len(rows) - len(vals),
            }
        )
    measures = []
    if school is not None and rows:
        m = rows[0]["inputs"].get("measures", {})
        for code, label in MEASURE_LABELS.items():
            x = m.get(code, {})
            measures.append(
                {
                    "label": label,
                    "value": x.get("value"),
                    "score": x.get("score"),
                    "numerator": x.get("numerator"),
                    "denominator": x.get("denominator"),
                }
            )
    return {
        "rows": rows,
        "source": source,
        "dimensions": dims,
        "means": means,
        "measures": measures,
    }


def _supervision(user, year, school):
    from django.db.models import Count

    from jigong.quality.models import Finding, FindingState, Severity

    qs = restrict(user, Finding, "view").filter(found_on__year=year)
    if school is not None:
        qs = qs.filter(school=school)
    counts = {
        (r["severity"], r["state"]): r["n"]
        for r in qs.values("severity", "state").annotate(n=Count("id")).order_by()
    }
    rows = []
    for sev, label in Severity.choices:
        cells = [counts.get((sev, st), 0) for st in FindingState.values]
        rows.append({"label": label, "cells": cells, "total": sum(cells)})
    overdue = (
        qs.exclude(state=FindingState.CLOSED).filter(deadline__lt=timezone.localdate()).count()
    )
    return {
        "head": [str(lbl) for _v, lbl in FindingState.choices],
        "rows": rows,
        "total": qs.count(),
        "overdue": overdue,
    }


def context(*, user, year: int, school=None) -> dict:
    """Every figure and chart of the report."""
    from jigong.indicators.catalogue import as_of
    from jigong.indicators.selectors import compute, scope_label

    within = {"school": school.code} if school is not None else None
    scope = school.name if school is not None else scope_label(user)
    charts = []
    targets = _targets(user, year, school)
    for i, t in enumerate(targets):
        if any(v is not None for v in t["trend"]):
            charts.append(
                _line(
                    f"trend-{i}",
                    t["name"],
                    t["years"],
                    t["trend"],
                    percent=t["ratio"],
                    target=t["target_value"],
                )
            )
            t["chart"] = f"trend-{i}"

    groups = _table(user, year, REGIONAL, "group", within)
    tiers = _table(user, year, REGIONAL, "tier", within)
    for name, table in (("group", groups), ("tier", tiers)):
        labels = [r["label"] for r in table["rows"]]
        idx = table["codes"].index("students_in_school")
        charts.append(
            _bar(
                f"{name}-students",
                _("在校生（人）"),
                labels,
                [r["values"][idx] for r in table["rows"]],
            )
        )
        idx = table["codes"].index("employment_rate")
        charts.append(
            _bar(
                f"{name}-employment",
                _("毕业生就业率"),
                labels,
                [r["values"][idx] for r in table["rows"]],
                percent=True,
            )
        )

    def trend_chart(cid, code, title=None):
        rows = compute(code, user=user, year=year, by="year", within=within)
        ind = _ind(code)
        charts.append(
            _line(
                cid,
                title or str(ind.name),
                [str(r.key) for r in rows],
                [r.value for r in rows],
                percent=ind.is_ratio,
            )
        )

    def totals(codes):
        return [
            {
                "name": str(_ind(c).name),
                "clause": _ind(c).clause,
                "value": _text(c, compute(c, user=user, year=year, within=within)[0].value),
                "definition": str(_ind(c).numerator)
                + (f" ÷ {_ind(c).denominator}" if _ind(c).denominator else ""),
            }
            for c in codes
        ]

    employment = {
        "totals": totals(EMPLOYMENT),
        "by_tier": _table(
            user,
            year,
            ("graduates", "employment_rate", "graduate_skill_certificate_rate"),
            "tier",
            within,
        ),
    }
    trend_chart("employment-trend", "employment_rate")
    training = {
        "totals": totals(TRAINING),
        "by_group": _table(
            user,
            year,
            ("training_person_times", "training_person_times_cumulative"),
            "group",
            within,
        ),
    }
    trend_chart("training-trend", "training_person_times")
    cooperation = {
        "totals": totals(COOPERATION),
        "by_group": _table(
            user,
            year,
            ("cooperation_agreements", "order_named_class_students", "part_time_teacher_share"),
            "group",
            within,
        ),
    }
    trend_chart("cooperation-trend", "cooperation_agreements")
    admissions = {
        "totals": totals(ADMISSIONS),
        "by_group": _table(
            user,
            year,
            (
                "plan_fulfilment",
                "enrol_applications_cross_province",
                "enrol_admitted_cross_province",
            ),
            "group",
            within,
        ),
    }

    quality = _quality(user, year, school)
    totals_list = [r["total"] for r in quality["rows"] if r["total"] is not None]
    if school is None:
        hist, bins = _histogram("quality-histogram", _("综合得分分布"), totals_list)
        charts.append(hist)
        quality["bins"] = bins
    charts.append(
        _bar(
            "quality-dimensions",
            _("各维度平均得分") if school is None else _("各维度得分"),
            [m["label"] for m in quality["means"]],
            [m["mean"] for m in quality["means"]],
        )
    )

    annex = _table(user, year, ANNEX, "school", within)
    scores = {r["code"]: r for r in quality["rows"]}
    for row in annex["rows"]:
        q = scores.get(row["key"])
        row["quality"] = q["total"] if q else None
        row["rank"] = q["rank"] if q else None

    sections = [
        ("s1", _("一、目标完成情况")),
        ("s2", _("二、区域与层级")),
        ("s3", _("三、毕业生就业与技能")),
        ("s4", _("四、职业技能培训")),
        ("s5", _("五、校企合作")),
        ("s6", _("六、质量评价")),
        ("s7", _("七、督导评估")),
        ("s9", _("八、招生报名")),
        ("s8", _("附录 学校明细表")),
    ]
    title = (
        _("%(s)s%(y)s年度质量报告") % {"s": school.name, "y": year}
        if school is not None
        else _("重庆市技工教育%(y)s年度质量报告") % {"y": year}
    )
    return {
        "title": title,
        "year": year,
        "school": school,
        "scope": scope,
        "as_of": as_of(year),
        "generated_on": timezone.localdate(),
        "sections": [{"id": i, "title": str(t), "page": PAGE_MARK % i} for i, t in sections],
        "targets": targets,
        "groups": groups,
        "tiers": tiers,
        "employment": employment,
        "training": training,
        "cooperation": cooperation,
        "admissions": admissions,
        "quality": quality,
        "supervision": _supervision(user, year, school),
        "annex": annex,
        "charts": charts,
        "regions": [str(lbl) for _v, lbl in RegionGroup.choices],
    }


# --- rendering ----------------------------------------------------------------------


def live_html(ctx: dict) -> str:
    """The report page with ECharts inlined; the browser draws the charts."""
    return render_to_string(
        "reports/annual.html",
        {
            **ctx,
            "echarts_js": static_text("vendor/echarts/echarts.min.js"),
            "font_family": FONT_SANS,
            "font_family_js": json.dumps(FONT_SANS),
            "live": True,
        },
    )


def _page_texts(pdf: bytes) -> list[str]:
    tool = shutil.which("pdftotext")
    if tool is None:
        raise PdfError(_("未找到 pdftotext：生成目录页码需要安装 poppler-utils 软件包。"))
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "r.pdf"
        f.write_bytes(pdf)
        out = subprocess.run([tool, str(f), "-"], capture_output=True, check=True, timeout=120)
    pages = out.stdout.decode("utf-8", "replace").split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    return [re.sub(r"\s+", "", p) for p in pages]


def section_pages(pdf: bytes, sections: list[dict]) -> tuple[dict, int]:
    """{section id: page number} from the PDF's text, and the page count. A heading
    is searched after the contents page and after the previous section's page."""
    texts = _page_texts(pdf)
    toc = next((i for i, t in enumerate(texts) if _("目录") in t), 0)
    found, start = {}, toc + 1
    for s in sections:
        key = re.sub(r"\s+", "", s["title"])
        for i in range(start, len(texts)):
            if key in texts[i]:
                found[s["id"]] = i + 1
                start = i
                break
    return found, len(texts)


def _fill(html: str, pages: dict) -> str:
    for sid, n in pages.items():
        html = html.replace(PAGE_MARK % sid, str(n))
    return re.sub(r"\{\{PAGE:[^}]+\}\}", PLACEHOLDER, html)


# The steps of a build, for a background job's progress (jigong.quality.jobs).
STEPS = (
    gettext_lazy("汇总数据"),
    gettext_lazy("绘制图表"),
    gettext_lazy("排版（第一遍）"),
    gettext_lazy("编排目录页码"),
    gettext_lazy("排版（定稿）"),
)


def render(ctx: dict, renderer: PdfRenderer, progress=None) -> tuple[str, bytes, int]:
    """(static HTML, PDF, pages) with the contents page numbered; ``progress(done,
    total, stage)`` is told before each step after the figures (``STEPS``)."""

    def step(i):
        if progress is not None:
            progress(i, len(STEPS), str(STEPS[i]))

    step(1)
    static = renderer.snapshot(live_html(ctx), wait_for=CHARTS_READY)
    # Pass 1 with placeholders of the final width; pass 2 with the numbers.
    step(2)
    first = renderer.render(_fill(static, {s["id"]: "00" for s in ctx["sections"]}))
    step(3)
    pages, count = section_pages(first, ctx["sections"])
    final_html = _fill(static, pages)
    step(4)
    pdf = renderer.render(final_html)
    return final_html, pdf, count


def build(*, user, year, school=None, renderer: PdfRenderer | None = None) -> Built:
    """Check the input, gather the figures and render HTML and PDF (nothing is stored)."""
    year = check_inputs(user=user, year=year, school=school)
    ctx = context(user=user, year=year, school=school)
    if renderer is None:
        with PdfRenderer() as r:
            html, pdf, pages = render(ctx, r)
    else:
        html, pdf, pages = render(ctx, renderer)
    return Built(year, school, ctx["title"], html, pdf, pages, ctx["sections"])
