"""Checking a certificate's QR credential against the published keys (/verify/qr/, the
API's ``GET /api/v1/certificates/verify-qr``, `jigong verify --qr`), and the published
keys themselves (/verify/keys.json).

The signature check needs nothing but the public keys, exactly as an offline verifier
holding ``keys.json`` would do it: a revoked key vouches for nothing, a retired key only
for issue dates on or before its retirement day (``qr.verify``). Online, a payload whose
signature holds is then compared with the register: the certificate must exist, state
what the record states (number, masked holder, school, level, outcome, issue date) and
still be valid. Only a payload the platform signed reaches the register, so numbers
cannot be probed here; a disagreement names the fields, never the register's values.

One verdict on every door (``Verdict.state``), with the command's exit code:
``valid`` 0, ``invalid`` 1, ``revoked`` 3 (revoked or replaced since printing),
``unknown`` 4 (a key never published, a number the register lacks); 5 when the check
could not be made (an unreadable keys file). 2 stays argparse's usage error.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
from jigong.core import pii
from jigong.public import ratelimit, verification

EXIT_CODES = {"valid": 0, "invalid": 1, "revoked": 3, "unknown": 4}
EXIT_UNCHECKED = 5
EXIT_HELP = (
    "退出码：0 有效；1 无效（格式不符、签名不符、密钥已撤销或停用后签发、与平台记录不符）；"
    "2 命令用法错误；3 证书已撤销或已补发换证；4 未知（密钥未公布或平台中无此证书）；"
    "5 无法核验（公钥文件无法读取）"
)
STATE_LABELS = {
    "valid": gettext_lazy("有效"),
    "invalid": gettext_lazy("无效"),
    "revoked": gettext_lazy("已撤销"),
    "unknown": gettext_lazy("未知"),
}


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


@dataclass(frozen=True)
class Verdict:
    state: str  # valid / invalid / revoked / unknown
    reason: str  # Chinese, for users
    credential: qr.Credential | None = None
    key: signing.PublicKey | None = None
    school: str = ""
    status: CurrentStatus | None = None
    mismatched: tuple[str, ...] = field(default_factory=tuple)

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def valid(self) -> bool:
        return self.state == "valid"

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.state]

    def as_dict(self) -> dict:
        c, s = self.credential, self.status
        d = {"verdict": self.state, "verdict_label": self.label, "reason": self.reason}
        if c is not None:
            d.update(
                kid=c.kid,
                number=c.number,
                holder=c.holder,
                school_code=c.school_code,
                school=self.school,
                level_label=c.level_label,
                outcome_label=c.outcome_label,
                issued_on=c.issued_on,
                mismatched=list(self.mismatched),
            )
        if s is not None:
            d.update(status=s.status, status_label=s.label, ended_on=s.ended_on)
            d["ended_reason"] = s.reason
        return d


def _record(number: str) -> GraduationCertificate | None:
    """The register's row for a number taken from a verified payload (public read: only
    the fields compared and the status)."""
    return (
        GraduationCertificate.objects.filter(number=number)
        .select_related("school", "registration__person")
        .only(
            "number",
            "outcome",
            "level",
            "issued_on",
            "status",
            "revoked_on",
            "revoked_reason",
            "school__code",
            "school__name",
            "registration__person__name",
        )
        .first()
    )


def _status(cert: GraduationCertificate) -> CurrentStatus:
    ended = cert.status != CertificateStatus.VALID
    return CurrentStatus(
        cert.status,
        cert.get_status_display(),
        cert.revoked_on if ended else None,
        cert.revoked_reason if ended else "",
    )


def current_status(number: str) -> CurrentStatus | None:
    """The certificate's status today, for a number taken from a verified payload."""
    cert = _record(number)
    return _status(cert) if cert is not None else None


def _mismatches(credential: qr.Credential, cert: GraduationCertificate) -> tuple[str, ...]:
    """The labels of the payload's fields that disagree with the record."""
    checks = [
        (_("持证人姓名"), credential.holder == pii.mask_name(cert.registration.person.name)),
        (_("发证学校"), credential.school_code == cert.school.code),
        (_("班级层次"), credential.level == cert.level),
        (_("证书类别"), credential.outcome == cert.outcome),
        (_("发证日期"), credential.issued_on == cert.issued_on),
    ]
    return tuple(label for label, same in checks if not same)


def judge(text: str, keys: dict[str, signing.PublicKey] | None = None) -> Verdict:
    """The verdict on a payload. ``keys``: only those keys are trusted and the register
    is not consulted (an offline verifier); by default the platform's keys and register."""
    online = keys is None
    if online:
        keys = signing.store().public_keys()
    try:
        credential = qr.verify(text, keys)
    except qr.PayloadError as exc:
        return Verdict("unknown" if exc.reason == "unknown_key" else "invalid", exc.message)
    key = keys[credential.kid]
    if not online:
        return Verdict(
            "valid",
            _("签名有效（离线核验：未核对证书当前状态，请在线查询）"),
            credential,
            key,
        )
    cert = _record(credential.number)
    if cert is None:
        return Verdict(
            "unknown",
            _("签名有效，但平台中未找到该证书：请以在线查询为准"),
            credential,
            key,
        )
    school, status = cert.school.name, _status(cert)
    mismatched = _mismatches(credential, cert)
    if not status.valid:
        reason = _("该证书打印后状态已变更为“%(label)s”") % {"label": status.label}
        if status.ended_on:
            reason += _("：日期 %(d)s") % {"d": status.ended_on.isoformat()}
        if status.reason:
            reason += _("，原因：%(r)s") % {"r": status.reason}
        return Verdict("revoked", reason, credential, key, school, status, mismatched)
    if mismatched:
        reason = _("二维码内容与平台记录不符（%(f)s）：证书信息可能已更正，请以在线查询为准") % {
            "f": "、".join(mismatched)
        }
        return Verdict("invalid", reason, credential, key, school, status, mismatched)
    return Verdict(
        "valid",
        _("二维码由平台签发，内容与平台记录一致，证书当前有效"),
        credential,
        key,
        school,
        status,
    )


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
                context["verdict"] = judge(form.cleaned_data["payload"])
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
    """`jigong verify --qr PAYLOAD [--keys keys.json]`: print the verdict; return the exit
    code (``EXIT_CODES``, ``EXIT_UNCHECKED``). With ``--keys`` only that file is trusted
    (a verifier without the platform); else the platform's keys and register."""
    import json

    try:
        if keys_file:
            with open(keys_file, encoding="utf-8") as f:
                verdict = judge(text, signing.published_keys(json.load(f)))
        else:
            verdict = judge(text)
    except signing.SigningError as exc:
        out.write(f"无法核验：{exc.message}")
        return EXIT_UNCHECKED
    except (OSError, ValueError) as exc:
        out.write(f"无法核验：公钥文件“{keys_file}”无法读取（{exc}）")
        return EXIT_UNCHECKED
    credential, key = verdict.credential, verdict.key
    lines = [("结论", f"{verdict.label}：{verdict.reason}")]
    if credential is not None:
        retired = "，已停用" if key.retired else ""
        school = verdict.school
        lines += [
            ("签名", f"有效（密钥 {credential.kid}，{key.scheme}{retired}）"),
            ("证书编号", credential.number),
            ("持证人", credential.holder),
            (
                "发证学校",
                f"{school}（学校代码 {credential.school_code}）"
                if school
                else credential.school_code,
            ),
            ("班级层次", credential.level_label),
            ("证书类别", credential.outcome_label),
            ("发证日期", credential.issued_on.isoformat()),
        ]
        status = verdict.status
        if status is not None:
            current = status.label
            if not status.valid:
                ended = status.ended_on.isoformat() if status.ended_on else ""
                current += f"（{ended}，{status.reason}）"
            lines.append(("当前状态", current))
        elif keys_file:
            lines.append(("当前状态", "未核对（离线核验）"))
        else:
            lines.append(("当前状态", "平台中未找到该证书"))
    width = max(len(k) for k, _v in lines)
    for k, v in lines:
        out.write(f"{k.ljust(width, '　')}  {v}")
    return verdict.exit_code
