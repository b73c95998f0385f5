"""The graduate portal: own certificates, online verification codes (create, revoke)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jigong.certificates import services
from jigong.certificates.models import CertificateStatus
from jigong.core import acts
from jigong.core.errors import messages_of
from jigong.core.models import Role
from jigong.core.viewsets import get_or_404
from jigong.graduates import selectors
from jigong.policy import rules


class CodeForm(forms.Form):
    days = forms.IntegerField(label=gettext_lazy("有效期（天）"))


def _graduate(request):
    user = request.user
    if user.role != Role.GRADUATE:
        raise PermissionDenied(_("本页面仅供毕业生本人使用。"))
    return user


def _page(request, *, form_for=None, form=None, created=None, status=200):
    user = _graduate(request)
    now = timezone.now()
    bounds = rules.verification_code_days(timezone.localdate())
    codes_by_cert: dict[int, list] = {}
    for c in selectors.my_codes(user=user):
        codes_by_cert.setdefault(c.certificate_id, []).append(
            {
                "obj": c,
                "state": c.state(now),
                "label": c.state_label(now),
                "revoke_url": reverse("graduates:code_revoke", args=[c.pk]),
            }
        )
    certificates = [
        {
            "obj": cert,
            "valid": cert.status == CertificateStatus.VALID,
            "codes": codes_by_cert.get(cert.pk, []),
            "form": form if form_for == cert.pk else CodeForm(initial={"days": bounds["min"]}),
            "created": created if created and created.certificate_id == cert.pk else None,
        }
        for cert in selectors.my_certificates(user=user)
    ]
    return render(
        request,
        "graduates/index.html",
        {
            "title": _("我的证书"),
            "certificates": certificates,
            "skills": selectors.my_skill_certificates(user=user),
            "bounds": bounds,
            "linked": user.person_id is not None,
            "person": selectors.my_person(user=user),
        },
        status=status,
    )


@login_required
def index(request):
    return _page(request)


@login_required
@require_POST
def code_create(request, pk: int):
    user = _graduate(request)
    cert = get_or_404(selectors.my_certificate_get, user=user, pk=pk)
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            created = services.verification_code_create(
                actor=user, certificate=cert, days=form.cleaned_data["days"]
            )
        except ValidationError as exc:
            for name, errors in getattr(exc, "error_dict", {"__all__": exc}).items():
                form.add_error("days" if name == "days" else None, errors)
        else:
            return _page(request, created=created)
    return _page(request, form_for=cert.pk, form=form, status=200)


@login_required
@require_POST
def certificate_pdf(request, pk: int):
    """Queue the PDF of one's own certificate and go to the job's page."""
    from jigong.graduates import printing

    user = _graduate(request)
    cert = get_or_404(selectors.my_certificate_get, user=user, pk=pk)
    try:
        job = printing.certificate_pdf_submit(actor=user, certificate=cert)
    except ValidationError as exc:
        messages.error(request, "；".join(messages_of(exc)))
        return redirect("graduates:index")
    return redirect(reverse("jobs:file_detail", args=[job.pk]))


@login_required
@require_POST
def code_revoke(request, pk: int):
    user = _graduate(request)
    code = get_or_404(selectors.my_code_get, user=user, pk=pk)
    try:
        services.verification_code_revoke(actor=user, code=code)
    except ValidationError as exc:
        messages.error(request, "；".join(messages_of(exc)))
    else:
        messages.success(request, _("验证码 %(c)s 已撤销。") % {"c": code})
    return redirect("graduates:index")


# --- a school's invitation (issue 15) -----------------------------------------------------


@login_required
def invitation_create(request, pk: int):
    """On a graduated student's 学籍: GET offers the button, POST makes a one-time link
    (act ``graduate_account.invite``) shown once, printable for the student. Another
    school's 学籍 answers 404."""
    from jigong.core import publicurl
    from jigong.graduates import services as account_services
    from jigong.students import selectors as student_selectors

    acts.ensure_role(request.user, "graduate_account.invite")  # before the look-up
    registration = get_or_404(
        student_selectors.registration_get, user=request.user, pk=pk, action="change"
    )
    context = {
        "title": _("毕业生账号邀请"),
        "registration": registration,
        "days": account_services.invitation_days(timezone.localdate()),
        "basis": account_services.invitation_basis(timezone.localdate()),
    }
    if request.method == "POST":
        try:
            invitation, token = account_services.graduate_account_invite(
                actor=request.user, registration=registration
            )
        except ValidationError as exc:
            context["error"] = "；".join(messages_of(exc))
        else:
            path = reverse("public:graduate_invitation", args=[token])
            context.update(
                invitation=invitation,
                link=publicurl.absolute(path),
            )
    return render(request, "graduates/invitation.html", context)


def _offer_invitation() -> None:
    """The 学籍 page offers the invitation to the act's roles (a higher layer plugs its
    action into the students' register: docs/architecture.md, "Layers")."""
    from jigong.graduates import services as account_services
    from jigong.students import views as student_views

    student_views.registrations.actions = [
        *student_views.registrations.actions,
        (
            gettext_lazy("邀请开通毕业生账号"),
            "graduate_accounts:invitation_create",
            account_services.graduate_account_invite.act.roles,
        ),
    ]


_offer_invitation()
