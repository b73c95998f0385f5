"""Indicator figures as text, shared by the dashboard, the API and `jigong targets`."""

from decimal import Decimal

from django.utils.translation import gettext as _

from jigong.policy.formatting import percent

NO_DATA_TEXT = "无数据"


def show_value(ind, value) -> str:
    if value is None:
        return _("无数据")
    if ind.is_ratio:
        return percent(value, fixed=True)
    return f"{value:,}"


def show_target(ind, value) -> str:
    if value is None:
        return "—"
    if ind.is_ratio:
        return f"≥{percent(value)}"
    cap = _upper_end(ind)
    if cap is not None:  # a range target: （十二）（二十） “3—5个”
        return f"{value:,}—{cap:,}{ind.unit}"
    return f"≥{value:,}{ind.unit}"


def _upper_end(ind):
    from django.utils import timezone

    from jigong.policy import rules

    if not ind.target or ind.target not in rules.TARGET_MAX:
        return None
    return rules.target_max(ind.target, timezone.localdate())


def show_share(share) -> str:
    """A part's share of the city's target, as "占全市目标 6.67%" ("—" when none)."""
    if share is None:
        return "—"
    pct = (Decimal(str(share)) * 100).quantize(Decimal("0.01"))
    if share and not pct:
        return _("占全市目标 <0.01%")
    return _("占全市目标 %(p)s%%") % {"p": pct}
