"""Pages of 晋级申请 (``upgrades``): the register (list, detail with the stated and
registered figures, timeline and review buttons), the school's create and edit forms,
and the tier history on the school's page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jigong.core.models import Role
from jigong.core.viewsets import Col
from jigong.workflows import models as m
from jigong.workflows import upgrades
from jigong.workflows.views import (
    DUE,
    STATE,
    WorkflowRegister,
    _edit_view,
    _form_page,
    _item_form,
    _school_or_403,
)

FIELDS = ["stated_students", "stated_teachers", "stated_majors", "summary"]

tier_upgrades = WorkflowRegister(
    model=m.TierUpgradeApplication,
    name="tier_upgrade",
    prefix="tier-upgrades",
    list_selector=upgrades.upgrade_list,
    get_selector=upgrades.upgrade_get,
    filterset_class=upgrades.TierUpgradeFilterSet,
    columns=[
        Col("school", link=True),
        "school__district",
        "from_tier",
        "to_tier",
        STATE,
        "effective_on",
        DUE,
    ],
    detail_fields=[
        "school",
        "school__district",
        "from_tier",
        "to_tier",
        "summary",
        STATE,
        "effective_on",
        DUE,
        "created_at",
    ],
    extra={
        "create": ("workflows:tier_upgrade_create", Role.SCHOOL, gettext_lazy("申请晋级")),
        "edit_url_name": "workflows:tier_upgrade_edit",
        "section": "workflows/_tier_upgrade.html",
        "context": lambda obj, user: {
            "figures": upgrades.register_figures(user=user, application=obj)
        },
    },
)


@login_required
def tier_upgrade_create(request):
    """The school's application for the tier above its own (the act refuses a 技师学院,
    a suspended school or a second open application, naming why)."""
    from jigong.core.choices import Tier

    school = _school_or_403(request.user)
    form = _item_form(m.TierUpgradeApplication, FIELDS)(request)
    target = upgrades.next_tier(school.tier)

    def save(data):
        item = upgrades.upgrade_apply(
            actor=request.user,
            school=school,
            documents=request.FILES.getlist("documents"),
            **data,
        )
        messages.success(request, _("已保存草稿，核对后请提交。"))
        return tier_upgrades.detail_url(item.pk)

    title = _("申请晋级：%(s)s（%(a)s → %(b)s）") % {
        "s": school,
        "a": school.get_tier_display(),
        "b": Tier(target).label if target else _("已是最高层次"),
    }
    return _form_page(
        request,
        title=title,
        form=form,
        register=tier_upgrades,
        cancel_url=tier_upgrades.list_url(),
        save=save,
        documents=True,
    )


tier_upgrade_edit = _edit_view(
    m.TierUpgradeApplication,
    FIELDS,
    tier_upgrades,
    upgrades.upgrade_get,
    upgrades.upgrade_update,
    "application",
)
