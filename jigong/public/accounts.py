"""Graduates' self-service pages (issue 15): register and recover with the proof of
identity, open a school's invitation link. Anonymous, under the limits of /verify/
(``ratelimit``: per client, per client + ID number, the ID number's miss budget that
brings the challenge for everyone); the acts are ``graduates.services``."""

from __future__ import annotations

from django import forms
from django.contrib.auth import login, password_validation
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from jigong.certificates.models import QueryChannel
from jigong.core import pii
from jigong.graduates import services
from jigong.public import challenge, ratelimit, verification
from jigong.public.views import CHALLENGE_FAILED, CHALLENGE_MISSING, _challenge_context

BACKEND = "django.contrib.auth.backends.ModelBackend"


class PasswordForm(forms.Form):
    password1 = forms.CharField(
        label=gettext_lazy("设置密码"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=gettext_lazy("再次输入密码"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        one, two = data.get("password1"), data.get("password2")
        if one and two and one != two:
            self.add_error("password2", _("两次输入的密码不一致。"))
        elif one:
            try:
                password_validation.validate_password(one)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


class ProofForm(PasswordForm):
    id_number = forms.CharField(label=gettext_lazy("身份证号"), max_length=40, strip=True)
    name = forms.CharField(label=gettext_lazy("姓名"), max_length=64, strip=True)
    certificate_number = forms.CharField(
        label=gettext_lazy("证书编号"),
        max_length=40,
        strip=True,
        help_text=gettext_lazy("本人任一毕业证书或职业技能等级证书的编号"),
    )
    # text, not a number: a malformed year is the same miss as a wrong one
    enrolled_year = forms.CharField(
        label=gettext_lazy("入学年份"),
        max_length=8,
        strip=True,
        help_text=gettext_lazy("在该校入学的年份，如 2022"),
    )
    altcha = forms.CharField(required=False, max_length=challenge.MAX_PAYLOAD)

    field_order = ["id_number", "name", "certificate_number", "enrolled_year"]


def _limit_key(id_number: str) -> str:
    """The ID number's counters (shared by registration and recovery), keyed by its
    HMAC: the cache holds no ID number, nor a plain hash of one."""
    return "id:" + pii.digest(id_number[:40]).hex()


CHANNELS = {"register": QueryChannel.GRADUATE_REGISTER, "recover": QueryChannel.GRADUATE_RECOVER}


def _log(mode: str, ip: str, data: dict, state: str) -> None:
    """The attempt in the query log, as /verify/ logs a query: the certificate number
    given, the name masked, no ID number; ``found`` only when the proof matched."""
    verification.log(
        channel=CHANNELS[mode],
        ip=ip,
        number=data["certificate_number"],
        name=data["name"],
        answer=verification.Answer(state),
    )


def _proof_page(request, *, act, mode: str):
    ip = ratelimit.client_ip(request)
    form = ProofForm(request.POST or None)
    context = {"mode": mode, "title": TITLES[mode], "rules": _rules()}
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        key = _limit_key(data["id_number"])
        passed = ratelimit.challenge_due(ip, key) and challenge.passed(data.get("altcha"))
        if ratelimit.begin(ip, key) == "limited":
            status = 429
            context["message"] = verification.LIMITED_MESSAGE
            form = ProofForm()
            _log(mode, ip, data, "limited")
        elif not passed and ratelimit.challenge_due(ip, key):
            ratelimit.release(ip, key)
            context["challenge_error"] = (
                CHALLENGE_FAILED if data.get("altcha") else CHALLENGE_MISSING
            )
            _challenge_context(context)
            form = ProofForm()
            _log(mode, ip, data, "challenge")
        else:
            try:
                user = act(
                    actor=None,
                    id_number=data["id_number"],
                    name=data["name"],
                    certificate_number=data["certificate_number"],
                    enrolled_year=data["enrolled_year"],
                    password=data["password1"],
                )
            except services.ProofMismatch as exc:
                ratelimit.settle(ip, key, found=False)
                context["message"] = exc.messages[0]
                form = ProofForm()  # every kind of miss: the same page
                _log(mode, ip, data, "miss")
            except ValidationError as exc:  # already linked, a password like the name
                ratelimit.settle(ip, key, found=True)
                context["message"] = "；".join(exc.messages)
                form = ProofForm()
                _log(mode, ip, data, "refused")
            else:
                ratelimit.settle(ip, key, found=True)
                _log(mode, ip, data, "found")
                login(request, user, backend=BACKEND)
                return redirect("graduates:index")
    if status == 200 and "challenge" not in context and ratelimit.challenge_due(ip):
        _challenge_context(context)
    context["form"] = form
    return render(request, "public/graduate_account.html", context, status=status)


def _rules() -> list[str]:
    return password_validation.password_validators_help_texts()


TITLES = {
    "register": gettext_lazy("毕业生注册"),
    "recover": gettext_lazy("毕业生找回密码"),
    "invitation": gettext_lazy("开通毕业生账号"),
}


@never_cache
def register(request):
    """Open one's graduate account with the proof of identity."""
    return _proof_page(request, act=services.graduate_account_register, mode="register")


@never_cache
def recover(request):
    """Set a new password with the same proof; the account's other sessions end."""
    return _proof_page(request, act=services.graduate_account_recover, mode="recover")


@never_cache
def invitation(request, token: str):
    """A school's one-time link: the student sets a password and is logged in."""
    invite = services.invitation_open(token)
    context = {"mode": "invitation", "title": TITLES["invitation"], "rules": _rules()}
    if invite is None:
        context["message"] = services.InvitationSpent().messages[0]
        return render(request, "public/graduate_account.html", context)
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.graduate_account_accept_invitation(
                actor=None, token=token, password=form.cleaned_data["password1"]
            )
        except ValidationError as exc:
            context["message"] = "；".join(exc.messages)
        else:
            login(request, user, backend=BACKEND)
            return redirect("graduates:index")
    context.update(
        form=form,
        invited={"name": pii.mask_name(invite.person.name), "school": invite.school.name},
    )
    return render(request, "public/graduate_account.html", context)
