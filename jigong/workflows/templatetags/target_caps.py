"""``{% target_caps as caps %}``: what is left of each cap of a range target, for the
municipal bureau (empty for the other roles)."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def target_caps(context):
    from jigong.workflows import registers

    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    return registers.caps(user=request.user)
