"""Declarative register pages (the NetBox habit).

Each register (schools, 学籍, certificates …) is one `Register`: its model, its
selectors, its FilterSet, the columns of its list page and the fields of its detail
page. Two generic views render every register; no register has its own copy.

    Register(
        model=School, name="school",
        list_selector=selectors.school_list, get_selector=selectors.school_get,
        filterset_class=filters.SchoolFilterSet,
        columns=[Col("code", link=True), "name", "tier", "district"],
    )

`register.urls()` gives `<prefix>/` (list) and `<prefix>/<pk>/` (detail). Reads go
through the register's selectors, which start from `restrict(user, "view")`; a row
outside the user's scope answers 404 on its detail page, never 403.

Personal information follows docs/architecture.md (“Personal information: who sees
what”): list pages mask ID numbers and birth dates for every role, and names for all
but the school (its lists hold only its own people: `list_masks`); detail pages
show them in full to the school (whose scope is the row's own school) and mask ID
numbers and birth dates for the bureaus. A column whose path ends in ``id_number`` or
``birth_date`` is masked without being told; ``Col(mask="name")`` marks names. The masks
themselves are `jigong.core.pii`'s (``pii.MASKS``).
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.core.exceptions import (
    FieldDoesNotExist,
    ObjectDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from jigong.core import idsearch, pii
from jigong.core.import_views import list_export_url
from jigong.core.permissions import may, role_may

PAGE_SIZE = 25
EMPTY = "—"


# --- masking (the rules: jigong.core.pii) -------------------------------------------

LIST_MASKS = frozenset(pii.MASKS)  # list pages of the bureaus: names, IDs, birth dates
SCHOOL_LIST_MASKS = frozenset({"id", "birth"})  # a school's lists: its own students' names
BUREAU_MASKS = frozenset({"id", "birth"})  # detail pages of the bureaus


def list_masks(user) -> frozenset[str]:
    """What a list page hides from this user: ID numbers and birth dates from everyone;
    names too, except from the school, whose lists hold only its own people (two 丁*裕
    of one class could not be told apart)."""
    from jigong.core.models import Role

    if user.role == Role.SCHOOL and not user.is_superuser:
        return SCHOOL_LIST_MASKS
    return LIST_MASKS


def detail_masks(user) -> frozenset[str]:
    """What a detail page (and its related tables) hides from this user. The school that
    keeps the record sees it whole; the bureaus see names but not ID numbers or birth
    dates; nobody else reaches a register."""
    from jigong.core.models import Role

    if user.is_superuser or user.role == Role.SCHOOL:
        return frozenset()
    return BUREAU_MASKS


def sees_full_id(user) -> bool:
    """Whether exports give this user full ID numbers (None: the operator's CLI)."""
    return user is None or not detail_masks(user)


# --- columns ---------------------------------------------------------------------


@dataclass(frozen=True)
class Col:
    """One column of a list page or one line of a detail page.

    path    attribute path from the row, "__"-separated ("registration__person__name");
            a model field with choices shows its label, a boolean 是/否
    label   heading; default: the verbose name of the field the path ends at
    mask    "name", "id" or "birth" (inferred for paths ending in id_number/birth_date):
            masked on list pages for everyone, on detail pages per `detail_masks`
    link    link the cell to the row's detail page
    render  callable(obj) -> value, instead of following the path
    """

    path: str
    label: str | None = None
    mask: str | None = None
    link: bool = False
    render: Callable | None = None

    def heading(self, model: type[models.Model]) -> str:
        if self.label:
            return str(self.label)
        f = field_at(model, self.path)
        return str(f.verbose_name) if f is not None else self.path

    @property
    def mask_kind(self) -> str | None:
        if self.mask:
            return self.mask
        last = self.path.rsplit("__", 1)[-1]
        if last.endswith("id_number"):
            return "id"
        if last == "birth_date":
            return "birth"
        return None

    def value(self, obj, *, masked: bool | frozenset = False):
        """The cell's value; ``masked`` is True (list page: every mask), False (none) or
        the set of mask kinds to apply (`detail_masks`)."""
        value = self.render(obj) if self.render else value_at(obj, self.path)
        kinds = LIST_MASKS if masked is True else (masked or ())
        kind = self.mask_kind
        if kind in kinds and value not in (None, ""):
            value = pii.MASKS[kind](value)
        return value


def as_col(c: Col | str) -> Col:
    return c if isinstance(c, Col) else Col(c)


def field_at(model: type[models.Model], path: str):
    """The model field a "__" path ends at, or None."""
    f = None
    for part in path.split("__"):
        if model is None:
            return None
        try:
            f = model._meta.get_field(part)
        except FieldDoesNotExist:
            sealed = getattr(model, "pii_fields", {}).get(part)  # a sealed ID number
            return model._meta.get_field(sealed.hmac) if sealed else None
        model = f.related_model if f.is_relation else None
    return f


def value_at(obj, path: str):
    """Follow the path; a choice field gives its label, a callable is called."""
    parts = path.split("__")
    target = obj
    for part in parts[:-1]:
        target = getattr(target, part, None)
        if target is None:
            return None
    last = parts[-1]
    display = getattr(target, f"get_{last}_display", None)
    if callable(display):
        return display()
    value = getattr(target, last, None)
    if callable(value) and not isinstance(value, models.Manager):
        value = value()
    return value


def show(value) -> str:
    """A cell value as text (Chinese booleans, local dates, empty as —)."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return date_format(value, "Y-m-d H:i")
    if isinstance(value, datetime.date):
        return date_format(value, "Y-m-d")
    if isinstance(value, decimal.Decimal | float):
        return number_format(value)
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value) or EMPTY
    return str(value)


# --- the register ---------------------------------------------------------------


@dataclass
class Related:
    """A table on the detail page: rows related to the object, restricted to the user."""

    title: str
    rows: Callable  # (obj, user) -> iterable, starting from restrict()
    columns: Sequence[Col | str]
    register: str | None = None  # name of the register the rows link to


@dataclass
class Register:
    model: type[models.Model]
    name: str  # URL name stem: "<name>_list", "<name>_detail"
    prefix: str  # URL path: "schools" -> /schools/, /schools/<pk>/
    list_selector: Callable  # (*, user, filters) -> QuerySet
    get_selector: Callable  # (*, user, pk) -> object, DoesNotExist if out of scope
    columns: Sequence[Col | str]
    filterset_class: type | None = None
    detail_fields: Sequence[Col | str] | None = None
    related: Sequence[Related] = ()
    edit_url_name: str | None = None  # shown on the detail page when may(user, "change")
    # (label, url name taking pk[, roles]) on the detail page, shown when may(user,
    # "change") and, if roles are given, the user's role is one of them
    actions: Sequence[tuple] = ()
    # (label, url name, action) on the list page, shown when the role may do `action`
    list_actions: Sequence[tuple[str, str, str]] = ()
    title: str | None = None
    namespace: str = ""
    paginate_by: int = PAGE_SIZE
    extra: dict = field(default_factory=dict)
    list_template: str = "portal/list.html"  # a template extending it may add page actions

    @property
    def verbose_name(self) -> str:
        return str(self.title or self.model._meta.verbose_name_plural)

    def url_name(self, kind: str) -> str:
        stem = f"{self.name}_{kind}"
        return f"{self.namespace}:{stem}" if self.namespace else stem

    def list_url(self) -> str:
        return reverse(self.url_name("list"))

    def detail_url(self, pk) -> str:
        return reverse(self.url_name("detail"), args=[pk])

    def urls(self, namespace: str = "") -> list:
        self.namespace = namespace
        REGISTERS[self.model._meta.label] = self
        return [
            path(f"{self.prefix}/", RegisterListView(self).as_view(), name=f"{self.name}_list"),
            path(
                f"{self.prefix}/<int:pk>/",
                self.detail_view().as_view(),
                name=f"{self.name}_detail",
            ),
        ]

    def detail_view(self):
        """The view of the detail page; a kind of register may have its own."""
        return RegisterDetailView(self)

    def add_related(self, *related: Related) -> None:
        """Tables that a higher-layer app adds to this register's detail page (the schools
        of a district, a student's certificates), from that app's views module: the lower
        app does not import the higher one (docs/architecture.md, "Layers")."""
        self.related = [*self.related, *related]


# Every register by model label, filled as the URLconf loads.
REGISTERS: dict[str, Register] = {}


def register_for(model) -> Register | None:
    return REGISTERS.get(model._meta.label)


class _RegisterView:
    """One generic view bound to one register; `as_view()` gives the URL callback."""

    def __init__(self, register: Register):
        self.register = register

    def as_view(self):
        def view(request, *args, **kwargs):
            return self.handle(request, *args, **kwargs)

        view.__name__ = view.__qualname__ = f"{type(self).__name__}_{self.register.name}"
        view.__module__ = self.register.model.__module__.replace(".models", ".views")
        return login_required(view)


class RegisterListView(_RegisterView):
    def handle(self, request):
        reg = self.register
        user = request.user
        if not role_may(user, reg.model, "view"):
            raise PermissionDenied(_("您的角色无权查看“%(r)s”。") % {"r": reg.verbose_name})
        qs = reg.list_selector(user=user, filters=request.GET)
        filterset = (
            reg.filterset_class(request.GET or None, queryset=qs.none(), user=user)
            if reg.filterset_class
            else None
        )
        page = Paginator(qs, reg.paginate_by).get_page(request.GET.get("page"))
        cols = [as_col(c) for c in reg.columns]
        masks = list_masks(user)
        linked = [c.link for c in cols]
        if not any(linked):
            linked[0] = True
        rows = [
            {
                "url": reg.detail_url(obj.pk),
                "cells": [
                    (show(c.value(obj, masked=masks)), link)
                    for c, link in zip(cols, linked, strict=True)
                ],
            }
            for obj in page.object_list
        ]
        return render(
            request,
            reg.list_template,
            {
                "register": reg,
                "title": reg.verbose_name,
                "headings": [c.heading(reg.model) for c in cols],
                "rows": rows,
                "page": page,
                "filterset": filterset,
                "actions": [
                    (str(label), reverse(name))
                    for label, name, action in reg.list_actions
                    if role_may(user, reg.model, action)
                ],
                "search": request.GET.get("q", ""),
                "search_notice": idsearch.notice(user, request.GET.get("q")),
                "export_url": list_export_url(reg, request),  # 导出 Excel, same filters
                "has_search": bool(
                    filterset is not None and getattr(filterset, "search_fields", ())
                ),
            },
        )


class RegisterDetailView(_RegisterView):
    def handle(self, request, pk: int):
        reg = self.register
        user = request.user
        obj = get_or_404(reg.get_selector, user=user, pk=pk)
        cols = [as_col(c) for c in (reg.detail_fields or reg.columns)]
        masks = detail_masks(user)
        fields = [(c.heading(reg.model), show(c.value(obj, masked=masks))) for c in cols]
        related = []
        for rel in reg.related:
            rcols = [as_col(c) for c in rel.columns]
            target = REGISTERS.get(rel.register) if rel.register else None
            rows = list(rel.rows(obj, user))
            model = rows[0].__class__ if rows else None
            related.append(
                {
                    "title": rel.title,
                    "headings": [c.heading(model) if model else (c.label or c.path) for c in rcols],
                    "rows": [
                        {
                            "url": target.detail_url(r.pk) if target else None,
                            "cells": [show(c.value(r, masked=masks)) for c in rcols],
                        }
                        for r in rows
                    ],
                }
            )
        actions = []
        if reg.edit_url_name and may(user, "change", obj):
            actions.append((_("编辑"), reverse(reg.edit_url_name, args=[obj.pk])))
        if may(user, "change", obj):
            actions += [
                (str(label), reverse(name, args=[obj.pk]))
                for label, name, *roles in reg.actions
                if not roles or _offered(user, roles[0])
            ]
        return render(
            request,
            "portal/detail.html",
            {
                "register": reg,
                "title": str(obj),
                "object": obj,
                "fields": fields,
                "related": related,
                "actions": actions,
            },
        )


def _offered(user, who) -> bool:
    """An action button is offered to the roles given, or, given an act
    (jigong.core.acts.Act), to whoever may perform it (role and duty)."""
    from jigong.core import acts

    if isinstance(who, acts.Act):
        return acts.role_may(user, who)
    return user.is_superuser or user.role in who


def apply_errors(form, error) -> None:
    """Put a service's ValidationError on the form, each message next to its field."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def get_or_404(selector, /, *, message: str | None = None, **kwargs):
    """Call a selector that raises DoesNotExist for a row missing or outside the
    user's scope; either way the page answers 404 (existence is not revealed)."""
    try:
        return selector(**kwargs)
    except ObjectDoesNotExist as exc:
        raise Http404(message or _("未找到该记录。")) from exc


def form_page(
    request,
    *,
    form,
    title: str,
    cancel_url: str,
    save,
    register=None,
    template: str = "portal/form.html",
    context: dict | None = None,
):
    """Render a form page whose valid POST calls `save(cleaned_data)` (a service call).
    A service's ValidationError lands next to its field and nothing is written; on
    success `save` returns the URL to go to. `context` adds to the template's context."""
    from django.shortcuts import redirect

    if request.method == "POST" and form.is_valid():
        try:
            next_url = save(form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect(next_url)
    return render(
        request,
        template,
        {
            "title": title,
            "form": form,
            "cancel_url": cancel_url,
            "register": register,
            **(context or {}),
        },
    )
