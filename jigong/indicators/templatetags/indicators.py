"""Formatting of indicator figures: percentages, counts with units, 无数据."""

from django import template

from jigong.indicators.formatting import show_target, show_value

register = template.Library()


@register.filter
def figure(value, ind):
    """An indicator value as text (98.25%, 150,594), or 无数据."""
    return show_value(ind, value)


@register.filter
def target_text(value, ind):
    return show_target(ind, value)


@register.filter
def thousands(value):
    return "—" if value is None else f"{value:,}"
