"""The registers behind the targets of （四）（十七）（二十）: teacher training bases and the
digital-resources title (``BaseDesignation``, the municipal bureau's), and textbooks
(``Textbook``: 规划教材 the city's, 校本教材 a school's own).

Reads start from ``restrict()``; every change is an act. The upper end of （二十）'s
“建设3—5个市级一体化师资研修基地” is a cap on the current ones
(``rules.check_base_cap``), checked with the register locked.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jigong.core import services as core
from jigong.core.acts import MUNICIPAL, act, clean_reason, get
from jigong.core.filters import filtered
from jigong.core.models import Role
from jigong.core.permissions import ensure
from jigong.policy import rules
from jigong.workflows import filters as F
from jigong.workflows.models import BaseDesignation, BaseKind, BaseLevel, Textbook, TextbookKind


def _policy(fn, *args):
    try:
        return fn(*args)
    except rules.PolicyViolation as exc:
        raise ValidationError({exc.field: [exc.message]}) from exc


def _current(qs, on: datetime.date):
    return qs.filter(designated_on__lte=on).filter(
        Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on)
    )


# --- reads ---------------------------------------------------------------------------


def base_list(*, user, filters=None):
    qs = BaseDesignation.objects.restrict(user, "view").select_related("school__district")
    return filtered(qs, F.BaseDesignationFilterSet, user=user, filters=filters)


def base_get(*, user, pk, action="view"):
    return (
        BaseDesignation.objects.restrict(user, action).select_related("school__district").get(pk=pk)
    )


def textbook_list(*, user, filters=None):
    qs = Textbook.objects.restrict(user, "view").select_related("school__district", "major")
    return filtered(qs, F.TextbookFilterSet, user=user, filters=filters)


def textbook_get(*, user, pk, action="view"):
    return (
        Textbook.objects.restrict(user, action)
        .select_related("school__district", "major")
        .get(pk=pk)
    )


def caps(*, user, on: datetime.date | None = None) -> list[dict]:
    """What is left of each cap of a range target on ``on`` (today): city-wide counts,
    shown to the municipal bureau only (a part of the city is not judged against them)."""
    from jigong.cooperation.models import Alliance

    if not (user.is_superuser or user.role == Role.MUNICIPAL):
        return []
    on = on or timezone.localdate()
    out = []
    for (kind, level), indicator in rules.BASE_TARGETS.items():
        cap = rules.base_cap(kind, level, on)
        if cap is None:
            continue
        count = _current(BaseDesignation.objects.filter(kind=kind, level=level), on).count()
        out.append(_cap_row(indicator, count, cap))
    period = rules.alliance_period(on)
    if period is not None:
        count = Alliance.objects.filter(founded_on__range=(period["start"], period["end"])).count()
        out.append(_cap_row("alliances", count, rules.target_max("alliances", on)))
    return out


def _cap_row(indicator: str, count: int, cap) -> dict:
    cap = int(cap)
    return {
        "code": indicator,
        "label": rules.TARGET_LABELS[indicator],
        "count": count,
        "cap": cap,
        "remaining": max(cap - count, 0),
    }


# --- writes: bases and titles ----------------------------------------------------------


@act(
    "base_designation.record",
    label=_lazy("登记研修基地或优秀院校认定"),
    roles=MUNICIPAL,
    model="workflows.basedesignation",
    clause="（四）（十七）（二十）",
    channels=("page",),
    event="create",
)
def base_record(
    *,
    actor,
    kind: str,
    level: str,
    school,
    designated_on: datetime.date,
    document_no: str,
    name: str = "",
) -> BaseDesignation:
    """A base or title designated for a host school: a national one from the
    ministry's document, a municipal one by the bureau; a current 市级一体化基地 beyond
    （二十）'s upper end is refused."""
    probe = BaseDesignation(
        kind=kind, level=level, school=school, designated_on=designated_on, name=name
    )
    ensure(actor, "add", probe)
    if kind not in BaseKind.values:
        raise ValidationError({"kind": [_("类别“%(k)s”无效") % {"k": kind}]})
    if level not in BaseLevel.values:
        raise ValidationError({"level": [_("级别“%(l)s”无效") % {"l": level}]})
    if not (document_no or "").strip():
        raise ValidationError({"document_no": [_("须填写认定文号")]})
    with transaction.atomic():
        # one designation at a time: the count below stays true until the row is written
        list(BaseDesignation.objects.select_for_update().filter(kind=kind, level=level))
        if isinstance(designated_on, datetime.date):
            current = _current(
                BaseDesignation.objects.filter(kind=kind, level=level), designated_on
            ).count()
            _policy(rules.check_base_cap, kind, level, current, designated_on)
        return core.create(
            actor,
            BaseDesignation,
            kind=kind,
            level=level,
            school=school,
            name=name,
            designated_on=designated_on,
            document_no=document_no.strip(),
        )


def _withdraw(actor, obj, code: str, withdrawn_on, reason):
    reason = clean_reason(reason, get(code))
    if obj.withdrawn_on is not None:
        raise ValidationError(
            {"withdrawn_on": [_("“%(o)s”已于%(d)s撤销") % {"o": obj, "d": obj.withdrawn_on}]}
        )
    with transaction.atomic():
        row = type(obj).objects.select_for_update().get(pk=obj.pk)
        return core.update(
            actor,
            row,
            withdrawn_on=withdrawn_on,
            withdrawn_reason=reason[:255],
            audit_message=_("原因：%(r)s") % {"r": reason},
        )


@act(
    "base_designation.withdraw",
    label=_lazy("撤销研修基地或优秀院校认定"),
    roles=MUNICIPAL,
    model="workflows.basedesignation",
    clause="（四）（十七）（二十）",
    reason=True,
    channels=("page",),
)
def base_withdraw(
    *, actor, designation: BaseDesignation, withdrawn_on: datetime.date, reason: str
) -> BaseDesignation:
    """Withdraw a designation from a date (it is no longer current from that day)."""
    ensure(actor, "change", designation)
    return _withdraw(actor, designation, "base_designation.withdraw", withdrawn_on, reason)


# --- writes: textbooks -------------------------------------------------------------------


def _textbook_role_check(actor, kind: str) -> None:
    """规划教材 are the city's; a school records its own 校本教材 only."""
    if actor is None or actor.is_superuser or actor.role == Role.MUNICIPAL:
        return
    if kind == TextbookKind.PLANNED:
        raise ValidationError(
            {"kind": [_("规划教材由市人社局开发、遴选后登记（（十七））；学校登记本校的校本教材")]}
        )


@act(
    "textbook.record",
    label=_lazy("登记教材"),
    roles=frozenset({Role.MUNICIPAL, Role.SCHOOL}),
    model="workflows.textbook",
    clause="（十七）",
    channels=("page",),
    event="create",
)
def textbook_record(
    *,
    actor,
    kind: str,
    title: str,
    approved_on: datetime.date,
    school=None,
    major=None,
    publisher: str = "",
    isbn: str = "",
) -> Textbook:
    """A 规划教材 (the municipal bureau; lead school optional) or a school's 校本教材."""
    if kind not in TextbookKind.values:
        raise ValidationError({"kind": [_("教材类别“%(k)s”无效") % {"k": kind}]})
    _textbook_role_check(actor, kind)
    if actor is not None and school is not None:
        ensure(actor, "add", Textbook(kind=kind, title=title, school=school))
    elif actor is not None and actor.role == Role.SCHOOL:
        school = actor.school
    return core.create(
        actor,
        Textbook,
        kind=kind,
        title=title,
        school=school,
        major=major,
        approved_on=approved_on,
        publisher=publisher,
        isbn=isbn,
    )


@act(
    "textbook.withdraw",
    label=_lazy("停用教材"),
    roles=frozenset({Role.MUNICIPAL, Role.SCHOOL}),
    model="workflows.textbook",
    clause="（十七）",
    reason=True,
    channels=("page",),
)
def textbook_withdraw(
    *, actor, textbook: Textbook, withdrawn_on: datetime.date, reason: str
) -> Textbook:
    """Withdraw a textbook from a date: a school its own 校本教材, the city any."""
    ensure(actor, "change", textbook)
    school_actor = actor is not None and not actor.is_superuser and actor.role == Role.SCHOOL
    if school_actor and textbook.kind != TextbookKind.SCHOOL:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("规划教材由市人社局停用：学校只能停用本校的校本教材。"))
    return _withdraw(actor, textbook, "textbook.withdraw", withdrawn_on, reason)


# --- export --------------------------------------------------------------------------------


def export_xlsx(rows, columns: list[tuple[str, object]], sheet_name: str) -> bytes:
    """The listed rows as .xlsx (the register's filters applied by the caller)."""
    import io

    import xlsxwriter

    from jigong.core.cells import neutralise, xlsx_options

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, xlsx_options(in_memory=True))
    sheet = book.add_worksheet(sheet_name)
    sheet.write_row(0, 0, [str(h) for h, _fn in columns], book.add_format({"bold": True}))
    for i, obj in enumerate(rows, 1):
        for j, (_h, fn) in enumerate(columns):
            value = fn(obj)
            sheet.write_string(i, j, neutralise("" if value is None else str(value)))
    sheet.set_column(0, len(columns) - 1, 18)
    book.close()
    return buf.getvalue()
