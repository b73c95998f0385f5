"""Reads on workflow items; every queryset starts from restrict(user, action).

The public list (/qualifications/) reads only published lists and qualified schools:
school names, codes, tiers and districts, no personal data.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Q, Sum
from django.utils import timezone

from jigong.core.filters import filtered
from jigong.core.models import Role
from jigong.workflows import filters as F
from jigong.workflows.models import (
    BrochureFiling,
    CrossProvinceQuota,
    Document,
    EnrolmentPlan,
    EnrolmentPlanLine,
    InternshipFiling,
    OfferedTracks,
    QualificationEntry,
    QualificationList,
    Step,
    item_models,
)


def plan_list(*, user, filters=None):
    qs = (
        EnrolmentPlan.objects.restrict(user, "view")
        .select_related("school__district")
        .annotate(quota=Sum("lines__quota"))
        .order_by("-year", "school__code")
    )
    return filtered(qs, F.EnrolmentPlanFilterSet, user=user, filters=filters)


def plan_get(*, user, pk, action="view"):
    return (
        EnrolmentPlan.objects.restrict(user, action).select_related("school__district").get(pk=pk)
    )


def brochure_list(*, user, filters=None):
    qs = BrochureFiling.objects.restrict(user, "view").select_related("school__district")
    return filtered(qs, F.BrochureFilingFilterSet, user=user, filters=filters)


def brochure_get(*, user, pk, action="view"):
    return (
        BrochureFiling.objects.restrict(user, action).select_related("school__district").get(pk=pk)
    )


def internship_list(*, user, filters=None):
    qs = InternshipFiling.objects.restrict(user, "view").select_related("school__district")
    return filtered(qs, F.InternshipFilingFilterSet, user=user, filters=filters)


def internship_get(*, user, pk, action="view"):
    return (
        InternshipFiling.objects.restrict(user, action)
        .select_related("school__district")
        .get(pk=pk)
    )


def qualification_list_list(*, user, filters=None):
    qs = (
        QualificationList.objects.restrict(user, "view")
        .annotate(
            schools=Count("entries"), qualified=Count("entries", filter=Q(entries__qualified=True))
        )
        .order_by("-year")
    )
    return filtered(qs, F.QualificationListFilterSet, user=user, filters=filters)


def qualification_list_get(*, user, pk, action="view"):
    return QualificationList.objects.restrict(user, action).get(pk=pk)


def qualification_entries(*, user, qualification_list):
    """The list's entries the user may see: all for the city, its own for a school."""
    return (
        QualificationEntry.objects.restrict(user, "view")
        .filter(qualification_list=qualification_list)
        .order_by("-qualified", "school_code")
    )


# --- timeline, documents, to-do ------------------------------------------------------


def timeline(*, user, item):
    """The item's steps with their documents, oldest first (within the user's scope)."""
    kind = item.workflow.kind
    if item.scope_ids() == (None, None):
        # A city-level item (the qualification list): its steps carry no school's data
        # and are shown to whoever may view the item itself.
        model = type(item)
        model.objects.restrict(user, "view").get(pk=item.pk)
        steps_qs, docs_qs = Step.objects.all(), Document.objects.all()
    else:
        steps_qs = Step.objects.restrict(user, "view")
        docs_qs = Document.objects.restrict(user, "view")
    steps = list(steps_qs.filter(kind=kind, item_id=item.pk))
    by_step = defaultdict(list)
    for d in docs_qs.filter(kind=kind, item_id=item.pk):
        by_step[d.step_id].append(d)
    for s in steps:
        s.attached = by_step.get(s.pk, [])
        s.from_label = item.workflow.label_of(s.from_state) if s.from_state else ""
        s.to_label = item.workflow.label_of(s.to_state)
    return steps


def document_get(*, user, pk):
    """A document the user may download: in scope, or of a city-level item they may view."""
    d = Document.objects.select_related("step").get(pk=pk)
    if d.school_id is None and d.district_id is None:
        from jigong.workflows.models import item_model

        item_model(d.kind).objects.restrict(user, "view").get(pk=d.item_id)
        return d
    return Document.objects.restrict(user, "view").get(pk=pk)


def todo(*, user, limit: int = 50) -> list[dict]:
    """Items waiting for the user's role to act, in the user's scope, earliest due first."""
    if user is None or not user.is_authenticated:
        return []
    role = Role.MUNICIPAL if user.is_superuser else user.role
    rows = []
    for model in item_models():
        wf = model.workflow
        states = wf.states_for(role)
        if not states:
            continue
        qs = model.objects.restrict(user, "change").filter(state__in=states)
        if hasattr(model, "school"):
            qs = qs.select_related("school")
        for item in qs.order_by("due_on", "pk")[:limit]:
            rows.append(
                {
                    "kind": str(wf.label),
                    "item": item,
                    "state": item.get_state_display(),
                    "due_on": item.due_on,
                    "overdue": item.overdue,
                    "due_basis": item.due_basis,
                    "url": item_url(item),
                }
            )
    far = timezone.localdate().replace(year=9999)
    rows.sort(key=lambda r: (r["due_on"] or far, r["kind"]))
    return rows[:limit]


def item_url(item) -> str:
    from django.urls import reverse

    return reverse(f"workflows:{item.workflow.kind}_detail", args=[item.pk])


# --- enrolment plans: lines with actual enrolment, roll-ups -------------------------


def _actual_by_major(*, user, year: int, school_ids=None) -> dict:
    from jigong.students.models import Registration

    qs = Registration.objects.restrict(user, "view").filter(enrolled_on__year=year)
    if school_ids is not None:
        qs = qs.filter(school_id__in=school_ids)
    return {
        (r["school_id"], r["major_id"], r["level"]): r["n"]
        for r in qs.values("school_id", "major_id", "level").annotate(n=Count("id")).order_by()
    }


def plan_lines(*, user, plan):
    """The plan's lines, each with the actual enrolment of its major in the plan year."""
    lines = list(
        EnrolmentPlanLine.objects.restrict(user, "view")
        .filter(plan=plan)
        .select_related("school_major__major")
    )
    actual = _actual_by_major(user=user, year=plan.year, school_ids=[plan.school_id])
    for line in lines:
        sm = line.school_major
        line.actual = actual.get((plan.school_id, sm.major_id, sm.level), 0)
    return lines


def cross_province(*, user, plan):
    """Cross-province quotas of the plan with the actual enrolment from each province."""
    from jigong.policy import rules
    from jigong.standards.regions import PROVINCES
    from jigong.students.models import Registration

    partners = rules.cross_province_partners(timezone.localdate())
    quotas = dict(
        CrossProvinceQuota.objects.restrict(user, "view")
        .filter(plan=plan)
        .values_list("province", "quota")
    )
    actual = dict(
        Registration.objects.restrict(user, "view")
        .filter(
            school_id=plan.school_id,
            enrolled_on__year=plan.year,
            person__home_province__in=partners,
        )
        .values_list("person__home_province")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [
        {
            "province": p,
            "name": PROVINCES.get(p, p),
            "quota": quotas.get(p, 0),
            "actual": actual.get(p, 0),
        }
        for p in partners
    ]


def plan_years(*, user) -> list[int]:
    return sorted(
        set(EnrolmentPlan.objects.restrict(user, "view").values_list("year", flat=True)),
        reverse=True,
    )


def plan_rollup(*, user, year: int) -> dict:
    """The city's (district's, school's) plan for ``year``: approved and pending quotas
    against actual enrolment, by district and by school, and cross-province by province.
    Only approved plans form the city's plan; quotas still in review are shown apart."""
    from jigong.policy import rules
    from jigong.schools.models import School
    from jigong.standards.regions import PROVINCES
    from jigong.students.models import Registration

    lines = EnrolmentPlanLine.objects.restrict(user, "view").filter(plan__year=year)
    by_school = {
        r["plan__school_id"]: r
        for r in lines.values("plan__school_id")
        .annotate(
            approved=Sum("quota", filter=Q(plan__state="approved")),
            pending=Sum("quota", filter=~Q(plan__state="approved")),
        )
        .order_by()
    }
    regs = Registration.objects.restrict(user, "view").filter(enrolled_on__year=year)
    actual = dict(regs.values_list("school_id").annotate(n=Count("id")).order_by())
    schools = School.objects.restrict(user, "view").select_related("district").order_by("code")
    states = dict(
        EnrolmentPlan.objects.restrict(user, "view")
        .filter(year=year)
        .values_list("school_id", "state")
    )
    rows, districts = [], {}
    for s in schools:
        q = by_school.get(s.pk, {})
        row = {
            "school": s,
            "state": EnrolmentPlan.workflow.label_of(states[s.pk]) if s.pk in states else "",
            "approved": q.get("approved") or 0,
            "pending": q.get("pending") or 0,
            "actual": actual.get(s.pk, 0),
        }
        rows.append(row)
        d = districts.setdefault(
            s.district_id,
            {"district": s.district, "approved": 0, "pending": 0, "actual": 0, "schools": 0},
        )
        d["schools"] += 1
        for k in ("approved", "pending", "actual"):
            d[k] += row[k]
    total = {k: sum(r[k] for r in rows) for k in ("approved", "pending", "actual")}
    for r in [*rows, *districts.values(), total]:
        r["rate"] = (r["actual"] / r["approved"]) if r["approved"] else None
    partners = rules.cross_province_partners(timezone.localdate())
    quotas = dict(
        CrossProvinceQuota.objects.restrict(user, "view")
        .filter(plan__year=year, plan__state="approved")
        .values_list("province")
        .annotate(q=Sum("quota"))
        .order_by()
    )
    cross_actual = dict(
        regs.filter(person__home_province__in=partners)
        .values_list("person__home_province")
        .annotate(n=Count("id"))
        .order_by()
    )
    provinces = [
        {"name": PROVINCES.get(p, p), "quota": quotas.get(p, 0), "actual": cross_actual.get(p, 0)}
        for p in partners
    ]
    return {
        "year": year,
        "schools": rows,
        "districts": sorted(districts.values(), key=lambda d: d["district"].code),
        "total": total,
        "provinces": provinces,
    }


# --- the public qualification list ------------------------------------------------------

BROCHURE_ACCEPTED = ("approved", "published")  # flows.BROCHURE: 备案通过, 已发布


def offered_tracks(school_ids, year: int) -> dict[int, set[str]]:
    """{school id → the ``students.Track`` values its accepted brochures of ``year``
    offer} (one query; a school without an accepted brochure is left out)."""
    out: dict[int, set[str]] = defaultdict(set)
    for school, tracks in BrochureFiling.objects.filter(
        school_id__in=school_ids, year=year, state__in=BROCHURE_ACCEPTED
    ).values_list("school_id", "tracks"):
        out[school].update(OfferedTracks.tracks(tracks))
    return dict(out)


def published_lists():
    """Published lists, newest first (anonymous readers)."""
    return QualificationList.objects.filter(state="published").order_by("-year")


def published_entries(*, qualification_list):
    """Qualified schools of a published list: public facts only (no reasons, no people)."""
    if qualification_list.state != "published":
        return QualificationEntry.objects.none()
    return (
        QualificationEntry.objects.filter(qualification_list=qualification_list, qualified=True)
        .order_by("school_code")
        .only("school_code", "school_name", "tier", "district_name")
    )


def approved_cross_province_quota(
    school_id: int, year: int, province: str, lock: bool
) -> int | None:
    """The cross-province quota for ``province`` in the school's approved enrolment plan
    of ``year`` (（九）); None when no approved plan holds one. A rule's read, not a
    user's (the enrolment act checks the actor's scope first); ``lock`` locks the row for
    the rest of the transaction (concurrent enrolments against it count in turn)."""
    rows = CrossProvinceQuota.objects.filter(
        plan__school_id=school_id, plan__year=year, plan__state="approved", province=province
    )
    if lock:
        rows = rows.select_for_update(of=("self",))
    # one row at most (one approved plan a year): no ordering through plan and school
    return rows.order_by().values_list("quota", flat=True).first()
