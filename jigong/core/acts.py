"""Acts: every change of state is one named act, whichever door it comes through.

An act is a service function (in its app's ``services.py``) registered with ``@act``:

    @act("school.suspend_enrolment", label=_("暂停招生"), roles=BUREAUS, model="schools.school",
         clause="（九）（二十一）", reason=True, channels=("page",))
    def school_suspend_enrolment(*, actor, school, reason: str) -> School: ...

Its arguments are keyword-only and named (never ``**fields``). Calling it:

1. who: the actor's role must be among the act's ``roles`` (``None`` is the system:
   demo, migrations, scheduled jobs); a superuser may perform every act. The function
   then checks the target's scope before and after (``core.services`` does that for
   every create/update/delete it makes);
2. the policy rules in force on the act's date (``jigong.policy``), inside the function;
3. the writes, in one transaction, each audit row naming the act (``AuditLog.act``), with
   the reason when the act requires one.

Fields that belong to a procedure (a school's tier, district and 办学状态; a person's
name, sex and birth date once a certificate exists) are changed only by the acts that
own them: a model declares them with ``procedure_fields`` (a dict, or a method for
fields that become procedural later) mapping a field to the act codes allowed to change
it, and ``core.services.update`` refuses any other change naming the act to use.

The registry (``REGISTRY``) is the one list of acts: the permission matrix, the audit
log's filter, the cross-channel tests and the table in docs/architecture.md read it.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from jigong.core.models import Duty, Role

ALL_STAFF = frozenset({Role.MUNICIPAL, Role.DISTRICT, Role.SCHOOL})
BUREAUS = frozenset({Role.MUNICIPAL, Role.DISTRICT})
MUNICIPAL = frozenset({Role.MUNICIPAL})
SCHOOL = frozenset({Role.SCHOOL})
CHANNELS = frozenset({"page", "import", "api", "cli", "admin", "batch"})


@dataclass(frozen=True)
class Act:
    code: str
    label: str | Promise
    roles: frozenset[str]
    model: str  # "app_label.model" of the act's target
    func: Callable = field(compare=False, repr=False)
    clause: str = ""
    reason: bool = False
    channels: frozenset[str] = frozenset({"page"})
    event: str = "update"  # the audit event its main row records
    # the act decides who may touch its record itself (a graduate's own code, say)
    own_scope: bool = False
    # performed by the public with no account (actor None): a proof or a link is the
    # authority, which the act checks itself (a graduate's registration, say)
    anonymous: bool = False
    # the duty (core.models.Duty) an account of a role holding that duty needs: a school
    # clerk without 证书 may not perform a certificate act; "" needs none
    duty: str = ""

    @property
    def roles_label(self) -> str:
        names = [str(Role(r).label) for r in Role.values if r in self.roles]
        if self.anonymous:
            return str(_("公众（凭本人身份核验）"))
        return "、".join(names) or str(_("仅系统"))

    @property
    def duty_label(self) -> str:
        return str(Duty(self.duty).label) if self.duty else ""


REGISTRY: dict[str, Act] = {}
_running: contextvars.ContextVar[tuple[Act, ...]] = contextvars.ContextVar(
    "jigong_acts", default=()
)


def current() -> Act | None:
    """The innermost act running in this context, or None."""
    stack = _running.get()
    return stack[-1] if stack else None


def running_codes() -> frozenset[str]:
    return frozenset(a.code for a in _running.get())


def get(code: str) -> Act:
    try:
        return REGISTRY[code]
    except KeyError:
        raise ImproperlyConfigured(f"no act {code!r}") from None


def acts() -> list[Act]:
    """Every registered act (apps register theirs when their services module loads)."""
    autodiscover()
    return sorted(REGISTRY.values(), key=lambda a: a.code)


_discovered = False


def autodiscover() -> None:
    """Import every app's services module, once the apps are ready (once a process:
    every page's menu asks for the acts)."""
    global _discovered
    from django.apps import apps as django_apps
    from django.utils.module_loading import autodiscover_modules

    if not _discovered and django_apps.ready:
        autodiscover_modules("services")
        _discovered = True


def role_may(actor, spec: Act | str) -> bool:
    """Whether the actor's role may perform the act at all (a door asks this before it
    offers the act: a button, a form, an import kind)."""
    if isinstance(spec, str):
        spec = get(spec)
    if actor is None or getattr(actor, "is_superuser", False):
        return True
    return bool(
        actor.is_authenticated
        and actor.is_active
        and actor.role in spec.roles
        and duty_held(actor, spec)
    )


def duty_held(actor, spec: Act) -> bool:
    """Whether the actor holds the act's duty (always, when the act needs none or the
    duty is not one of the actor's role)."""
    has = getattr(actor, "has_duty", None)
    return not spec.duty or has is None or has(spec.duty)


def ensure_role(actor, spec: Act | str) -> None:
    """Refuse an actor whose role may not perform the act at all, or who lacks its duty."""
    if isinstance(spec, str):
        spec = get(spec)
    if role_may(actor, spec):
        return
    if actor is not None and actor.is_authenticated and actor.role in spec.roles:
        if _running.get() and actor.is_active:
            return  # a step of the act running: its duty was the outer act's to ask
        if not duty_held(actor, spec):
            raise PermissionDenied(
                _("无权办理“%(act)s”：须具有“%(duty)s”职责，请联系本单位管理员。")
                % {"act": spec.label, "duty": Duty(spec.duty).label}
            )
    raise PermissionDenied(
        _("无权办理“%(act)s”：该事项由%(who)s办理。") % {"act": spec.label, "who": spec.roles_label}
    )


def clean_reason(reason, spec: Act) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("办理“%(act)s”须填写原因") % {"act": spec.label}]})
    if "\x00" in reason:
        raise ValidationError({"reason": [_("原因含有空字符（\\x00），请删除后重试")]})
    return reason


def act(
    code: str,
    *,
    label,
    roles: Iterable[str],
    model: str,
    clause: str = "",
    reason: bool = False,
    channels: Iterable[str] = ("page",),
    event: str = "update",
    own_scope: bool = False,
    anonymous: bool = False,
    duty: str = "",
):
    """Register a service function as the act ``code`` (see the module docstring)."""
    channels = frozenset(channels)
    if duty and duty not in Duty.values:
        raise ImproperlyConfigured(f"act {code}: unknown duty {duty!r}")
    if not channels <= CHANNELS:
        raise ImproperlyConfigured(f"act {code}: unknown channels {sorted(channels - CHANNELS)}")

    def register(func):
        params = inspect.signature(func).parameters
        bad = [
            n
            for n, p in params.items()
            if p.kind is not inspect.Parameter.KEYWORD_ONLY
            or p.kind is inspect.Parameter.VAR_KEYWORD
        ]
        if bad:
            raise ImproperlyConfigured(f"act {code}: arguments must be keyword-only: {bad}")
        if "actor" not in params:
            raise ImproperlyConfigured(f"act {code}: takes no actor")
        if reason and "reason" not in params:
            raise ImproperlyConfigured(f"act {code}: requires a reason but takes none")
        spec = Act(
            code=code,
            label=label,
            roles=frozenset(roles),
            model=model,
            func=func,
            clause=clause,
            reason=reason,
            channels=channels,
            event=event,
            own_scope=own_scope,
            anonymous=anonymous,
            duty=duty,
        )
        if code_taken(spec):
            raise ImproperlyConfigured(f"act {code} registered twice")

        @functools.wraps(func)
        def run(**kwargs):
            with performing(spec, kwargs.get("actor")):
                _scope_first(spec, kwargs)
                if spec.reason:
                    kwargs["reason"] = clean_reason(kwargs.get("reason"), spec)
                return func(**kwargs)

        run.act = spec
        REGISTRY[code] = spec
        return run

    return register


def _scope_first(spec: Act, kwargs: dict) -> None:
    """An act that changes an existing record checks the actor's scope over it before
    any rule of its own: another school's record is out of scope, whatever its values
    (the order of the module docstring), on every door alike."""
    actor = kwargs.get("actor")
    if spec.event != "update" or spec.own_scope or actor is None:
        return
    from jigong.core.permissions import ensure

    label = spec.model.lower()
    for value in kwargs.values():
        meta = getattr(value, "_meta", None)
        if meta is not None and meta.label_lower == label and value.pk is not None:
            ensure(actor, "change", value)


def register(spec: Act) -> Act:
    """Register an act declared as data (a workflow's transitions, say)."""
    if code_taken(spec):
        raise ImproperlyConfigured(f"act {spec.code} registered twice")
    REGISTRY[spec.code] = spec
    return spec


def code_taken(spec: Act) -> bool:
    old = REGISTRY.get(spec.code)
    return old is not None and old.func.__qualname__ != spec.func.__qualname__


@contextlib.contextmanager
def performing(spec: Act | str, actor):
    """Run the body as the act: its role check first, then one transaction in which
    every audit row names the act."""
    if isinstance(spec, str):
        spec = get(spec)
    ensure_role(actor, spec)
    token = _running.set((*_running.get(), spec))
    try:
        with transaction.atomic():
            yield spec
    finally:
        _running.reset(token)


def step_of(*codes: str):
    """Mark a writing helper that is a step of other acts (the status change behind
    暂停招生 and 恢复招生, the person behind 学籍注册): it runs only inside one of them, so
    its writes carry that act's code, role check and audit; called outside, it fails."""

    def mark(func):
        @functools.wraps(func)
        def run(*args, **kwargs):
            if not running_codes() & set(codes):
                raise ImproperlyConfigured(
                    f"{func.__qualname__} runs only inside the acts {sorted(codes)}"
                )
            return func(*args, **kwargs)

        run.step_of = codes
        return run

    return mark


def procedure_fields(obj) -> dict[str, tuple[str, ...]]:
    """{field name → codes of the acts that may change it} for this record."""
    declared = getattr(type(obj), "procedure_fields", None)
    if declared is None:
        return {}
    found = declared(obj) if callable(declared) else declared
    return {k: (v,) if isinstance(v, str) else tuple(v) for k, v in found.items()}


def procedure_errors(obj, names: Iterable[str]) -> dict[str, list[str]]:
    """The fields among ``names`` that only another act may change, with the message
    naming that act; empty when the running act owns them (or none is procedural)."""
    owned = procedure_fields(obj)
    if not owned:
        return {}
    running = running_codes()
    errors: dict[str, list[str]] = {}
    for name in names:
        allowed = owned.get(name)
        if not allowed or running & set(allowed):
            continue
        labels = "”或“".join(str(REGISTRY[c].label) if c in REGISTRY else c for c in allowed)
        errors[name] = [
            _("“%(f)s”只能通过“%(act)s”办理，不能在此直接修改")
            % {"f": type(obj)._meta.get_field(name).verbose_name, "act": labels}
        ]
    return errors


class Unset:
    """Default of an act's optional field arguments: “not given, leave as it is”."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET = Unset()


def given(**values) -> dict:
    """The keyword arguments that were given (not UNSET): an act's field changes."""
    return {k: v for k, v in values.items() if v is not UNSET}
