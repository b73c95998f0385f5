"""``{% workflow_todo %}``: the to-do list of whoever must act next, for a home page."""

from django import template

from jigong.workflows import selectors

register = template.Library()


@register.inclusion_tag("workflows/_todo.html", takes_context=True)
def workflow_todo(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"todo": selectors.todo(user=user)}
