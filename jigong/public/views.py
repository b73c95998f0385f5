"""Anonymous pages: certificate verification (/verify/)."""

import secrets

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from jigong.public import ratelimit, verification
from jigong.public.selectors import MAX_NAME

SESSION_KEY = "jigong_verify_challenge"


class VerifyForm(forms.Form):
    number = forms.CharField(label=_("证书编号"), max_length=40, strip=True)
    name = forms.CharField(label=_("持证人姓名"), max_length=MAX_NAME, strip=True)
    answer = forms.IntegerField(label=_("验证问题"), required=False)


def _new_challenge(request) -> str:
    a, b = secrets.randbelow(20) + 1, secrets.randbelow(20) + 1
    request.session[SESSION_KEY] = a + b
    return _("%(a)s 加 %(b)s 等于多少？") % {"a": a, "b": b}


def _challenge_passed(request, answer) -> bool:
    expected = request.session.pop(SESSION_KEY, None)
    return expected is not None and answer is not None and answer == expected


@csrf_exempt  # an anonymous, side-effect-free look-up: there is no session to protect
@never_cache
def verify(request):
    """Verify a certificate by number and the holder's full name. Every kind of miss
    renders the same page; the form is not echoed back, so responses do not differ."""
    ip = ratelimit.client_ip(request)
    form = VerifyForm(request.POST or None)
    context = {"title": _("毕业证书查询")}
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        needs = ratelimit.challenge_required(ip)
        passed = needs and _challenge_passed(request, data.get("answer"))
        answer = verification.verify(
            ip=ip, number=data["number"], name=data["name"], challenge_passed=passed
        )
        if answer.state == "limited":
            status = 429
            context["message"] = verification.LIMITED_MESSAGE
        elif answer.state == "challenge":
            form = VerifyForm(initial={"number": data["number"], "name": data["name"]})
            context["challenge_error"] = (
                _("验证问题回答错误，请重新作答。")
                if data.get("answer") is not None
                else _("请先回答验证问题。")
            )
        elif answer.state == "miss":
            form = VerifyForm()
            context["message"] = verification.MISS_MESSAGE
        else:
            form = VerifyForm()
            context["result"] = answer.result
    if status == 200 and ratelimit.challenge_required(ip):
        context["challenge"] = _new_challenge(request)
    context["form"] = form
    return render(request, "public/verify.html", context, status=status)
