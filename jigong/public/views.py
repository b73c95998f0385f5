"""Anonymous pages: certificate verification (/verify/)."""

import json

from django import forms
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from jigong.certificates.models import QueryChannel
from jigong.public import challenge, ratelimit, verification
from jigong.public.selectors import MAX_NAME


class VerifyForm(forms.Form):
    number = forms.CharField(label=_("证书编号"), max_length=40, strip=True)
    name = forms.CharField(label=_("持证人姓名"), max_length=MAX_NAME, strip=True)
    altcha = forms.CharField(required=False, max_length=challenge.MAX_PAYLOAD)


CHALLENGE_MISSING = _("请先完成人机验证（勾选“我不是机器人”，等待验证完成）。")
CHALLENGE_FAILED = _("人机验证未通过、已过期或已使用，请重新验证。")


def _challenge_context(context) -> None:
    context["challenge"] = json.dumps(challenge.new(), separators=(",", ":"))


@csrf_exempt  # an anonymous, side-effect-free look-up: there is no session to protect
@never_cache
def verify(request):
    """Verify a certificate by number and the holder's full name. Every kind of miss
    renders the same page, with the values typed kept in the form."""
    ip = ratelimit.client_ip(request)
    form = VerifyForm(request.POST or None)
    context = {"title": _("毕业证书查询")}
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        needs = verification.challenge_due(ip, data["number"])
        passed = needs and challenge.passed(data.get("altcha"))
        answer = verification.verify(
            ip=ip,
            number=data["number"],
            name=data["name"],
            challenge_passed=passed,
            channel=QueryChannel.PUBLIC_PAGE,
        )
        if answer.state == "limited":
            status = 429
            context["message"] = verification.LIMITED_MESSAGE
        elif answer.state == "challenge":
            form = VerifyForm(initial={"number": data["number"], "name": data["name"]})
            context["challenge_error"] = (
                CHALLENGE_FAILED if data.get("altcha") else CHALLENGE_MISSING
            )
            _challenge_context(context)
        elif answer.state == "miss":
            # the values typed stay (a 17-character number is not typed twice); every
            # kind of miss answers the same page for the same input
            form = VerifyForm(initial={"number": data["number"], "name": data["name"]})
            context["message"] = verification.MISS_MESSAGE
        else:
            form = VerifyForm()
            context["result"] = answer.result
    if status == 200 and "challenge" not in context and verification.challenge_due(ip):
        _challenge_context(context)
    context["form"] = form
    return render(request, "public/verify.html", context, status=status)


# --- online verification codes (在线验证码) ---------------------------------------------


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("在线验证码"),
        max_length=40,
        strip=True,
        help_text=_("16位，如 7KQ2-M9XD-3HTA-VW4R；不区分大小写，可省略连字符"),
    )
    altcha = forms.CharField(required=False, max_length=challenge.MAX_PAYLOAD)


def _code_answer(request, data):
    ip = ratelimit.client_ip(request)
    needs = verification.challenge_due(ip)
    passed = needs and challenge.passed(data.get("altcha"))
    answer = verification.verify_code(ip=ip, code=data["code"], challenge_passed=passed)
    # The code itself is a credential and is not logged; a found report logs its number.
    found = answer.result.certificate.number if answer.state == "found" else ""
    verification.log(channel=QueryChannel.PUBLIC_CODE, ip=ip, number=found, name="", answer=answer)
    return answer


@csrf_exempt  # anonymous and side-effect free, like /verify/
@never_cache
def verify_code(request):
    """Open the verification report behind an online verification code. GET ?code=…
    (a shared link) or POST. Unknown, expired and revoked codes share one miss."""
    ip = ratelimit.client_ip(request)
    data = request.POST if request.method == "POST" else request.GET
    form = CodeForm(data if "code" in data else None)
    context = {"title": _("在线验证报告")}
    status = 200
    if form.is_bound and form.is_valid():
        answer = _code_answer(request, form.cleaned_data)
        if answer.state == "limited":
            status = 429
            context["message"] = verification.LIMITED_MESSAGE
        elif answer.state == "challenge":
            form = CodeForm(initial={"code": form.cleaned_data["code"]})
            context["challenge_error"] = (
                CHALLENGE_FAILED if data.get("altcha") else CHALLENGE_MISSING
            )
            _challenge_context(context)
        elif answer.state == "miss":
            form = CodeForm()
            context["message"] = verification.CODE_MISS_MESSAGE
        else:
            form = CodeForm()
            context["report"] = answer.result
            context["result"] = answer.result.certificate
    elif form.is_bound:
        # Over-long or empty input: the same miss as an unknown code.
        form = CodeForm()
        context["message"] = verification.CODE_MISS_MESSAGE
    if status == 200 and "challenge" not in context and verification.challenge_due(ip):
        _challenge_context(context)
    context["form"] = form
    return render(request, "public/verify_code.html", context, status=status)


@csrf_exempt
@never_cache
def verify_code_pdf(request):
    """The verification report as a PDF (POST code=…), under the same limits."""
    from django.http import HttpResponse
    from django.template.loader import render_to_string
    from django.utils import timezone

    from jigong.core import pdf

    if request.method != "POST":
        from django.shortcuts import redirect

        return redirect("public:verify_code")
    form = CodeForm(request.POST)
    answer = (
        verification.verify_code(ip=ratelimit.client_ip(request), code=form.cleaned_data["code"])
        if form.is_valid()
        else verification.Answer("miss")
    )
    if answer.state != "found":
        limited = answer.state == "limited"
        message = {
            "limited": verification.LIMITED_MESSAGE,
            "challenge": verification.CHALLENGE_MESSAGE,
        }.get(answer.state, verification.CODE_MISS_MESSAGE)
        return render(
            request,
            "public/verify_code.html",
            {"title": _("在线验证报告"), "form": CodeForm(), "message": message},
            status=429 if limited else 200,
        )
    report = answer.result
    html = render_to_string(
        "public/code_report_pdf.html",
        {
            "report": report,
            "result": report.certificate,
            "css": pdf.static_text("jigong/report_pdf.css"),
            "font": pdf.FONT_SANS,
            "printed_at": timezone.localtime(),
            "site": request.build_absolute_uri("/verify/code/"),
        },
    )
    try:
        data = pdf.render_pdf(html)
    except pdf.PdfError as exc:
        return render(
            request,
            "public/verify_code.html",
            {"title": _("在线验证报告"), "form": CodeForm(), "message": exc.message},
            status=503,
        )
    response = HttpResponse(data, content_type="application/pdf")
    name = f"verification-report-{report.certificate.number}.pdf"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
