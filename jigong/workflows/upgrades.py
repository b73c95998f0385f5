"""晋级 (（二十一） 完善晋级和退出机制): a school's application to move one tier up
(技工学校 → 高级技校 → 技师学院), reviewed by its district bureau and decided by the
municipal bureau (``flows.TIER_UPGRADE``). Approval changes the tier through the act
``school.change_tier`` (``jigong.schools.services``), which records the old and new
tier, the effective date and the decision; 退出 (a lower tier) is the same act, by the
municipal bureau's decision on the school's page.

The page shows the figures the school states beside the register's own (在校生, 专任教师,
majors, class levels run); the platform sets no threshold of its own here: the national
setting standards are the reviewers' to apply.
"""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jigong.core.acts import SCHOOL, UNSET, Unset, act, given
from jigong.core.permissions import ensure
from jigong.workflows import services
from jigong.workflows.models import TierUpgradeApplication

# --- rules ---------------------------------------------------------------------------


def next_tier(tier: str) -> str | None:
    from jigong.schools.models import TIER_ORDER

    i = TIER_ORDER.index(tier)
    return TIER_ORDER[i + 1] if i + 1 < len(TIER_ORDER) else None


def eligibility_errors(school, *, to_tier: str | None = None, exclude_pk=None) -> list[str]:
    """Why ``school`` may not apply (or, with ``to_tier``, may no longer move up to it):
    the top tier, a suspended or closed school, another open application."""
    from jigong.core.choices import Tier
    from jigong.schools.models import SchoolStatus

    errors = []
    target = next_tier(school.tier)
    if target is None:
        errors.append(
            _("学校“%(s)s”已是%(t)s（最高层次），不能申请晋级")
            % {"s": school, "t": school.get_tier_display()}
        )
    elif to_tier is not None and to_tier != target:
        errors.append(
            _("学校“%(s)s”现为%(t)s，只能申请晋升一级（%(n)s），不能申请%(x)s")
            % {
                "s": school,
                "t": school.get_tier_display(),
                "n": Tier(target).label,
                "x": Tier(to_tier).label,
            }
        )
    if school.status != SchoolStatus.OPERATING:
        errors.append(
            _("学校“%(s)s”办学状态为“%(st)s”：只有正常办学的学校可以申请晋级")
            % {"s": school, "st": school.get_status_display()}
        )
    open_ = TierUpgradeApplication.objects.filter(school=school).exclude(
        state__in=[s.name for s in TierUpgradeApplication.workflow.states if s.final]
    )
    if exclude_pk is not None:
        open_ = open_.exclude(pk=exclude_pk)
    if open_.exists():
        errors.append(
            _("学校“%(s)s”已有尚未办结的晋级申请：办结（批准、不予晋级）后才能再次申请")
            % {"s": school}
        )
    return errors


# --- reads ---------------------------------------------------------------------------


def _filterset():
    import django_filters

    from jigong.core.filters import ScopedFilterSet
    from jigong.schools.models import School
    from jigong.workflows.filters import _state_filter

    class TierUpgradeFilterSet(ScopedFilterSet):
        search_fields = ("school__name", "school__code")
        school = django_filters.ModelChoiceFilter(
            queryset=School.objects.all(), label=_lazy("学校")
        )
        state = _state_filter(TierUpgradeApplication.workflow)

        class Meta:
            model = TierUpgradeApplication
            fields = ["school", "from_tier", "state"]

    return TierUpgradeFilterSet


TierUpgradeFilterSet = _filterset()


def upgrade_list(*, user, filters=None):
    from jigong.core.filters import filtered

    qs = TierUpgradeApplication.objects.restrict(user, "view").select_related("school__district")
    return filtered(qs, TierUpgradeFilterSet, user=user, filters=filters)


def upgrade_get(*, user, pk, action="view"):
    return (
        TierUpgradeApplication.objects.restrict(user, action)
        .select_related("school__district")
        .get(pk=pk)
    )


def register_figures(*, user, application: TierUpgradeApplication) -> list[dict]:
    """The figures the application states beside the register's own for the school:
    全日制在校生, 专任教师, majors run (open), and the class levels run."""
    from jigong.core.choices import Level
    from jigong.schools.models import MajorStatus, School, SchoolMajor
    from jigong.workflows.licensing import school_facts

    schools = list(School.objects.restrict(user, "view").filter(pk=application.school_id))
    if not schools:
        return []
    facts = school_facts(user=user, schools=schools)[application.school_id]
    majors = (
        SchoolMajor.objects.restrict(user, "view")
        .filter(school_id=application.school_id, status=MajorStatus.OPEN)
        .values("level")
        .annotate(n=Count("major", distinct=True))
        .order_by()
    )
    by_level = {r["level"]: r["n"] for r in majors}
    distinct_majors = (
        SchoolMajor.objects.restrict(user, "view")
        .filter(school_id=application.school_id, status=MajorStatus.OPEN)
        .values("major")
        .distinct()
        .count()
    )
    levels = "、".join(
        f"{Level(v).label}（{by_level[v]}个专业）" for v in Level.values if v in by_level
    )
    return [
        {
            "label": _("全日制在校生（人）"),
            "stated": application.stated_students,
            "register": facts["students"],
        },
        {
            "label": _("专任教师（人）"),
            "stated": application.stated_teachers,
            "register": facts["full_time_teachers"],
        },
        {
            "label": _("开设专业（个）"),
            "stated": application.stated_majors,
            "register": distinct_majors,
        },
        {"label": _("开设的班级层次"), "stated": "—", "register": levels or "—"},
    ]


# --- writes --------------------------------------------------------------------------


@act(
    "tier_upgrade.apply",
    label=_lazy("申请晋级"),
    roles=SCHOOL,
    model="workflows.tierupgradeapplication",
    clause="（二十一）",
    channels=("page",),
    event="create",
)
def upgrade_apply(
    *,
    actor,
    school,
    stated_students: int,
    stated_teachers: int,
    stated_majors: int,
    summary: str,
    documents=(),
) -> TierUpgradeApplication:
    """The school's application to move one tier up, in draft; refused for a 技师学院,
    a school not operating normally, or one with an open application."""
    if actor is not None:
        ensure(actor, "add", TierUpgradeApplication(school=school))
    errors = eligibility_errors(school)
    if errors:
        from django.core.exceptions import ValidationError

        raise ValidationError({"school": errors})
    return services._item_create(
        actor=actor,
        model=TierUpgradeApplication,
        school=school,
        documents=documents,
        from_tier=school.tier,
        to_tier=next_tier(school.tier),
        stated_students=stated_students,
        stated_teachers=stated_teachers,
        stated_majors=stated_majors,
        summary=summary,
    )


@act(
    "tier_upgrade.update",
    label=_lazy("修改晋级申请"),
    roles=SCHOOL,
    model="workflows.tierupgradeapplication",
    clause="（二十一）",
    channels=("page",),
)
def upgrade_update(
    *,
    actor,
    application: TierUpgradeApplication,
    stated_students: int | Unset = UNSET,
    stated_teachers: int | Unset = UNSET,
    stated_majors: int | Unset = UNSET,
    summary: str | Unset = UNSET,
) -> TierUpgradeApplication:
    """The school edits its application while it is a draft or returned."""
    return services._item_update(
        actor=actor,
        item=application,
        **given(
            stated_students=stated_students,
            stated_teachers=stated_teachers,
            stated_majors=stated_majors,
            summary=summary,
        ),
    )


def apply_approval(*, actor, item: TierUpgradeApplication, comment: str) -> None:
    """The effect of the municipal approval (inside its act): the tier changes through
    ``school.change_tier`` from the application's effective date; the change is kept."""
    from jigong.core import services as core
    from jigong.schools import services as schools
    from jigong.schools.models import TierChange

    decision = _("晋级申请第%(n)s号经市人社局批准") % {"n": item.pk}
    if comment:
        decision = f"{decision}：{comment}"
    schools.school_change_tier(
        actor=actor,
        school=item.school,
        tier=item.to_tier,
        effective_on=item.effective_on,
        decision=decision,
    )
    change = TierChange.objects.filter(school=item.school).order_by("-pk").first()
    core.update(actor, item, tier_change=change)
