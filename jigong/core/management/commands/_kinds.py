"""Shared helpers of the import/export/template commands."""

from django.core.management.base import CommandError

from jigong.core.imports.base import kinds
from jigong.core.models import User


def kind_choices() -> list[str]:
    return sorted(kinds(), key=lambda k: (kinds()[k].order, k))


def kinds_help() -> str:
    return "；".join(f"{k}（{kinds()[k].label}）" for k in kind_choices())


def resolve_kind(key: str):
    registry = kinds()
    if key in registry:
        return registry[key]
    for k in registry.values():
        if k.label == key:
            return k
    raise CommandError(f"未知的数据类型“{key}”，可选：{kinds_help()}")


def resolve_user(username: str | None):
    if not username:
        return None
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"用户“{username}”不存在")
    return user
