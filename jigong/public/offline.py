"""Checking a certificate's QR credential against the published keys (/verify/qr/), and
the published keys themselves (/verify/keys.json).

The signature check needs nothing but the public keys, exactly as an offline verifier
holding ``keys.json`` would do it. Because a certificate's status may have changed since
it was printed, the page adds the current status (valid, revoked or replaced, with date
and reason) for a payload whose signature holds; only a payload the platform signed can
ask for it, so numbers cannot be probed here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from jigong.certificates import qr, signing
from jigong.certificates.models import CertificateStatus, GraduationCertificate
from jigong.public import ratelimit, verification
from jigong.schools.models import School


class PayloadForm(forms.Form):
    payload = forms.CharField(
        label=gettext_lazy("二维码内容"),
        max_length=qr.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": gettext_lazy("二维码内容“”：请粘贴扫描二维码得到的文字"),
            "max_length": gettext_lazy("二维码内容：不超过%(limit_value)d个字符"),
        },
    )


@dataclass(frozen=True)
class CurrentStatus:
    status: str
    label: str
    ended_on: object = None
    reason: str = ""

    @property
    def valid(self) -> bool:
        return self.status == CertificateStatus.VALID


def current_status(number: str) -> CurrentStatus | None:
    """The certificate's status today, for a number taken from a verified payload."""
    cert = (
        GraduationCertificate.objects.filter(number=number)
        .only("status", "revoked_on", "revoked_reason")
        .first()
    )
    if cert is None:
        return None
    ended = cert.status != CertificateStatus.VALID
    return CurrentStatus(
        cert.status,
        cert.get_status_display(),
        cert.revoked_on if ended else None,
        cert.revoked_reason if ended else "",
    )


def check(text: str) -> dict:
    """{"credential", "key", "school", "status"} for a payload whose signature holds
    under a published key; PayloadError otherwise."""
    keys = signing.store().public_keys()
    credential = qr.verify(text, keys)
    school = School.objects.filter(code=credential.school_code).only("name").first()
    return {
        "credential": credential,
        "key": keys[credential.kid],
        "school": school.name if school else "",
        "status": current_status(credential.number),
    }


@csrf_exempt  # anonymous and side-effect free, like /verify/
@never_cache
def verify_qr(request):
    """Paste (or open from a scanner, ?p=…) a QR payload; see whether it is genuine."""
    data = request.POST or ({"payload": request.GET["p"]} if request.GET.get("p") else None)
    form = PayloadForm(data)
    context = {"title": _("证书二维码核验"), "form": form}
    status = 200
    if data is not None:
        limit = ratelimit.setting("JIGONG_VERIFY_RATE_PER_IP")
        if ratelimit.hit("qr", ratelimit.client_ip(request), limit) > limit[0]:
            context["error"] = verification.LIMITED_MESSAGE
            status = 429
        elif form.is_valid():
            try:
                context["result"] = check(form.cleaned_data["payload"])
            except qr.PayloadError as exc:
                context["error"] = exc.message
            except signing.SigningError as exc:
                context["error"] = exc.message
    return render(request, "public/offline.html", context, status=status)


@require_GET
def keys_json(request):
    """The published public keys: everything an offline verifier needs."""
    try:
        document = signing.store().published()
    except signing.SigningError as exc:
        return JsonResponse({"detail": exc.message}, status=503)
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Cache-Control"] = "public, max-age=300"
    return response


def check_in_terminal(out, text: str, *, keys_file: str | None = None) -> int:
    """`jigong verify --qr PAYLOAD [--keys keys.json]`: print the result; exit code 0 when
    the signature holds, 1 otherwise. With ``--keys`` only that file is trusted (a
    verifier without the platform); else the platform's published keys, plus the
    certificate's current status."""
    import json

    try:
        if keys_file:
            with open(keys_file, encoding="utf-8") as f:
                keys = signing.published_keys(json.load(f))
            credential, status, school = qr.verify(text, keys), None, ""
            key = keys[credential.kid]
        else:
            result = check(text)
            credential, status, school = result["credential"], result["status"], result["school"]
            key = result["key"]
    except (qr.PayloadError, signing.SigningError) as exc:
        out.write(f"无效：{exc.message}")
        return 1
    except (OSError, ValueError) as exc:
        out.write(f"公钥文件“{keys_file}”：无法读取（{exc}）")
        return 1
    lines = [
        ("签名", f"有效（密钥 {credential.kid}，{key.scheme}）"),
        ("证书编号", credential.number),
        ("持证人", credential.holder),
        (
            "发证学校",
            f"{school}（学校代码 {credential.school_code}）" if school else credential.school_code,
        ),
        ("班级层次", credential.level_label),
        ("证书类别", credential.outcome_label),
        ("发证日期", credential.issued_on.isoformat()),
    ]
    if status is not None:
        current = status.label
        if not status.valid:
            current += (
                f"（{status.ended_on.isoformat() if status.ended_on else ''}，{status.reason}）"
            )
        lines.append(("当前状态", current))
    elif not keys_file:
        lines.append(("当前状态", "平台中未找到该证书"))
    width = max(len(k) for k, _v in lines)
    for k, v in lines:
        out.write(f"{k.ljust(width, '　')}  {v}")
    return 0
