from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from jigong.certificates import filters, printing, selectors, services
from jigong.certificates.models import (
    GraduationCertificate,
    Outcome,
    QueryLog,
    SkillCertificate,
)
from jigong.core import acts
from jigong.core.errors import messages_of
from jigong.core.viewsets import Col, Register, Related, apply_errors, form_page, get_or_404
from jigong.students import views as student_views


def _equivalence(cert) -> str:
    return cert.equivalence_label or ""  # none for a certificate issued before （十八）


# Each action is offered to the roles of its act (jigong.core.acts); printing and the
# codes page are the issuing school's.
ISSUER = printing.PRINTERS

graduation_certificates = Register(
    model=GraduationCertificate,
    name="graduationcertificate",
    prefix="graduation-certificates",
    list_selector=selectors.graduation_certificate_list,
    get_selector=selectors.graduation_certificate_get,
    filterset_class=filters.GraduationCertificateFilterSet,
    columns=[
        Col("number", link=True),
        Col("registration__person__name", _("姓名"), mask="name"),
        Col("registration__person__id_number", mask="id"),
        "school",
        "level",
        "outcome",
        "issued_on",
        "status",
    ],
    detail_fields=[
        "number",
        Col("registration__person__name", _("姓名")),
        "registration__person__id_number",
        "school",
        "registration__major",
        "level",
        Col("equivalence", _("同等学历（依据（十八））"), render=_equivalence),
        "outcome",
        "issued_on",
        "status",
        "revoked_on",
        "revoked_reason",
    ],
    # adds the way in to batch printing (certificates.batch) for the issuing school
    list_template="certificates/graduationcertificate_list.html",
    actions=[
        (_("打印证书（PDF）"), "certificates:graduationcertificate_print", ISSUER),
        (_("撤销"), "certificates:certificate_revoke", services.revoke.act),
        (_("补发"), "certificates:certificate_reissue", services.reissue.act),
        (
            _("结业换发毕业证书"),
            "certificates:certificate_exchange",
            services.exchange_completion.act,
        ),
        (_("在线验证码"), "certificates:certificate_codes", ISSUER),
    ],
)

skill_certificates = Register(
    model=SkillCertificate,
    name="skillcertificate",
    prefix="skill-certificates",
    list_selector=selectors.skill_certificate_list,
    get_selector=selectors.skill_certificate_get,
    filterset_class=filters.SkillCertificateFilterSet,
    columns=[
        Col("number", link=True),
        Col("person__name", _("姓名"), mask="name"),
        Col("person__id_number", mask="id"),
        "occupation_name",
        "level",
        "issued_on",
        "evaluator",
    ],
    detail_fields=[
        "number",
        Col("person__name", _("姓名")),
        "person__id_number",
        "occupation_code",
        "occupation_name",
        "level",
        "issued_on",
        "evaluator",
    ],
)


# --- staff actions on certificates (clauses （八）（十八）) --------------------------------


def _date_field(label):
    return forms.DateField(
        label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class GraduateForm(forms.Form):
    """毕业/结业. Types only; the service decides what is allowed."""

    outcome = forms.ChoiceField(label=_("类别"), choices=Outcome.choices)
    issued_on = _date_field(_("发证日期"))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=128)
    on = _date_field(_("日期"))


class ExchangeForm(forms.Form):
    issued_on = _date_field(_("毕业证书发证日期"))


class CodeDaysForm(forms.Form):
    days = forms.IntegerField(
        label=_("有效期（天）"),
        help_text=_("持证人自选，30至180天（平台参数 certificates.verification_code_days）"),
    )


def _certificate(request, pk, service):
    """The certificate to act on: in scope (else 404) and the user's role one that may
    perform the page's act (else 403, the act's own message)."""
    cert = get_or_404(selectors.graduation_certificate_for_change, user=request.user, pk=pk)
    acts.ensure_role(request.user, service.act)
    return cert


def _cert_subtitle(cert):
    return gettext("%(n)s，%(name)s，%(school)s，%(o)s，状态：%(s)s") % {
        "n": cert.number,
        "name": cert.registration.person.name,
        "school": cert.school.name,
        "o": cert.get_outcome_display(),
        "s": cert.get_status_display(),
    }


def _cert_form_page(request, cert, **kwargs):
    """`form_page` for an action on one certificate, described in the subtitle."""
    return form_page(
        request,
        cancel_url=graduation_certificates.detail_url(cert.pk),
        register=graduation_certificates,
        context={"subtitle": _cert_subtitle(cert)},
        **kwargs,
    )


@login_required
def registration_graduate(request, pk: int):
    """毕业/结业: issue the registration's certificate."""
    from jigong.students import selectors as students
    from jigong.students.views import registrations

    registration = get_or_404(students.registration_get, user=request.user, pk=pk, action="change")
    acts.ensure_role(request.user, services.graduate.act)
    form = GraduateForm(
        request.POST or None,
        initial={"outcome": Outcome.GRADUATED, "issued_on": timezone.localdate()},
    )

    def save(data):
        cert = services.graduate(actor=request.user, registration=registration, **data)
        return graduation_certificates.detail_url(cert.pk)

    subtitle = gettext("%(name)s，%(school)s，%(level)s，当前状态：%(status)s") % {
        "name": registration.person.name,
        "school": registration.school.name,
        "level": registration.get_level_display(),
        "status": registration.get_status_display(),
    }
    return form_page(
        request,
        form=form,
        title=gettext("毕业/结业发证"),
        cancel_url=registrations.detail_url(registration.pk),
        save=save,
        register=registrations,
        context={"subtitle": subtitle},
    )


def _reason_view(request, pk, *, service, title):
    cert = _certificate(request, pk, service)
    form = ReasonForm(request.POST or None, initial={"on": timezone.localdate()})

    def save(data):
        result = service(actor=request.user, certificate=cert, **data)
        return graduation_certificates.detail_url(result.pk)

    return _cert_form_page(request, cert, form=form, title=title, save=save)


@login_required
def certificate_revoke(request, pk: int):
    return _reason_view(request, pk, service=services.revoke, title=gettext("撤销证书"))


@login_required
def certificate_reissue(request, pk: int):
    return _reason_view(request, pk, service=services.reissue, title=gettext("补发证书"))


@login_required
def certificate_exchange(request, pk: int):
    """结业 → 毕业 after 补考."""
    cert = _certificate(request, pk, services.exchange_completion)
    form = ExchangeForm(request.POST or None, initial={"issued_on": timezone.localdate()})

    def save(data):
        new = services.exchange_completion(actor=request.user, certificate=cert, **data)
        return graduation_certificates.detail_url(new.pk)

    return _cert_form_page(request, cert, form=form, title=gettext("结业换发毕业证书"), save=save)


@login_required
def certificate_codes(request, pk: int):
    """The certificate's online verification codes; staff create one on the holder's
    behalf (the holder chooses the validity) and may revoke them."""
    cert = _certificate(request, pk, services.verification_code_create)
    form = CodeDaysForm(request.POST or None, initial={"days": 30})
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = services.verification_code_create(
                actor=request.user, certificate=cert, days=form.cleaned_data["days"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            form = CodeDaysForm(initial={"days": 30})
    now = timezone.now()
    codes = [
        {
            "obj": c,
            "state": c.state(now),
            "label": c.state_label(now),
            "revoke_url": reverse("certificates:certificate_code_revoke", args=[cert.pk, c.pk]),
        }
        for c in selectors.verification_code_list(user=request.user, certificate=cert)
    ]
    return render(
        request,
        "certificates/codes.html",
        {
            "title": gettext("在线验证码"),
            "subtitle": _cert_subtitle(cert),
            "certificate": cert,
            "form": form,
            "created": created,
            "codes": codes,
            "register": graduation_certificates,
        },
    )


@login_required
@require_POST
def certificate_code_revoke(request, pk: int, code_pk: int):
    cert = _certificate(request, pk, services.verification_code_revoke)
    code = get_or_404(selectors.verification_code_for_change, user=request.user, pk=code_pk)
    if code.certificate_id != cert.pk:
        raise Http404(gettext("未找到该记录。"))
    try:
        services.verification_code_revoke(actor=request.user, code=code)
    except ValidationError as exc:
        messages.error(request, "；".join(messages_of(exc)))
    else:
        messages.success(request, gettext("验证码 %(c)s 已撤销。") % {"c": code})
    return redirect("certificates:certificate_codes", pk=cert.pk)


# The certificates of a student and of a 学籍 on their detail pages (students is the lower
# layer: it does not import certificates).
student_views.students.add_related(
    Related(
        _("职业技能等级证书"),
        lambda obj, user: selectors.skill_certificate_list(user=user).filter(person=obj),
        ["number", "occupation_name", "level", "issued_on", "evaluator"],
        register="certificates.SkillCertificate",
    )
)
student_views.registrations.add_related(
    Related(
        _("毕业证书"),
        lambda obj, user: selectors.graduation_certificate_list(user=user).filter(registration=obj),
        ["number", "outcome", "level", "issued_on", "status"],
        register="certificates.GraduationCertificate",
    )
)


# --- the department API: the query log (municipal bureau; the keys: public/keys.py) --------

query_log = Register(
    model=QueryLog,
    name="querylog",
    prefix="query-log",
    list_selector=selectors.query_log_list,
    get_selector=selectors.query_log_get,
    filterset_class=filters.QueryLogFilterSet,
    columns=[
        Col("at", link=True),
        "client",
        "channel",
        "kind",
        "number",
        "name",
        "found",
        "ip",
        "batch",
    ],
    paginate_by=50,
)
