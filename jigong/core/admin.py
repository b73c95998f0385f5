"""Back office (/admin/, superusers). Saves and deletes go through the audited helpers
of jigong.core.services, so the admin writes the same audit rows as the portal."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from jigong.core import acts, pii, services
from jigong.core.models import AuditLog, User
from jigong.standards import idcard
from jigong.standards.errors import StandardError


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by services (audited) or by the system: the back office reads."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _update_act(model, fields: dict):
    """(act, name of its target argument) of the registered update act that offers the
    back office as a door for this model and takes every changed field, or None."""
    import inspect

    label = model._meta.label_lower
    for spec in acts.acts():
        if spec.model != label or spec.event != "update" or "admin" not in spec.channels:
            continue
        params = inspect.signature(spec.func).parameters
        required = [n for n, p in params.items() if n != "actor" and p.default is p.empty]
        if len(required) == 1 and set(fields) <= set(params) - {"actor", required[0]}:
            return spec, required[0]
    return None


def _create_act(model, given: dict, available: dict):
    """(act, its arguments) of the registered create act that offers the back office for
    this model, takes every field the form was given (``given``) and finds each of its
    required arguments among the form's values (``available``), or None."""
    import inspect

    label = model._meta.label_lower
    for spec in acts.acts():
        if spec.model != label or spec.event != "create" or "admin" not in spec.channels:
            continue
        params = set(inspect.signature(spec.func).parameters) - {"actor"}
        required = {
            n
            for n, p in inspect.signature(spec.func).parameters.items()
            if n != "actor" and p.default is p.empty
        }
        if set(given) <= params and required <= set(available):
            names = (set(given) | required) & params
            return spec, {n: available[n] for n in names}
    return None


class AuditedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose writes are audited with the acting superuser. A field that
    belongs to a procedure (jigong.core.acts) is refused on the form, naming its act."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class ProcedureCheckedForm(form):
            def clean(self):
                cleaned = super().clean()
                if self.instance.pk is not None:
                    current = type(self.instance)._default_manager.get(pk=self.instance.pk)
                    for name, messages in acts.procedure_errors(current, self.changed_data).items():
                        for message in messages:
                            self.add_error(name if name in self.fields else None, message)
                return cleaned

        return ProcedureCheckedForm

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """An act's refusal raised while saving (a rule the form does not know) is shown
        as the act's message above the form; the admin's transaction rolled it back."""
        from django.contrib import messages
        from django.core.exceptions import PermissionDenied, ValidationError
        from django.http import HttpResponseRedirect

        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (ValidationError, PermissionDenied) as exc:
            if request.method != "POST":
                raise
            texts = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            for text in texts:
                messages.error(request, text)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        model = type(obj)
        concrete = {f.name: f for f in model._meta.concrete_fields if not f.primary_key}
        concrete.update(getattr(model, "pii_fields", {}))  # sealed ID numbers (properties)
        if change:
            current = model._default_manager.get(pk=obj.pk)
            fields = {name: getattr(obj, name) for name in form.changed_data if name in concrete}
            found = _update_act(model, fields)
            if found is None:
                services.update(request.user, current, **fields)
            else:  # the model's own update act: its roles, rules and audit code
                spec, target = found
                with acts.performing(spec, request.user):
                    spec.func(actor=request.user, **{target: current}, **fields)
        else:
            pii_fields = getattr(model, "pii_fields", {})
            values = {name: getattr(obj, name) for name in concrete if name not in pii_fields}
            given = {n for n in form.changed_data if n in concrete}
            found = _create_act(
                model, given, {**values, **{n: getattr(obj, n) for n in pii_fields}}
            )
            if found is None:
                created = services.create(request.user, model, **values)
            else:  # the model's own create act: its roles, rules and audit code
                spec, arguments = found
                with acts.performing(spec, request.user):
                    created = spec.func(actor=request.user, **arguments)
            obj.pk = created.pk
            obj._state.adding = False
            obj._state.db = created._state.db

    def has_delete_permission(self, request, obj=None):
        """No delete of a record whose fields a procedure owns (a certificate is revoked,
        a school's licence withdrawn, a 学籍 changed by 学籍异动): deleting it would undo
        the procedure without its act and its audit."""
        if getattr(self.model, "procedure_fields", None):
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        services.delete(request.user, obj)

    def get_search_fields(self, request):
        """Substring search on the plain fields only; see get_search_results."""
        return [f for f in super().get_search_fields(request) if not self._sealed(f)]

    def _sealed(self, path: str):
        return pii.sealed_path(self.model, path)

    def get_search_results(self, request, queryset, search_term):
        """A sealed ID number in ``search_fields`` matches only as a whole (keyed hash)."""
        found, duplicates = super().get_search_results(request, queryset, search_term)
        number = idcard.normalize(search_term or "")
        sealed = [self._sealed(f) for f in self.search_fields if self._sealed(f)]
        if sealed and len(number) == 18:
            digest = pii.digest(number)
            for path in sealed:
                found |= queryset.filter(**{path.hmac: digest})
        return found, duplicates

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.delete(request.user, obj)


class SealedIdForm(forms.ModelForm):
    """Admin form with a text field for the model's sealed ID number(s); subclasses
    declare ``id_number = forms.CharField(...)`` (the property's name)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in getattr(self._meta.model, "pii_fields", {}):
            if name in self.fields and self.instance.pk:
                self.initial.setdefault(name, getattr(self.instance, name))

    def clean(self):
        data = super().clean()
        for name in getattr(self._meta.model, "pii_fields", {}):
            value = data.get(name)
            if value:
                try:
                    data[name] = idcard.validate(value)
                except StandardError as exc:
                    self.add_error(name, exc.message)
                    continue
                setattr(self.instance, name, data[name])
        return data


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Read-only (issue 15): accounts are created, given duties, disabled, enabled and
    given passwords only by the account acts (/accounts/manage/, ``jigong.accounts``),
    which check who may, the scope and the duties, and audit; the back office would be a
    door around them. Superusers are made with ``jigong createsuperuser``."""

    list_display = ("username", "display_name", "role", "district", "school", "is_active")
    list_filter = ("role", "is_active", "is_superuser")
    search_fields = ("username", "display_name")
    fieldsets = (
        (None, {"fields": ("username", "display_name", "role", "district", "school")}),
        (_("职责与状态"), {"fields": ("duties", "is_active", "is_superuser", "last_login")}),
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def user_change_password(self, request, id, form_url=""):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("密码只能通过账号管理中的“重置密码”一次性链接设置。"))


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    """Read-only: the audit log is written by services, never edited."""

    list_display = ("at", "actor_name", "action", "object_type", "object_repr", "school_id")
    list_filter = ("action", "object_type")
    search_fields = ("actor_name", "object_repr", "object_id", "message")
    date_hierarchy = "at"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
