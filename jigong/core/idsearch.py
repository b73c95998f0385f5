"""Whole-ID-number searches by roles that see ID numbers masked.

The staff search box finds a sealed ID number only as a whole (its keyed hash). For a
role that sees numbers masked (the bureaus: ``viewsets.detail_masks``), each such search
answers "this masked number is that one", so tried one candidate at a time it undid the
mask (a district account recovered 5003**********2258 and the birth date in 391
searches). Such a user has a daily budget of whole-number searches
(``JIGONG_ID_SEARCH_PER_DAY``, default 20), counted per account and day in the shared
cache (every worker counts in the same place); each search within the budget, and the
first one over it, is written to the audit log with the number masked. Over the budget
an ID number matches nothing until the next day, and the page says so. The school sees
its students' numbers whole and searches without limit; part of a number matches
nothing for anyone (``ScopedFilterSet._term``).
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from jigong.core import pii
from jigong.standards import idcard

DEFAULT_PER_DAY = 20
PREFIX = "jg:idsearch"


def per_day() -> int:
    value = getattr(settings, "JIGONG_ID_SEARCH_PER_DAY", None)
    if value is None:
        value = os.environ.get("JIGONG_ID_SEARCH_PER_DAY", DEFAULT_PER_DAY)
    return max(0, int(value))


def limited(user) -> bool:
    """Whether the user sees ID numbers masked (and so has a budget)."""
    from jigong.core.viewsets import sees_full_id

    return user is not None and not sees_full_id(user)


def whole_number(value) -> str | None:
    """The search value as a whole ID number (18 characters), or None."""
    number = idcard.normalize(value or "")
    return number if len(number) == 18 else None


def _key(user) -> str:
    return f"{PREFIX}:{user.pk}:{timezone.localdate().isoformat()}"


def used(user) -> int:
    return int(cache.get(_key(user)) or 0)


def _count(user) -> int:
    key = _key(user)
    if cache.add(key, 1, timeout=2 * 86400):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.add(key, 1, timeout=2 * 86400)
        return 1


def spend(user, number: str) -> bool:
    """Count one whole-number search by ``user``; True if it may match. Audited (the
    number masked) within the budget and at the first refusal."""
    if not limited(user):
        return True
    n, limit = _count(user), per_day()
    if n <= limit + 1:
        id_search_record(actor=user, number=number, n=n, limit=limit)
    return n <= limit


def id_search_record(*, actor, number: str, n: int, limit: int):
    """The audit row of a whole-ID-number search (never the number in plain)."""
    from jigong.core import services
    from jigong.core.models import AuditLog

    params = {"id": pii.mask_id(number), "n": n, "limit": limit}
    if n <= limit:
        message = _("按完整身份证号搜索：%(id)s（今日第%(n)s次，每日上限%(limit)s次）") % params
    else:
        message = _("按完整身份证号搜索：%(id)s，已超过每日上限%(limit)s次，未予匹配") % params
    district = getattr(actor, "district_id", None)
    return services.audit(actor, AuditLog.Action.OTHER, None, message=message, district_id=district)


def notice(user, value) -> str:
    """What the list page says about a whole-number search by this user ("" if none)."""
    number = whole_number(value)
    if number is None or not limited(user):
        return ""
    n, limit = used(user), per_day()
    if n > limit:
        return _(
            "按完整身份证号搜索今日已达上限（%(limit)s次），本次未按身份证号匹配："
            "您看到的身份证号是遮蔽的，不能逐个试查完整号码。请按姓名等条件搜索，"
            "或明日再试；如需核对，请由学生所在学校查询。"
        ) % {"limit": limit}
    return _("按完整身份证号搜索（今日第%(n)s次，每日上限%(limit)s次），已记入操作日志。") % {
        "n": n,
        "limit": limit,
    }
