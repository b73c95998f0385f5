"""FilterSet base for the registers: a search box and scope-restricted choice lists.

Every ModelChoiceFilter's choices are restricted to what the user may view, so a
filter drop-down never lists (and never accepts) a school outside the user's scope.
"""

from functools import reduce
from operator import or_

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jigong.core import idsearch, params, pii
from jigong.core.models import AuditLog, User
from jigong.core.permissions import restrict_queryset


def school_model():
    """The model of a school: what core's ``User.school`` points to (by its label, so core
    imports no domain app)."""
    return User._meta.get_field("school").related_model


def district_model():
    return User._meta.get_field("district").related_model


def own_districts(queryset, user):
    """The districts a filter offers: a district bureau its own, a school the one it is
    in; the city (and the back office) every district."""
    if user.district_id:
        return queryset.filter(pk=user.district_id)
    if user.school_id:
        return queryset.filter(schools=user.school_id)
    return queryset


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateRangeWidget(django_filters.widgets.DateRangeWidget):
    """From/to date pickers; query keys `<name>_after` and `<name>_before`."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.widgets = [DateInput(attrs), DateInput(attrs)]


def _within_years(value):
    lo, hi = params.year_range()
    if value is not None and not lo <= value.year <= hi:
        raise ValidationError(
            gettext("日期“%(v)s”应在%(lo)s–%(hi)s年之间")
            % {"v": value.isoformat(), "lo": lo, "hi": hi}
        )


class DateRangeField(django_filters.fields.DateRangeField):
    """Both ends within the platform's years (jigong.core.params): a date such as
    0001-01-01 cannot become a time-zone-aware datetime (OverflowError)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields:
            f.validators.append(_within_years)


class DateRangeFilter(django_filters.DateFromToRangeFilter):
    """A from/to date filter with date pickers: DateRangeFilter(_("入学日期"))."""

    field_class = DateRangeField

    def __init__(self, label=None, field_name=None, **kwargs):
        kwargs.setdefault("widget", DateRangeWidget())
        super().__init__(field_name=field_name, label=label, **kwargs)


def _is_year(field_name: str) -> bool:
    return field_name == "year" or field_name.endswith("_year")


class ScopedFilterSet(django_filters.FilterSet):
    """Base FilterSet: `search_fields` feed the search box (`q`); choices are scoped."""

    search_fields: tuple[str, ...] = ()

    q = django_filters.CharFilter(method="search", label=_("搜索"))

    def __init__(self, data=None, queryset=None, *, user, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.user = user
        lo, hi = params.year_range()
        for f in self.filters.values():
            if isinstance(f, django_filters.NumberFilter) and _is_year(f.field_name):
                f.extra.setdefault("min_value", lo)  # the years of jigong.core.params
                f.extra.setdefault("max_value", hi)
            qs = getattr(f, "queryset", None)
            if qs is None or callable(qs):
                continue
            if hasattr(qs.model, "Scope"):
                f.queryset = restrict_queryset(qs, user, "view")
            if qs.model is district_model():
                f.queryset = own_districts(f.queryset, user)

    def search(self, queryset, name, value):
        value = (value or "").strip()
        if not value or not self.search_fields:
            return queryset
        model = queryset.model
        number = idsearch.whole_number(value)
        sealed = any(pii.sealed_path(model, f) for f in self.search_fields)
        # one whole-number search: counted and audited for the masked roles
        if number is not None and sealed and not idsearch.spend(self.user, number):
            number = None
        q = reduce(or_, (self._term(model, f, value, number) for f in self.search_fields))
        return queryset.filter(q)

    @staticmethod
    def _term(model, path: str, value: str, number: str | None = None) -> Q:
        """Substring match; a sealed ID number matches only as a whole (keyed hash), and
        only when the search may match it (``number``: jigong.core.idsearch)."""
        sealed = pii.sealed_path(model, path)
        if sealed is None:
            return Q(**{f"{path}__icontains": value})
        return Q(**{sealed.hmac: pii.digest(number)}) if number else Q(pk__in=[])


def filtered(queryset, filterset_class, *, user, filters):
    """The queryset narrowed by the user's filters (invalid filters are ignored)."""
    if filterset_class is None or not filters:
        return queryset
    return filterset_class(filters, queryset=queryset, user=user).qs


# Framework tables no act writes (tasks' results, sessions …) are not offered; a
# third-party model without a Chinese name gets one here.
_NOT_AUDITED = {"admin", "contenttypes", "sessions", "axes", "django_tasks_database"}
_NAMES = {"otp_totp.totpdevice": _("两步验证设备")}
# Object types that are no model (files, such as the signing keys): an app names them
# here when it is ready (``name_object_type``).
_OTHER_TYPES: dict[str, str] = {}


def name_object_type(label: str, name) -> None:
    """Give an audited object type that is no model its Chinese name."""
    _OTHER_TYPES[label] = name


def object_type_choices():
    """(label, Chinese name) of every model the audit log can name, by name; a name two
    models share is told apart by its app's name."""
    from collections import Counter

    from django.apps import apps

    models = [m for m in apps.get_models() if m._meta.app_label not in _NOT_AUDITED]
    names = {
        m._meta.label_lower: str(_NAMES.get(m._meta.label_lower, m._meta.verbose_name))
        for m in models
    }
    names.update({label: str(name) for label, name in _OTHER_TYPES.items()})
    twice = Counter(names.values())
    for m in models:
        label = m._meta.label_lower
        if twice[names[label]] > 1:
            names[label] = f"{names[label]}（{m._meta.app_config.verbose_name}）"
    return sorted(names.items(), key=lambda c: c[1])


def _act_choices():
    """Every registered act (jigong.core.acts): “every 暂停招生 of 2025”."""
    from collections import Counter

    from jigong.core import acts

    every = acts.acts()
    twice = Counter(str(a.label) for a in every)
    return sorted(
        (
            (a.code, f"{a.label}（{a.roles_label}）" if twice[str(a.label)] > 1 else str(a.label))
            for a in every
        ),
        key=lambda c: c[1],
    )


class AuditLogFilterSet(ScopedFilterSet):
    """The municipal bureau's audit-log search: actor, object type, date range, school."""

    search_fields = ("actor_name", "object_repr", "object_id", "message")
    actor = django_filters.ModelChoiceFilter(
        queryset=User.objects.order_by("username"), label=_("操作人")
    )
    object_type = django_filters.ChoiceFilter(label=_("对象类型"), choices=object_type_choices)
    act = django_filters.ChoiceFilter(label=_("事项"), choices=_act_choices)
    at = DateRangeFilter(_("日期"), field_name="at__date")
    school = django_filters.ModelChoiceFilter(queryset=None, label=_("学校"), method="of_school")

    class Meta:
        model = AuditLog
        fields = ["actor", "action", "act", "object_type", "at", "school"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        schools = school_model().objects.order_by("code")
        self.filters["school"].queryset = restrict_queryset(schools, self.user, "view")

    def of_school(self, queryset, name, value):
        return queryset.filter(school_id=value.pk) if value else queryset
