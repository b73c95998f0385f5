from django.utils.translation import gettext as _

from jigong.core.models import Role
from jigong.core.navigation import menu_for


def scope_label(user) -> str:
    """What the user's data scope is, in words: 全市 / a district / a school."""
    if user.is_superuser or user.role == Role.MUNICIPAL:
        return _("全市")
    if user.role == Role.DISTRICT:
        return str(user.district) if user.district_id else _("未指定区县")
    if user.role == Role.SCHOOL:
        return str(user.school) if user.school_id else _("未指定学校")
    if user.role == Role.DEPARTMENT:
        return _("证书核验接口")
    return _("本人记录")


def portal(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_menu": [], "portal_role": "", "portal_scope": ""}
    menu = menu_for(user)
    path = request.path
    for group in menu:
        for item in group["items"]:
            item["active"] = path.startswith(item["url"])
            group["active"] = group.get("active") or item["active"]
    return {
        "nav_menu": menu,
        "portal_role": _("系统管理员") if user.is_superuser else user.get_role_display(),
        "portal_scope": scope_label(user),
    }
