"""The department API's keys (municipal bureau): list, issue (shown once), revoke.

Here, beside the API they open (``department_api``) and their services, rather than in
``certificates``: no domain app imports ``jigong.public`` (docs/architecture.md, "Layers").
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jigong.certificates import selectors as certificate_selectors
from jigong.core import acts
from jigong.core.errors import messages_of
from jigong.core.models import ApiKey, ApiKeyScope, Role, User
from jigong.core.permissions import restrict
from jigong.core.viewsets import Col, Register, apply_errors, get_or_404
from jigong.public import services

api_keys = Register(
    model=ApiKey,
    name="apikey",
    prefix="api-keys",
    list_selector=certificate_selectors.api_key_list,
    get_selector=certificate_selectors.api_key_get,
    columns=[
        Col("name", link=True),
        "prefix",
        "holder",
        Col("scopes", render=lambda k: k.scope_labels()),
        "rate_per_minute",
        "created_at",
        "created_by",
        "revoked_at",
    ],
    detail_fields=[
        "name",
        "prefix",
        "holder",
        Col("scopes", render=lambda k: k.scope_labels()),
        "rate_per_minute",
        "note",
        "created_at",
        "created_by",
        "revoked_at",
    ],
    actions=[(_("撤销密钥"), "public:apikey_revoke")],
    list_actions=[(_("签发密钥"), "public:apikey_create", "add")],
)


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("使用部门"), max_length=64)
    scopes = forms.MultipleChoiceField(
        label=_("授权范围"), choices=ApiKeyScope.choices, widget=forms.CheckboxSelectMultiple
    )
    rate_per_minute = forms.IntegerField(label=_("每分钟限额"), initial=600)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)
    holder = forms.ModelChoiceField(
        label=_("部门账号"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("（不指定）"),
        help_text=_(
            "持有该密钥的部门接口用户账号：其首页列出该密钥（部分隐藏）、授权范围、限额和最近使用时间。"
        ),
    )

    field_order = ["name", "holder", "scopes", "rate_per_minute", "note"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["holder"].queryset = (
            restrict(user, User, "view")
            .filter(role=Role.DEPARTMENT, is_active=True)
            .order_by("username")
        )


@login_required
def api_key_create(request):
    """Issue a key; it is shown once, on the page that follows."""
    acts.ensure_role(request.user, services.api_key_create.act)
    form = ApiKeyForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.api_key_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return render(
                request,
                "public/api_key_issued.html",
                {"title": gettext("密钥已签发"), "issued": issued, "register": api_keys},
            )
    return render(
        request,
        "portal/form.html",
        {
            "title": gettext("签发接口密钥"),
            "subtitle": gettext("密钥只在签发后显示一次，平台只保存其摘要。"),
            "form": form,
            "cancel_url": api_keys.list_url(),
            "register": api_keys,
        },
    )


@login_required
def api_key_revoke(request, pk: int):
    key = get_or_404(certificate_selectors.api_key_get, user=request.user, pk=pk, action="change")
    if request.method == "POST":
        try:
            services.api_key_revoke(actor=request.user, api_key=key)
        except ValidationError as exc:
            messages.error(request, "；".join(messages_of(exc)))
        else:
            messages.success(request, gettext("接口密钥“%(k)s”已撤销。") % {"k": key})
        return redirect(api_keys.detail_url(key.pk))
    return render(
        request,
        "certificates/confirm.html",
        {
            "title": gettext("撤销接口密钥"),
            "subtitle": str(key),
            "message": gettext("撤销后，使用该密钥的请求将被拒绝（401），且不可恢复。"),
            "cancel_url": api_keys.detail_url(key.pk),
            "register": api_keys,
        },
    )
