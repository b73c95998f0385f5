"""Indicator figures as text, shared by the dashboard, the API and `jigong targets`."""

from decimal import Decimal

from django.utils.translation import gettext as _

NO_DATA_TEXT = "无数据"


def show_value(ind, value) -> str:
    if value is None:
        return _("无数据")
    if ind.is_ratio:
        return f"{Decimal(str(value)) * 100:.2f}%"
    return f"{value:,}"


def show_target(ind, value) -> str:
    if value is None:
        return "—"
    if ind.is_ratio:
        pct = format((Decimal(str(value)) * 100).normalize(), "f")
        return f"≥{pct}%"
    return f"≥{value:,}{ind.unit}"
