"""Printable graduation certificates: A4 landscape PDF, titled by tier, stating the class
level (（八）), with the signed QR credential. One browser renders a whole batch.

Pages: ``/graduation-certificates/<pk>/print/`` (one certificate) and
``/graduation-certificates/print/`` (a school's cohort of a year and level: a form);
both PDFs are built by ``jigong worker`` (``certificates.batch``), not in the request;
terminal: ``jigong print_certificates --school CODE --year Y --out F.pdf``. Reads start
from ``restrict(user, "view")``: another school's certificate answers 404. The pages are
the issuing school's (the PDF carries the whole ID number): the bureaus get a 403.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterable

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from jigong.certificates import numbering, qr, signing
from jigong.certificates.models import CertificateStatus, GraduationCertificate, Outcome
from jigong.core import params, pii, publicurl
from jigong.core.choices import Level
from jigong.core.models import Role
from jigong.core.pdf import FONT_SANS, FONT_SERIF, PdfRenderer
from jigong.core.viewsets import get_or_404
from jigong.policy import parameters as P
from jigong.schools.models import School

TEMPLATE = "certificates/print/certificates.html"
QR_SCALE = 2.5  # px per module: a version-7 code is about 30 mm wide
BATCH_MAX = getattr(settings, "JIGONG_PRINT_BATCH_MAX", 2000)
# Printing is a read, not an act, but the PDF carries the whole ID number: only the
# issuing school prints (the certificate's scope then limits it to its own).
PRINTERS = frozenset({Role.SCHOOL})


def _ensure_printer(user) -> None:
    if user is not None and not user.is_superuser and user.role not in PRINTERS:
        raise PermissionDenied(_("只有发证学校可以打印毕业证书：证书载有完整的身份证号。"))


# --- reads ------------------------------------------------------------------------


def _with_people(qs):
    return qs.select_related("registration__person", "registration__major", "school")


def certificate_for_print(*, user, pk: int) -> GraduationCertificate:
    """One certificate in the user's scope (DoesNotExist otherwise)."""
    return _with_people(GraduationCertificate.objects.restrict(user, "view")).get(pk=pk)


def cohort_for_print(
    *, user, school: School, year: int, level: str | None = None, major: int | None = None
):
    """The valid certificates a school issued in ``year`` (optionally of one level and
    one major), in number order; ``user=None`` is the system (terminal) and sees every
    school."""
    qs = (
        GraduationCertificate.objects.all()
        if user is None
        else GraduationCertificate.objects.restrict(user, "view")
    )
    qs = qs.filter(school=school, issued_on__year=year, status=CertificateStatus.VALID)
    if level:
        qs = qs.filter(level=level)
    if major:
        qs = qs.filter(registration__major_id=major)
    return _with_people(qs).order_by("number")


def majors_for_print(*, user) -> list[tuple[int, str]]:
    """(pk, name) of the majors of the valid certificates in the user's scope: the
    batch form's choices (a school's own majors, not the whole catalogue)."""
    from jigong.reference.models import Major

    certs = GraduationCertificate.objects.restrict(user, "view").filter(
        status=CertificateStatus.VALID
    )
    majors = Major.objects.filter(pk__in=certs.values("registration__major_id"))
    return [(m.pk, f"{m.name}（{m.code}）") for m in majors.order_by("code", "pk")]


# --- content ----------------------------------------------------------------------


def title(cert: GraduationCertificate, on: datetime.date | None = None) -> str:
    """技师学院毕业证书 …: the certificate design in force on the printing day (（八））."""
    titles = P.get("certificates.print_titles", on or datetime.date.today())
    return titles[cert.outcome][cert.school.tier]


def _ymd(d: datetime.date) -> str:
    return _("%(y)s年%(m)s月%(d)s日") % {"y": d.year, "m": d.month, "d": d.day}


def _ym(d: datetime.date) -> str:
    return _("%(y)s年%(m)s月") % {"y": d.year, "m": d.month}


def _duration(months: int) -> str:
    if months % 12 == 0:
        return _("%(n)s年") % {"n": months // 12}
    return _("%(n)s个月") % {"n": months}


def credential(cert: GraduationCertificate) -> qr.Credential:
    """What the QR code states (the key id is set when signed)."""
    return qr.Credential(
        kid="",
        number=cert.number,
        holder=pii.mask_name(cert.registration.person.name),
        outcome=cert.outcome,
        issued_on=cert.issued_on,
    )


def payload(cert: GraduationCertificate, signer: signing.Signer) -> str:
    """The signed QR text; a certificate the credential cannot carry (a number stored
    before the numbering rule …) is a ValidationError naming it, never a crash."""
    try:
        return qr.sign(credential(cert), signer)
    except qr.PayloadError as exc:
        raise _unprintable(cert, exc.message) from exc


def qr_address(cert: GraduationCertificate, signer: signing.Signer) -> str:
    """What the printed QR code carries: the public verification page's address with the
    signed payload (``settings.JIGONG_PUBLIC_URL``), so a phone's scan opens the verdict
    and an offline verifier checks the same text."""
    return qr.address(payload(cert, signer), publicurl.check(settings.JIGONG_PUBLIC_URL))


def _unprintable(cert: GraduationCertificate, reason: str) -> ValidationError:
    return ValidationError(
        {
            "number": [
                _(
                    "证书“%(n)s”无法打印：%(r)s。证书二维码只能承载符合编号规则的证书编号，"
                    "请先核实并更正该证书的编号。"
                )
                % {"n": cert.number, "r": reason.rstrip("。")}
            ]
        }
    )


def sheet(cert: GraduationCertificate, signer: signing.Signer, on: datetime.date) -> dict:
    reg = cert.registration
    person = reg.person
    return {
        "title": title(cert, on),
        "number": cert.number,
        "school": cert.school.name,
        "name": person.name,
        "sex": person.get_sex_display(),
        "birth_date": _ymd(person.birth_date),
        "id_number": person.id_number,
        "major": reg.major.name,
        "level": cert.get_level_display(),
        "track": reg.get_track_display(),
        "study_from": _ym(reg.enrolled_on),
        "study_to": _ym(cert.issued_on),
        "duration": _duration(reg.duration_months),
        "issued_on": _ymd(cert.issued_on),
        "graduated": cert.outcome == Outcome.GRADUATED,
        "qr_svg": qr.svg(qr_address(cert, signer), scale=QR_SCALE, border=1),
    }


def html(certs: Iterable[GraduationCertificate], signer: signing.Signer) -> str:
    today = datetime.date.today()
    sheets = [sheet(c, signer, today) for c in certs]
    return render_to_string(
        TEMPLATE,
        {
            "certificates": sheets,
            "title": sheets[0]["title"] if sheets else "",
            "font_serif": FONT_SERIF,
            "font_sans": FONT_SANS,
            "verify_url": publicurl.absolute(reverse("public:verify")),
        },
    )


def certificates_pdf(
    certs: Iterable[GraduationCertificate], *, renderer: PdfRenderer | None = None
) -> bytes:
    """One PDF, a page per certificate; refuses certificates that are not valid."""
    certs = list(certs)
    signer = check_printable(certs)
    document = html(certs, signer)
    if renderer is not None:
        return renderer.render(document, landscape=True, header_footer=False, margin=_NO_MARGIN)
    with PdfRenderer() as r:
        return r.render(document, landscape=True, header_footer=False, margin=_NO_MARGIN)


def check_printable(certs: list[GraduationCertificate]) -> signing.Signer:
    """The signer, once every certificate is printable (valid, a number the QR code can
    carry) and a signing key exists; a ValidationError naming the first that is not."""
    for c in certs:
        if c.status != CertificateStatus.VALID:
            raise ValidationError(
                {
                    "status": [
                        _("证书“%(n)s”当前状态为“%(s)s”：只有有效的证书可以打印")
                        % {"n": c.number, "s": c.get_status_display()}
                    ]
                }
            )
        try:
            numbering.check(c.number)  # a row stored before the rule: refused, not a 500
        except numbering.NumberError as exc:
            raise _unprintable(c, exc.message) from exc
    try:
        return signing.store().signer()
    except signing.SigningError as exc:
        raise ValidationError({"key": [exc.message]}) from exc


_NO_MARGIN = {"top": "0", "bottom": "0", "left": "0", "right": "0"}


def timed_render(certs, **kw) -> tuple[bytes, float]:
    t = time.perf_counter()
    data = certificates_pdf(certs, **kw)
    return data, time.perf_counter() - t


# --- pages ------------------------------------------------------------------------


def _refused(request, message: str, status: int):
    return render(
        request,
        "certificates/print/refused.html",
        {"title": _("无法打印证书"), "message": message},
        status=status,
    )


def _first_message(error: ValidationError) -> str:
    from jigong.core.errors import messages_of

    return messages_of(error)[0]


@login_required
@require_http_methods(["GET", "POST"])
def certificate_print(request, pk: int):
    """One certificate of the user's school (it carries the whole ID number; printing is
    the issuing school's, `PRINTERS`): GET checks it is printable and shows the button,
    POST queues its PDF for ``jigong worker`` (``certificates.batch``) and goes to the
    job's page. Rendered in the request it took 2.4–3.8 s (a browser per page)."""
    from jigong.certificates import batch

    _ensure_printer(request.user)
    cert = get_or_404(certificate_for_print, user=request.user, pk=pk)
    try:
        check_printable([cert])
    except ValidationError as exc:
        return _refused(request, _first_message(exc), 409)
    if request.method == "POST":
        job = batch.one_job_submit(actor=request.user, certificate=cert)
        return redirect(reverse("jobs:file_detail", args=[job.pk]))
    return render(
        request,
        "certificates/print/one.html",
        {"title": _("打印毕业证书 %(n)s") % {"n": cert.number}, "cert": cert},
    )


class BatchForm(forms.Form):
    year = params.YearField(label=gettext_lazy("发证年份"))
    level = forms.ChoiceField(
        label=gettext_lazy("班级层次"), choices=[("", "—"), *Level.choices], required=False
    )
    major = forms.TypedChoiceField(
        label=gettext_lazy("专业"), coerce=int, empty_value=None, required=False
    )
    school = forms.CharField(label=gettext_lazy("学校代码"), max_length=16, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["major"].choices = [("", "—"), *majors_for_print(user=user)]

    def clean(self):
        data = super().clean()
        for name, errors in list(self.errors.items()):
            field = self.fields[name]
            value = self.data.get(name, "")
            rule = {
                "year": _("应为%(lo)s至%(hi)s之间的年份")
                % dict(zip(("lo", "hi"), params.year_range(), strict=True)),
                "level": _(
                    "应为中级工班、高级工班或预备技师（技师）班（intermediate、advanced、"
                    "technician）"
                ),
                "school": _("不超过16个字符"),
                "major": _("应为本校有效毕业证书中的专业（从列表中选择）"),
            }.get(name, "；".join(errors))
            self.errors[name] = self.error_class([f"{field.label}“{value}”：{rule}"])
        return data


def _school_for(user, code: str) -> School | None:
    if user.school_id and not user.is_municipal:
        if code and code.upper() != user.school.code.upper():
            return None
        return user.school
    if not code:
        return None
    return School.objects.restrict(user, "view").filter(code__iexact=code).first()
