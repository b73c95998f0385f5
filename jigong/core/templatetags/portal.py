"""Template helpers of the staff portal: Tabler form styling and masking."""

from django import forms, template

from jigong.core import pii

register = template.Library()


@register.filter
def bs(field):
    """Render a bound form field with Tabler/Bootstrap classes."""
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
def masked_ids_in(value):
    """Free text with every ID number in it (18 characters, or 15 digits) masked."""
    return pii.mask_text(value)
