"""``{% transfer_todo %}``: 转学 cases waiting for a decision, in the user's scope."""

from django import template

from jigong.students import selectors, services

register = template.Library()


@register.inclusion_tag("students/_transfer_todo.html", takes_context=True)
def transfer_todo(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if (
        user is None
        or not user.is_authenticated
        or user.role not in ("municipal", "district", "school")
    ):
        return {"rows": []}
    rows = [
        {"transfer": t, "mine": services.may_decide(user, t) is None}
        for t in selectors.pending_transfers(user=user)
    ]
    return {"rows": rows}
