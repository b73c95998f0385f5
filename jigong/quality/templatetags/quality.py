"""``{% quality_todo %}``: overdue supervision findings for whoever must act next."""

from django import template

from jigong.quality import selectors

register = template.Library()


@register.inclusion_tag("quality/_todo.html", takes_context=True)
def quality_todo(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"overdue": selectors.overdue_findings(user=user)}
