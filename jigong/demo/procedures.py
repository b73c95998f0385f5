"""The rest of the policy's procedures in the demo world, called from
``World.build_workflows`` before the steps are written:

- 双优 rounds (（十四））: one round per year and kind, 2022–2025, designating the
  schools and majors the world holds as 优质 that year; the 2025 优质专业 round is
  still open, the others closed;
- major catalogue adjustments (（十六））: approved applications behind every
  suspended major and every major opened since 2023 (with the school's
  major–industry match before and after), plus applications of late 2025 still
  in progress (draft, submitted, returned with a reason) and rejected ones;
- other social training revenue and the performance-pay supplement (（七））:
  supplements of 2022–2024 for every school with social training revenue and
  December estimates of 2025 for about half, computed with ``rules.pay_supplement``
  exactly as ``records.supplement_calculate`` would;
- the enrolment qualification lists (（九））: 2024 and 2025 published (2025 after one
  reopening), 2026 reopened with a reason and recomputed, awaiting review.

Rows are bulk-written like the rest (one audit row per table); every transition is
a ``Step`` by the demo user of the acting role. Not stored, so not generated: the
candidate ranking (``designations.candidate_scores``), a school's current match
(``catalogue.school_match``) and the revenue table (``records.revenue_table``) are
computed on demand.
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from decimal import Decimal

from django.db import connection
from django.utils.translation import gettext as _

from jigong.demo.generate import AS_OF, POLICY_DATE
from jigong.policy import rules

# How far the applications of late 2025 got (None: the school has none), by school.
ADJUSTMENT_CYCLE = ("submitted", "returned", "draft", "rejected", "submitted", None)
ADJUSTMENT_PATHS = {
    "draft": [],
    "submitted": ["submit"],
    "returned": ["submit", "return"],
    "rejected": ["submit", "reject"],
}
OTHER_REVENUE = (
    "政府购买培训包项目",
    "企业委托职工技能提升培训",
    "社区居民技能培训项目",
    "退役军人职业技能培训",
)
RATES = tuple(Decimal(r) for r in ("0.05", "0.08", "0.10", "0.12", "0.15", "0.18", "0.20"))
EXCELLENT_RATES = tuple(Decimal(r) for r in ("0.15", "0.18", "0.20"))  # 5–20% for all


def build(world, brochures: list[tuple]) -> None:
    designation_rounds(world, world.rng("rounds"))
    major_adjustments(world, world.rng("adjustments"))
    pay_supplements(world, world.rng("pay"))
    qualification_lists(world, world.rng("qualification"), brochures)


def _ts(value):
    return connection.ops.adapt_datetimefield_value(value)


def _city_step(world, at, kind: str, item_id: int, action: str, label, src, dst, comment=""):
    """A step of a city-level item (no school, no district) by the municipal bureau."""
    city = world.wf.users["city"]
    row = (at, kind, item_id, action, str(label), src, dst, city, comment, None, None)
    world.wf.steps.append(row)


ITEM = ("id", "state", "state_changed_at", "due_on", "created_at")


# --------------------------------------------------------------------------- 双优


def _quality_schools(world) -> dict[int, set[int]]:
    """year → ids of the schools designated 优质院校 that year."""
    from jigong.schools.models import SchoolDesignation

    out = defaultdict(set)
    for sid, year in SchoolDesignation.objects.filter(kind="quality_school").values_list(
        "school_id", "year"
    ):
        out[year].add(sid)
    return out


def designation_rounds(world, rng) -> None:
    from jigong.core.choices import Level
    from jigong.policy import parameters as P
    from jigong.schools.models import QualityMajorDesignation, SchoolDesignation
    from jigong.workflows.models import DesignationKind, DesignationRound

    level = dict(Level.choices)
    school_name = {s.id: s.name for s in world.schools}
    major = {
        smid: (s, f"{m['name']}（{level[lvl]}）") for smid, s, m, lvl, _y in world.school_majors
    }
    held = defaultdict(list)  # (kind, year) → targets as ``designations.designate`` labels them
    for sid, year in (
        SchoolDesignation.objects.filter(kind="quality_school")
        .order_by("pk")
        .values_list("school_id", "year")
    ):
        held["quality_school", year].append(school_name[sid])
    for smid, year in QualityMajorDesignation.objects.order_by("pk").values_list(
        "school_major_id", "year"
    ):
        s, label = major[smid]
        held["quality_major", year].append(f"{s.name} {label}")
    rows, rid = [], world.w.next_id(DesignationRound)
    close = DesignationRound.workflow.transition("close").label
    years = sorted({y for _k, y in held})
    for year in years:
        for kind in DesignationKind.values:
            on = max(datetime.date(year, 4, 1), POLICY_DATE + datetime.timedelta(days=40))
            start = world.wf.moment(rng, on, 20)
            label = DesignationKind(kind).label
            cite = P.cite(rules.DESIGNATION_CAPS[kind], on)
            note = f"{year}年{label}认定，“双优计划”创建数量{cite.value}个（依据{cite.clause}）"
            _city_step(world, start, "designation_round", rid, "create", _("创建"), "", "open")
            at = start
            for target in held.get((kind, year), []):
                at += datetime.timedelta(hours=rng.randint(1, 30))
                text = _("认定：%(t)s") % {"t": target}
                args = ("designate", text[:32], "open", "open", text)
                _city_step(world, at, "designation_round", rid, *args)
            state, changed = "open", start
            if (year, kind) != (years[-1], DesignationKind.QUALITY_MAJOR):  # the last is open
                at += datetime.timedelta(days=rng.randint(3, 15))
                _city_step(world, at, "designation_round", rid, "close", close, "open", "closed")
                state, changed = "closed", at
            rows.append((rid, state, _ts(changed), None, _ts(start), year, kind, note))
            rid += 1
    world.w.insert(DesignationRound, (*ITEM, "year", "kind", "note"), rows)


# --------------------------------------------------------------------------- 专业目录调整


def _new_major(rng, world, school, taken: set) -> tuple[dict, str] | None:
    """A catalogue major the school does not run at a level its tier runs as standard."""
    allowed = [
        lvl for lvl, how in rules.allowed_levels(school.tier, AS_OF).items() if how == "standard"
    ]
    options = [
        (m, lvl)
        for m in world.majors
        if m["chains"]
        for lvl in allowed
        if lvl in m["levels"] and (m["id"], lvl) not in taken
    ]
    return rng.choice(options) if options else None


def major_adjustments(world, rng) -> None:
    from jigong.core.choices import Level
    from jigong.workflows.models import MajorAdjustment

    wf = world.wf
    level = dict(Level.choices)
    key = {code: c.cluster.is_key for code, c in world.chains.items()}
    chain_name = {code: c.name for code, c in world.chains.items()}
    open_ids = {i for s in world.schools for lst in s.majors.values() for i, _m, _y in lst}
    by_school = defaultdict(list)  # school id → (smid, major, level, opened year, open)
    for smid, s, m, lvl, year in world.school_majors:
        by_school[s.id].append((smid, m, lvl, year, smid in open_ids))
    keyed = {smid: any(key[c] for c in m["chains"]) for smid, _s, m, _l, _y in world.school_majors}

    items = []  # (start, school, path, action, smid, major, level, reason)
    operating = [s for s in world.schools if s.status == "operating"]
    for i, s in enumerate(operating):
        majors = by_school[s.id]
        for smid, m, lvl, year, is_open in majors:
            if not is_open:  # suspended: an approved application of 2023–2025
                start = wf.moment(rng, datetime.date(rng.randint(2023, 2025), 3, 1), 200)
                reason = f"{m['name']}专业（{level[lvl]}）近两年生源不足，申请暂停招生"
                items.append((start, s, ["submit", "approve"], "suspend", smid, None, "", reason))
            elif year >= 2023:  # opened since 2023: the application that opened it
                start = wf.moment(rng, datetime.date(year, 3, 1), 60)
                path = ["submit", "approve"]
                if rng.random() < 0.25:
                    path = ["submit", "return", "submit", "approve"]
                chains = "、".join(chain_name[c] for c in m["chains"]) or "区域"
                reason = f"对接{chains}人才需求，申请开设{m['name']}专业（{level[lvl]}）"
                items.append((start, s, path, "open", smid, m, lvl, reason))
        state = ADJUSTMENT_CYCLE[i % len(ADJUSTMENT_CYCLE)]
        if state is None:
            continue
        # an application of late 2025 (a rejected one was decided earlier in the year)
        when = datetime.date(2025, 5, 1) if state == "rejected" else datetime.date(2025, 11, 20)
        start = wf.moment(rng, when, 20)
        open_majors = [x for x in majors if x[4]]
        pick = rng.random()
        if pick < 0.45 or len(open_majors) < 2:
            found = _new_major(rng, world, s, {(m["id"], lvl) for _i, m, lvl, _y, _o in majors})
            if found is None:
                continue
            m, lvl = found
            chains = "、".join(chain_name[c] for c in m["chains"])
            reason = f"对接{chains}人才需求，申请开设{m['name']}专业（{level[lvl]}）"
            items.append((start, s, ADJUSTMENT_PATHS[state], "open", None, m, lvl, reason))
        else:
            smid, m, lvl, _y, _o = rng.choice(open_majors)
            action = "suspend" if pick < 0.8 else "close"
            reason = (
                f"{m['name']}专业（{level[lvl]}）生源不足，申请暂停招生"
                if action == "suspend"
                else f"{m['name']}专业（{level[lvl]}）与区域产业需求不匹配，申请撤销"
            )
            items.append((start, s, ADJUSTMENT_PATHS[state], action, smid, None, "", reason))

    # the match before and after each approval, replayed from the school's first state
    approved = defaultdict(list)
    for it in items:
        if it[2] and it[2][-1] == "approve":
            approved[it[1].id].append(it)
    running = {}  # school id → set of open school-major ids, before any approval
    for sid, its in approved.items():
        now = {smid for smid, *_r, is_open in by_school[sid] if is_open}
        for it in its:
            (now.discard if it[3] == "open" else now.add)(it[4])
        running[sid] = now

    probe = MajorAdjustment()
    rows, chain_rows = [], []
    aid = world.w.next_id(MajorAdjustment)
    through = MajorAdjustment.chains.through
    tid = world.w.next_id(through)
    for start, s, path, action, smid, m, lvl, reason in sorted(items, key=lambda it: it[0]):
        state, made, changed = wf.walk(rng, "major_adjustment", aid, s, start, path)
        before = after = None
        if state == "approved":
            now, on = running[s.id], changed.date()
            before = rules.major_match(len(now), sum(keyed[x] for x in now), on).share
            (now.add if action == "open" else now.discard)(smid)
            after = rules.major_match(len(now), sum(keyed[x] for x in now), on).share
        rows.append(
            (
                aid,
                state,
                _ts(changed),
                wf.due(probe, state, changed),
                _ts(made),
                s.id,
                action,
                smid,
                m["id"] if m else None,
                lvl,
                reason,
                before,
                after,
            )
        )
        for code in m["chains"] if m else ():
            chain_rows.append((tid, aid, world.chains[code].id))
            tid += 1
        aid += 1
    fields = (
        *ITEM,
        "school_id",
        "action",
        "school_major_id",
        "major_id",
        "level",
        "reason",
        "match_before",
        "match_after",
    )
    world.w.insert(MajorAdjustment, fields, rows)
    fk = [f.attname for f in through._meta.fields if f.attname != "id"]
    world.w.insert(through, ("id", *fk), chain_rows, label="workflows.MajorAdjustment_chains")


# --------------------------------------------------------------------------- （七）


def pay_supplements(world, rng) -> None:
    from django.db.models import Sum

    from jigong.training.models import TrainingRecord
    from jigong.workflows.models import OtherTrainingRevenue, PaySupplementCalc

    first = rules.P.cite("pay_supplement.rate_max", AS_OF).start.year
    years = range(first, AS_OF.year + 1)
    records = {
        (sid, year): total
        for sid, year, total in TrainingRecord.objects.filter(is_social=True, year__in=years)
        .values_list("school_id", "year")
        .annotate(total=Sum("revenue"))
        .order_by()
    }
    other_rows, oid = [], world.w.next_id(OtherTrainingRevenue)
    other = defaultdict(Decimal)
    for s in world.operating:
        for year in years:
            for _n in range(rng.choice((0, 0, 0, 1, 1, 2))):
                amount = Decimal(rng.randrange(20_000, 300_000, 500))
                at = world.wf.moment(rng, datetime.date(year, 3, 1), 240)
                other_rows.append((oid, s.id, year, amount, rng.choice(OTHER_REVENUE), _ts(at)))
                other[s.id, year] += amount
                oid += 1
    world.w.insert(
        OtherTrainingRevenue,
        ("id", "school_id", "year", "amount", "description", "created_at"),
        other_rows,
    )
    excellent_by_year = _quality_schools(world)
    rows, pid = [], world.w.next_id(PaySupplementCalc)
    zero = Decimal("0.00")
    for s in world.operating:
        for year in years:
            from_records = records.get((s.id, year)) or zero
            from_other = other.get((s.id, year), zero)
            if not from_records + from_other:
                continue
            if year == AS_OF.year:  # a December estimate, by about half the schools
                if rng.random() < 0.5:
                    continue
                at = world.wf.moment(rng, datetime.date(year, 12, 10), 15)
            else:
                at = world.wf.moment(rng, datetime.date(year + 1, 2, 20), 40)
            excellent = s.id in excellent_by_year.get(year, ())
            rate = rng.choice(EXCELLENT_RATES if excellent else RATES)
            on = min(datetime.date(year, 12, 31), AS_OF)
            result = rules.pay_supplement(from_records + from_other, rate, excellent, on)
            steps = [  # as records.supplement_calculate writes them
                _("培训记录社会培训收入：%(a)s 元") % {"a": f"{from_records:,.2f}"},
                _("其他社会培训收入：%(a)s 元") % {"a": f"{from_other:,.2f}"},
                *result.steps,
            ]
            rows.append(
                (
                    pid,
                    s.id,
                    year,
                    result.rate,
                    excellent,
                    from_records,
                    from_other,
                    result.revenue,
                    result.amount,
                    json.dumps(steps),
                    result.clause,
                    _ts(at),
                )
            )
            pid += 1
    world.w.insert(
        PaySupplementCalc,
        (
            "id",
            "school_id",
            "year",
            "rate",
            "excellent",
            "revenue_records",
            "revenue_other",
            "revenue",
            "amount",
            "steps",
            "clause",
            "calculated_at",
        ),
        rows,
    )


# --------------------------------------------------------------------------- （九）


def qualification_lists(world, rng, brochures: list[tuple]) -> None:
    """Lists of 2024–2026 computed from the schools and the brochures' states at the
    moment of (re)computation, as ``services.qualification_entries_compute`` does."""
    from jigong.workflows.models import QualificationEntry, QualificationList

    wf = world.wf
    brochure = {row[0]: (row[5], row[6]) for row in brochures}  # id → (school id, year)
    history = defaultdict(list)  # (school id, year) → (at, state) of the brochure
    for at, kind, item_id, _a, _l, _src, dst, *_rest in wf.steps:
        if kind == "brochure":
            history[brochure[item_id]].append((at, dst))
    for h in history.values():
        h.sort(key=lambda x: x[0])

    def approved_at(school_id: int, year: int, at: datetime.datetime) -> bool:
        states = [st for t, st in history.get((school_id, year), ()) if t <= at]
        return bool(states) and states[-1] in ("approved", "published")

    years = sorted({year for _sid, year in brochure.values()})
    recompute = QualificationList.workflow.transition("recompute").label
    lists, entries = [], []
    lid, eid = world.w.next_id(QualificationList), world.w.next_id(QualificationEntry)
    for year in years:
        if year <= AS_OF.year:  # published in early summer
            path = ["review", "publish"]
            if year == AS_OF.year:
                path = ["review", "reopen", "recompute", "review", "publish"]
            start = wf.moment(rng, datetime.date(year, 6, 1), 10)
        else:  # next year's list: reopened, recomputed on the last day, to be reviewed
            path = ["review", "reopen"]
            start = wf.moment(rng, datetime.date(AS_OF.year, 12, 10), 3)
        state, made, changed = wf.walk(rng, "qualification", lid, None, start, path)
        computed = max(
            st[0]
            for st in wf.steps
            if st[1] == "qualification" and st[2] == lid and st[3] in ("create", "recompute")
        )
        if year > AS_OF.year:
            computed = datetime.datetime.combine(
                AS_OF, datetime.time(10, rng.randint(0, 59)), tzinfo=changed.tzinfo
            )
            _city_step(world, computed, "qualification", lid, "recompute", recompute, state, state)
        published = changed if state == "published" else None
        lists.append(
            (lid, state, _ts(changed), None, _ts(made), year, _ts(computed), _ts(published))
        )
        for s in sorted(world.schools, key=lambda s: s.code):
            if s.founded > computed.date():
                continue  # not in the register yet
            ok = approved_at(s.id, year, computed)
            q = rules.enrolment_qualification(s.status, ok, computed.date())
            entries.append(
                (
                    eid,
                    lid,
                    s.id,
                    s.code,
                    s.name,
                    s.tier,
                    world.districts[s.district_code].name,
                    s.status,
                    ok,
                    q.qualified,
                    "；".join(q.reasons)[:255],
                )
            )
            eid += 1
        lid += 1
    world.w.insert(
        QualificationList,
        (*ITEM, "year", "computed_at", "published_at"),
        lists,
    )
    world.w.insert(
        QualificationEntry,
        (
            "id",
            "qualification_list_id",
            "school_id",
            "school_code",
            "school_name",
            "tier",
            "district_name",
            "school_status",
            "brochure_approved",
            "qualified",
            "reasons",
        ),
        entries,
    )
