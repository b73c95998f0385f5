"""The one restriction mechanism: every read starts from `restrict(user, action)`.

Each scoped model declares an inner ``Scope`` class:

    school    lookup path from the model to a School's id ("pk" on School itself)
    district  lookup path to a District's id
    shared    actions every staff role may perform city-wide (reference data, enterprises)
    roles     action -> roles allowed to perform it at all (default: DEFAULT_ROLES)
    multi     True when a path crosses a to-many relation (deduplicated by subquery)

A municipal user acts city-wide, a district user within its district, a school user
within its school. Everyone else (department clients, graduates, the public) reaches
registers only through the dedicated public selectors.
"""

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from jigong.core.models import Role

STAFF_ROLES = frozenset({Role.MUNICIPAL, Role.DISTRICT, Role.SCHOOL})
DEFAULT_ROLES = {
    "view": STAFF_ROLES,
    "add": STAFF_ROLES,
    "change": STAFF_ROLES,
    "delete": frozenset({Role.MUNICIPAL}),
}
ACTIONS = frozenset(DEFAULT_ROLES)


def _scope(model: type[Model]):
    scope = getattr(model, "Scope", None)
    if scope is None:
        raise ImproperlyConfigured(f"{model.__name__} declares no Scope")
    return scope


def _paths(value) -> tuple[str, ...]:
    if not value:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def role_may(user, model: type[Model], action: str) -> bool:
    """Whether the user's role may perform the action on this kind of record at all."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    roles = getattr(_scope(model), "roles", DEFAULT_ROLES)
    return user.role in roles.get(action, DEFAULT_ROLES[action])


def scope_filter(user, model: type[Model], action: str) -> Q | None:
    """The Q a queryset must satisfy for this user and action; None means no rows at all."""
    if not role_may(user, model, action):
        return None
    scope = _scope(model)
    if user.is_superuser or user.role == Role.MUNICIPAL:
        return Q()
    if action in getattr(scope, "shared", ()):
        return Q()
    if user.role == Role.DISTRICT and user.district_id:
        paths, value = _paths(getattr(scope, "district", None)), user.district_id
    elif user.role == Role.SCHOOL and user.school_id:
        paths, value = _paths(getattr(scope, "school", None)), user.school_id
    else:
        return None
    if not paths:
        return None
    q = Q()
    for path in paths:
        q |= Q(**{path: value})
    return q


def restrict_queryset(qs: QuerySet, user, action: str = "view") -> QuerySet:
    q = scope_filter(user, qs.model, action)
    if q is None:
        return qs.none()
    if not q:
        return qs
    if getattr(_scope(qs.model), "multi", False):
        return qs.filter(pk__in=qs.model._base_manager.filter(q).values("pk"))
    return qs.filter(q)


def restrict(user, model: type[Model], action: str = "view") -> QuerySet:
    """Entry point for selectors: the model's rows this user may `action`."""
    return restrict_queryset(model._default_manager.all(), user, action)


def _resolve(obj: Model, path: str):
    if path == "pk":
        return obj.pk
    parts = path.split("__")
    target = obj
    for part in parts[:-1]:
        target = getattr(target, part, None)
        if target is None:
            return None
    last = parts[-1]
    if last == "pk" or last == "id":
        return target.pk
    return getattr(target, f"{last}_id", getattr(target, last, None))


def may(user, action: str, obj: Model) -> bool:
    """Whether the user may perform the action on this (possibly unsaved) object."""
    q = scope_filter(user, type(obj), action)
    if q is None:
        return False
    if not q:
        return True
    scope = _scope(type(obj))
    if user.role == Role.DISTRICT:
        paths, value = _paths(getattr(scope, "district", None)), user.district_id
    else:
        paths, value = _paths(getattr(scope, "school", None)), user.school_id
    if getattr(scope, "multi", False) and obj.pk:
        return restrict_queryset(type(obj)._base_manager.filter(pk=obj.pk), user, action).exists()
    return any(_resolve(obj, p) == value for p in paths)


def ensure(user, action: str, obj: Model) -> None:
    if not may(user, action, obj):
        raise PermissionDenied(
            _("无权对“%(obj)s”执行此操作：超出您的数据范围。") % {"obj": obj._meta.verbose_name}
        )
