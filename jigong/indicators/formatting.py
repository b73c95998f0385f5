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
    return f"≥{value:,}{ind.unit}"


def show_share(share) -> str:
    """A part's share of the city's target, as "占全市目标 6.67%" ("—" when none)."""
    if share is None:
        return "—"
    pct = (Decimal(str(share)) * 100).quantize(Decimal("0.01"))
    if share and not pct:
        return _("占全市目标 <0.01%")
    return _("占全市目标 %(p)s%%") % {"p": pct}
