"""Writes on certificates: graduation certificates (graduate, exchange, revoke, reissue),
their online verification codes and skill certificates. Each is one act
(jigong.core.acts): its roles checked first, then the target's scope, the policy rules,
the writes in one transaction with audit rows naming the act."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jigong.certificates import codes, numbering
from jigong.certificates.models import (
    CertificateStatus,
    GraduationCertificate,
    Outcome,
    SkillCertificate,
    VerificationCode,
)
from jigong.core import services as core
from jigong.core.acts import ALL_STAFF, SCHOOL, UNSET, Unset, act, given
from jigong.core.errors import from_standard
from jigong.core.models import AuditLog, Duty, Role
from jigong.core.permissions import ensure, may
from jigong.policy import rules
from jigong.policy.rules import PolicyViolation
from jigong.schools.models import Designation, School
from jigong.standards import skillcert
from jigong.standards.errors import StandardError
from jigong.students import services as students
from jigong.students.models import Registration, Status

# --- skill certificates (职业技能等级证书), clause （八） --------------------------------


def _check_evaluator(evaluator, issued_on) -> None:
    """A skill certificate's evaluator must be filed as an evaluation institution
    (职业技能等级评价机构) for the year of issue (（八））."""
    if evaluator is None or issued_on is None:
        return
    filed = evaluator.designations.filter(
        kind=Designation.EVALUATION_INSTITUTION, year=issued_on.year
    ).exists()
    if not filed:
        raise ValidationError(
            {
                "evaluator": [
                    _("评价机构“%(s)s”：%(y)s年未备案为职业技能等级评价机构（依据（八））")
                    % {"s": evaluator.name, "y": issued_on.year}
                ]
            }
        )


def _check_issued_on(issued_on) -> None:
    if issued_on is not None and issued_on > datetime.date.today():
        raise ValidationError(
            {"issued_on": [_("发证日期“%(d)s”：发证日期不得晚于今天") % {"d": issued_on}]}
        )


def _occupation_code(code: str) -> str:
    try:
        return skillcert.validate_occupation_code(code)
    except StandardError as exc:
        raise from_standard(exc) from exc


@act(
    "skill_certificate.register",
    duty=Duty.CERTIFICATES,
    label=_lazy("登记职业技能等级证书"),
    roles=ALL_STAFF,
    model="certificates.skillcertificate",
    clause="（八）",
    channels=("import",),
    event="create",
)
def skill_certificate_create(
    *,
    actor,
    person,
    number: str,
    occupation_code: str,
    occupation_name: str,
    level: int,
    issued_on: datetime.date,
    evaluator=None,
) -> SkillCertificate:
    """Register a skill certificate held by ``person``, evaluated by ``evaluator`` (a
    school filed as an evaluation institution for the year of issue)."""
    try:
        number = skillcert.validate_number(number)
    except StandardError as exc:
        raise from_standard(exc) from exc
    occupation_code = _occupation_code(occupation_code)
    if actor is not None:
        ensure(actor, "add", SkillCertificate(person=person, evaluator=evaluator))
    _check_issued_on(issued_on)
    _check_evaluator(evaluator, issued_on)
    return core.create(
        actor,
        SkillCertificate,
        person=person,
        number=number,
        occupation_code=occupation_code,
        occupation_name=occupation_name,
        level=level,
        issued_on=issued_on,
        evaluator=evaluator,
    )


@act(
    "skill_certificate.update",
    duty=Duty.CERTIFICATES,
    label=_lazy("更正职业技能等级证书"),
    roles=ALL_STAFF,
    model="certificates.skillcertificate",
    clause="（八）",
    channels=("import",),
)
def skill_certificate_update(
    *,
    actor,
    certificate: SkillCertificate,
    occupation_code: str | Unset = UNSET,
    occupation_name: str | Unset = UNSET,
    level: int | Unset = UNSET,
    issued_on: datetime.date | Unset = UNSET,
    evaluator=UNSET,
) -> SkillCertificate:
    """Correct a skill certificate's details; the number and holder are its identity.
    A changed evaluator or date of issue is checked against the evaluator's filing."""
    if actor is not None:
        ensure(actor, "change", certificate)
    fields = given(
        occupation_code=occupation_code,
        occupation_name=occupation_name,
        level=level,
        issued_on=issued_on,
        evaluator=evaluator,
    )
    if "occupation_code" in fields:
        fields["occupation_code"] = _occupation_code(fields["occupation_code"])
    if "issued_on" in fields:
        _check_issued_on(fields["issued_on"])
    if {"evaluator", "issued_on"} & fields.keys() and (
        fields.get("evaluator", certificate.evaluator) != certificate.evaluator
        or fields.get("issued_on", certificate.issued_on) != certificate.issued_on
    ):
        _check_evaluator(
            fields.get("evaluator", certificate.evaluator),
            fields.get("issued_on", certificate.issued_on),
        )
    return core.update(actor, certificate, **fields)


# --- graduation certificates (毕业证书), clauses （八）（十八） ---------------------------

OUTCOME_STATUS = {Outcome.GRADUATED: Status.GRADUATED, Outcome.COMPLETED: Status.COMPLETED}
# Registrations in these statuses may graduate or complete (休学 must first 复学).
MAY_GRADUATE = (Status.ENROLLED, Status.RESUMED, Status.TRANSFERRED_IN)
# An autumn intake's study period ends in the summer: graduation may happen from the
# first day of this month of the final year (the end of the school year) onwards.
SCHOOL_YEAR_END_MONTH = 6


def study_complete_from(registration: Registration) -> datetime.date:
    """The first day a registration may graduate: the month its study period ends
    (入学日期 + 学制), or 1 June of that year when the period ends in the summer or
    autumn, since the school year ends in June/July."""
    end = registration.expected_end
    first = end.replace(day=1)
    if end.month > SCHOOL_YEAR_END_MONTH:
        first = datetime.date(end.year, SCHOOL_YEAR_END_MONTH, 1)
    return first


def _date_error(field: str, label: str, value, rule: str) -> ValidationError:
    return ValidationError({field: [f"{label}“{value}”：{rule}"]})


def _next_number(school: School, level: str, year: int) -> str:
    """The next free number of (year, school, level). The school row is locked for the
    rest of the transaction so that two issuers cannot take the same serial."""
    School.objects.select_for_update().filter(pk=school.pk).exists()
    head = numbering.prefix(year, school.code, level)
    serials = [
        numbering.serial_of(n, head)
        for n in GraduationCertificate.objects.filter(number__startswith=head).values_list(
            "number", flat=True
        )
    ]
    serial = max([s for s in serials if s is not None], default=0) + 1
    if serial > numbering.MAX_SERIAL:
        raise ValidationError(
            {
                "number": [
                    _("证书编号：%(y)s年%(s)s的该层次证书流水号已用尽（最多%(m)s个）")
                    % {"y": year, "s": school.name, "m": numbering.MAX_SERIAL}
                ]
            }
        )
    return numbering.make(year, school.code, level, serial)


def _given_number(number: str, school: School, level: str, year: int) -> str:
    """A number brought in with the certificate (an import of an exported register into
    an empty database keeps the numbers printed on the certificates): only in the form
    this certificate would get — its year of issue, its school, its level — and free."""
    try:
        numbering.check(number)
        head = numbering.prefix(year, school.code, level)
    except numbering.NumberError as exc:
        raise ValidationError({"number": [exc.message]}) from exc
    if numbering.serial_of(number, head) is None:
        raise ValidationError(
            {
                "number": [
                    _(
                        "证书编号“%(n)s”：应以“%(h)s”开头（发证年份、本校学校代码和班级层次），"
                        "后接6位流水号和校验位；新发证时也可留空，由系统生成"
                    )
                    % {"n": number, "h": head}
                ]
            }
        )
    School.objects.select_for_update().filter(pk=school.pk).exists()  # as _next_number
    if GraduationCertificate.objects.filter(number=number).exists():
        raise ValidationError({"number": [_("证书编号“%(n)s”已被另一证书使用") % {"n": number}]})
    return number


def _issue(
    *, actor, registration: Registration, outcome: str, issued_on, number: str | None = None
) -> GraduationCertificate:
    if number:
        number = _given_number(number, registration.school, registration.level, issued_on.year)
    else:
        try:
            number = _next_number(registration.school, registration.level, issued_on.year)
        except numbering.NumberError as exc:
            raise ValidationError({"number": [exc.message]}) from exc
    return core.create(
        actor,
        GraduationCertificate,
        registration=registration,
        school=registration.school,
        number=number,
        outcome=outcome,
        level=registration.level,
        issued_on=issued_on,
    )


def _end(actor, certificate: GraduationCertificate, status: str, on, reason: str, message: str):
    """Move a valid certificate to revoked/replaced, audited with the reason."""
    before = core.snapshot(certificate)
    certificate.status = status
    certificate.revoked_on = on
    certificate.revoked_reason = reason
    certificate.full_clean()
    certificate.save(update_fields=["status", "revoked_on", "revoked_reason"])
    after = core.snapshot(certificate)
    changed = [k for k in after if after[k] != before[k]]
    core.audit(
        actor,
        AuditLog.Action.UPDATE,
        certificate,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
        message=message[:255],
    )


def _check_issue_date(issued_on, *, not_before=None, not_before_label="") -> None:
    if issued_on > datetime.date.today():
        raise _date_error("issued_on", _("发证日期"), issued_on, _("不得晚于今天"))
    if not_before is not None and issued_on < not_before:
        raise _date_error(
            "issued_on",
            _("发证日期"),
            issued_on,
            _("不得早于%(what)s“%(d)s”") % {"what": not_before_label, "d": not_before},
        )


@act(
    "certificate.graduate",
    duty=Duty.CERTIFICATES,
    label=_lazy("毕业（结业）发证"),
    roles=SCHOOL,
    model="certificates.graduationcertificate",
    clause="（八）（十八）",
    channels=("page", "import"),
    event="create",
)
def graduate(
    *,
    actor,
    registration: Registration,
    issued_on: datetime.date,
    outcome: str = "graduated",
    number: str | None = None,
) -> GraduationCertificate:
    """Graduate (毕业) or complete (结业) a registration and issue its certificate, in one
    transaction: the status change (学籍异动), the certificate with a new number (or
    ``number``, one in this certificate's form that is free: see ``_given_number``),
    audit rows.

    A registration already 结业 whose 结业证书 is valid may be graduated after 补考: that is
    ``exchange_completion`` (the 结业证书 becomes “replaced”). Nothing is written when a
    check fails."""
    if outcome not in OUTCOME_STATUS:
        raise ValidationError({"outcome": [_("类别“%(o)s”：应为“毕业”或“结业”") % {"o": outcome}]})
    passed = registration
    registration = (
        Registration.objects.select_related("person", "school", "major")
        .select_for_update(of=("self",))
        .get(pk=registration.pk)
    )
    if actor is not None:
        ensure(actor, "change", registration)
        ensure(actor, "add", GraduationCertificate(school=registration.school))
    valid = list(registration.certificates.filter(status=CertificateStatus.VALID))
    if registration.status == Status.COMPLETED and outcome == Outcome.GRADUATED:
        completion = next((c for c in valid if c.outcome == Outcome.COMPLETED), None)
        if completion is not None:
            new = _exchange(actor, completion, registration, issued_on, number)
            passed.refresh_from_db()
            return new
    if (
        any(c.outcome == Outcome.GRADUATED for c in valid)
        or registration.status == Status.GRADUATED
    ):
        raise ValidationError(
            {
                "registration": [
                    _("学籍“%(r)s”：已毕业并持有有效毕业证书，不能重复发证；证书遗失请办理补发")
                    % {"r": registration}
                ]
            }
        )
    if registration.status not in MAY_GRADUATE:
        raise ValidationError(
            {
                "registration": [
                    _("学籍状态“%(s)s”：只有在校（在校、复学、转入）的学籍可以%(o)s")
                    % {
                        "s": registration.get_status_display(),
                        "o": Outcome(outcome).label,
                    }
                ]
            }
        )
    earliest = study_complete_from(registration)
    if issued_on < earliest:
        raise _date_error(
            "issued_on",
            _("发证日期"),
            issued_on,
            _("学制未满：入学日期%(e)s、学制%(m)s个月，最早可于%(f)s毕业或结业")
            % {"e": registration.enrolled_on, "m": registration.duration_months, "f": earliest},
        )
    _check_issue_date(
        issued_on,
        not_before=registration.status_changed_on,
        not_before_label=_("上一次学籍状态日期"),
    )
    students.registration_change_status(
        actor=actor,
        registration=registration,
        status=OUTCOME_STATUS[outcome],
        changed_on=issued_on,
        reason=_("颁发%(o)s证书") % {"o": Outcome(outcome).label},
    )
    cert = _issue(
        actor=actor,
        registration=registration,
        outcome=outcome,
        issued_on=issued_on,
        number=number,
    )
    passed.refresh_from_db()
    return cert


def _exchange(actor, completion, registration, issued_on, number=None) -> GraduationCertificate:
    _check_issue_date(
        issued_on, not_before=completion.issued_on, not_before_label=_("结业证书发证日期")
    )
    students.registration_change_status(
        actor=actor,
        registration=registration,
        status=Status.GRADUATED,
        changed_on=issued_on,
        reason=_("补考合格，结业证书换发毕业证书"),
    )
    new = _issue(
        actor=actor,
        registration=registration,
        outcome=Outcome.GRADUATED,
        issued_on=issued_on,
        number=number,
    )
    reason = _("补考合格换发毕业证书%(n)s") % {"n": new.number}
    _end(actor, completion, CertificateStatus.REPLACED, issued_on, reason, reason)
    return new


def _valid_certificate(certificate: GraduationCertificate, action: str) -> GraduationCertificate:
    cert = (
        GraduationCertificate.objects.select_for_update(of=("self",))
        .select_related("registration", "school")
        .get(pk=certificate.pk)
    )
    if cert.status != CertificateStatus.VALID:
        raise ValidationError(
            {
                "status": [
                    _("证书“%(n)s”当前状态为“%(s)s”：只有有效的证书可以%(a)s")
                    % {"n": cert.number, "s": cert.get_status_display(), "a": action}
                ]
            }
        )
    return cert


def _check_reason_length(reason: str) -> None:
    """The act has stripped the reason and refused an empty one (``reason=True``)."""
    if len(reason) > 128:
        raise ValidationError({"reason": [_("原因：不超过128个字符")]})


@act(
    "certificate.exchange_completion",
    duty=Duty.CERTIFICATES,
    label=_lazy("结业换发毕业证书"),
    roles=SCHOOL,
    model="certificates.graduationcertificate",
    clause="（八）（十八）",
    channels=("page",),
    event="create",
)
def exchange_completion(
    *, actor, certificate: GraduationCertificate, issued_on: datetime.date
) -> GraduationCertificate:
    """结业 → 毕业 after 补考: the 结业证书 becomes “replaced”, a new 毕业证书 is issued and
    the registration moves to 毕业."""
    if actor is not None:
        ensure(actor, "change", certificate)
    cert = _valid_certificate(certificate, _("换发毕业证书"))
    if cert.outcome != Outcome.COMPLETED:
        raise ValidationError(
            {
                "outcome": [
                    _("证书“%(n)s”类别为“%(o)s”：只有结业证书可以换发毕业证书")
                    % {"n": cert.number, "o": cert.get_outcome_display()}
                ]
            }
        )
    registration = Registration.objects.select_for_update().get(pk=cert.registration_id)
    if registration.status != Status.COMPLETED:
        raise ValidationError(
            {
                "registration": [
                    _("学籍状态“%(s)s”：只有结业的学籍可以换发毕业证书")
                    % {"s": registration.get_status_display()}
                ]
            }
        )
    if actor is not None:
        ensure(actor, "change", registration)
    certificate.refresh_from_db()
    new = _exchange(actor, cert, registration, issued_on)
    certificate.refresh_from_db()
    return new


@act(
    "certificate.revoke",
    duty=Duty.CERTIFICATES,
    label=_lazy("撤销毕业证书"),
    roles=SCHOOL,
    model="certificates.graduationcertificate",
    clause="（十八）",
    reason=True,
    channels=("page", "import"),
)
def revoke(
    *, actor, certificate: GraduationCertificate, reason: str, on: datetime.date
) -> GraduationCertificate:
    """Revoke (撤销) a certificate with a reason; it then verifies as revoked."""
    if actor is not None:
        ensure(actor, "change", certificate)
    _check_reason_length(reason)
    cert = _valid_certificate(certificate, _("撤销"))
    _check_issue_date(on, not_before=cert.issued_on, not_before_label=_("发证日期"))
    _end(actor, cert, CertificateStatus.REVOKED, on, reason, _("撤销：%(r)s") % {"r": reason})
    certificate.refresh_from_db()
    return cert


@act(
    "certificate.reissue",
    duty=Duty.CERTIFICATES,
    label=_lazy("补发毕业证书"),
    roles=SCHOOL,
    model="certificates.graduationcertificate",
    clause="（八）（十八）",
    reason=True,
    channels=("page", "import"),
    event="create",
)
def reissue(
    *,
    actor,
    certificate: GraduationCertificate,
    reason: str,
    on: datetime.date,
    number: str | None = None,
) -> GraduationCertificate:
    """Reissue (补发) a lost or damaged certificate: the old number becomes “replaced”, a
    new certificate with a new number (or ``number``: a register carried over, checked as
    ``graduate`` checks it) and the same contents is issued on ``on``."""
    if actor is not None:
        ensure(actor, "change", certificate)
    _check_reason_length(reason)
    cert = _valid_certificate(certificate, _("补发"))
    _check_issue_date(on, not_before=cert.issued_on, not_before_label=_("原证书发证日期"))
    if number:
        number = _given_number(number, cert.school, cert.level, on.year)
    else:
        try:
            number = _next_number(cert.school, cert.level, on.year)
        except numbering.NumberError as exc:
            raise ValidationError({"number": [exc.message]}) from exc
    new = core.create(
        actor,
        GraduationCertificate,
        registration=cert.registration,
        school=cert.school,
        number=number,
        outcome=cert.outcome,
        level=cert.level,
        issued_on=on,
    )
    _end(
        actor,
        cert,
        CertificateStatus.REPLACED,
        on,
        reason,
        _("补发：%(r)s；新证书编号%(n)s") % {"r": reason, "n": new.number},
    )
    certificate.refresh_from_db()
    return new


# --- online verification codes (在线验证码) ---------------------------------------------


# The holder (a graduate account) or the issuing school on the holder's behalf; the
# bureaus do not hand out a holder's verification codes.
HOLDER_OR_SCHOOL = frozenset({Role.GRADUATE, Role.SCHOOL})


def _may_share(actor, certificate: GraduationCertificate) -> bool:
    """The scope of a code act (its roles are checked first): a graduate account only
    for a certificate of its own person, a school only for its own certificates."""
    if actor is None:
        return True
    if actor.role == Role.GRADUATE and not actor.is_superuser:
        return bool(actor.person_id) and actor.person_id == certificate.registration.person_id
    return may(actor, "change", certificate)


def _not_yours() -> PermissionDenied:
    return PermissionDenied(_("无权为该证书办理在线验证码：只能为本人（或本校）的证书办理。"))


@act(
    "verification_code.create",
    duty=Duty.CERTIFICATES,
    label=_lazy("生成在线验证码"),
    roles=HOLDER_OR_SCHOOL,
    model="certificates.verificationcode",
    clause="（十八）",
    channels=("page",),
    event="create",
)
def verification_code_create(
    *, actor, certificate: GraduationCertificate, days
) -> VerificationCode:
    """Create an online verification code valid for ``days`` (the holder's choice, within
    the platform's range); only a valid certificate may be shared."""
    cert = GraduationCertificate.objects.select_related("registration").get(pk=certificate.pk)
    if not _may_share(actor, cert):
        raise _not_yours()
    today = timezone.localdate()
    try:
        days = int(days)
    except (TypeError, ValueError):
        bounds = rules.verification_code_days(today)
        raise ValidationError(
            {
                "days": [
                    _("有效期“%(d)s”：应为%(a)s至%(b)s天之间的整数")
                    % {"d": str(days)[:20], "a": bounds["min"], "b": bounds["max"]}
                ]
            }
        ) from None
    try:
        rules.check_verification_code_days(days, today)
    except PolicyViolation as exc:
        raise from_standard(exc) from exc
    if cert.status != CertificateStatus.VALID:
        raise ValidationError(
            {
                "certificate": [
                    _("证书“%(n)s”当前状态为“%(s)s”：只有有效的证书可以生成在线验证码")
                    % {"n": cert.number, "s": cert.get_status_display()}
                ]
            }
        )
    for _attempt in range(5):
        code = codes.generate()
        if not VerificationCode.objects.filter(code=code).exists():
            break
    now = timezone.now()
    return core.create(
        actor,
        VerificationCode,
        check=False,  # _may_share decided: the holder is not a staff role
        code=code,
        certificate=cert,
        days=days,
        expires_at=now + datetime.timedelta(days=days),
        created_by=actor if actor is not None and actor.pk else None,
    )


@act(
    "verification_code.revoke",
    duty=Duty.CERTIFICATES,
    label=_lazy("撤销在线验证码"),
    roles=HOLDER_OR_SCHOOL,
    model="certificates.verificationcode",
    clause="（十八）",
    channels=("page",),
    own_scope=True,  # the holder's own code (_may_share): not a staff scope
)
def verification_code_revoke(*, actor, code: VerificationCode) -> VerificationCode:
    """Revoke a code before it expires; it then answers like an unknown code."""
    vc = (
        VerificationCode.objects.select_for_update(of=("self",))
        .select_related("certificate__registration", "certificate__school")
        .get(pk=code.pk)
    )
    if not _may_share(actor, vc.certificate):
        raise _not_yours()
    if vc.revoked_at is not None:
        raise ValidationError(
            {"code": [_("验证码“%(c)s”：已于%(t)s撤销") % {"c": vc, "t": vc.revoked_at}]}
        )
    core.update(actor, vc, check=False, revoked_at=timezone.now())
    code.refresh_from_db()
    return vc
