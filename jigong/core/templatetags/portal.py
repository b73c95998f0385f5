"""Template helpers of the staff portal: Tabler form styling and masking."""

from django import forms, template
from django.utils.translation import gettext_lazy as _

from jigong.core import pii

register = template.Library()


CHOOSE = _("请选择")  # a form's select before a choice is made
ALL = _("全部")  # a filter's select: no filtering


def _placeholder(field, blank) -> None:
    """A select's empty choice reads ``blank`` (not Django's “---------”); a yes/no
    select reads blank/是/否 (not 未知/是/否)."""
    f, widget = field.field, field.field.widget
    if isinstance(widget, forms.NullBooleanSelect):
        widget.choices = [("unknown", blank), ("true", _("是")), ("false", _("否"))]
    elif isinstance(f, forms.ModelChoiceField):
        if f.empty_label is not None:
            f.empty_label = blank  # read by the field's choice iterator
    elif isinstance(widget, forms.Select) and not isinstance(widget, forms.SelectMultiple):
        # (django-filter's choice iterators still point at the declared field: listed)
        choices = list(widget.choices)
        if choices and choices[0][0] in ("", None) and not str(choices[0][1]).strip("- "):
            widget.choices = [("", blank), *choices[1:]]


@register.filter
def bs(field, purpose=""):
    """Render a bound form field with Tabler/Bootstrap classes; ``purpose`` "filter"
    for a list page's filters (an empty choice then reads 全部)."""
    _placeholder(field, ALL if purpose == "filter" else CHOOSE)
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.Select | forms.NullBooleanSelect) and not isinstance(
        widget, forms.RadioSelect
    ):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    if isinstance(widget, forms.MultiWidget):
        # a date range: style each sub-widget
        for sub in widget.widgets:
            sub.attrs["class"] = css
        return field.as_widget()
    return field.as_widget(attrs={"class": css})


# The masking filters are names for templates only; the rules are jigong.core.pii's.


@register.filter
def masked_name(value):
    return pii.mask_name(value)


@register.filter
def masked_id(value):
    return pii.mask_id(value)


@register.filter
def masked_ids_in(value):
    """Free text with every ID number in it (18 characters, or 15 digits) masked."""
    return pii.mask_text(value)
