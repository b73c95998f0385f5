"""Undoing online enrolment (（九）（十）, issue 16): the acts that take a step back.

- ``admission.withdraw``: the applicant (anonymous; /enrol/status/ checked the proof of
  reference and ID number, as for ``admission.confirm``) withdraws one choice or the
  whole application. A withdrawn choice is 已放弃 (released: it holds no place, the
  school decides it no more); one that became a 学籍 is not withdrawn (leaving a school
  is the 学籍's own procedure); a choice already refused or released stays as it is.
- ``admission.revoke``: a school's 招生 clerk reverses its own admission before the
  applicant confirmed it, with a reason the applicant reads; the choice is 待审核 again
  and its place in the plan line is free.

The rules (which states each act takes, and the messages) are the functions
``withdraw_refusal`` and ``revoke_refusal``; the acts lock the choices first and ask
them on the stored state. Registered with the other acts of the app when it is ready
(``AdmissionsConfig.ready``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jigong.admissions.models import Application, Choice, ChoiceState
from jigong.admissions.services import CLAUSE, NOBODY, describe, locked_choices
from jigong.core import services as core
from jigong.core.acts import SCHOOL, act
from jigong.core.models import Duty

# States a withdrawal takes back: undecided, admitted, confirmed but not yet a 学籍.
WITHDRAWABLE = (
    ChoiceState.SUBMITTED,
    ChoiceState.WAITLISTED,
    ChoiceState.ADMITTED,
    ChoiceState.CONFIRMED,
)
FINAL = (ChoiceState.REFUSED, ChoiceState.RELEASED)


# --- the rules -----------------------------------------------------------------------------


def withdraw_refusal(choice: Choice) -> str:
    """Why the applicant may not withdraw ``choice`` ("" if they may)."""
    if choice.state == ChoiceState.ENROLLED:
        return _("%(c)s已注册学籍，不能撤回报名；如需离校，请向学校申请办理学籍变动") % {
            "c": describe(choice)
        }
    if choice.state not in WITHDRAWABLE:
        return _("%(c)s当前为“%(st)s”，不能撤回") % {
            "c": describe(choice),
            "st": choice.get_state_display(),
        }
    return ""


def revoke_refusal(choice: Choice) -> str:
    """Why the school may not revoke its admission of ``choice`` ("" if it may)."""
    if choice.state in (ChoiceState.CONFIRMED, ChoiceState.ENROLLED):
        return _("%(c)s：申请人已确认录取（当前为“%(st)s”），学校不能再撤销录取") % {
            "c": describe(choice),
            "st": choice.get_state_display(),
        }
    if choice.state != ChoiceState.ADMITTED:
        return _("%(c)s当前为“%(st)s”，不能撤销录取（须为“已录取”）") % {
            "c": describe(choice),
            "st": choice.get_state_display(),
        }
    return ""


def _locked(application: Application) -> list[Choice]:
    return locked_choices(application)


# --- the acts ------------------------------------------------------------------------------


@act(
    "admission.withdraw",
    label=_lazy("撤回报名"),
    roles=NOBODY,
    anonymous=True,
    own_scope=True,
    model="admissions.application",
    clause=CLAUSE,
)
def application_withdraw(
    *, actor=None, application: Application, choice: Choice | None = None
) -> Application:
    """The applicant (the page checked the proof) withdraws ``choice``, or with none the
    whole application: every choice still open, admitted or confirmed is released and
    the application marked withdrawn. All or nothing: a choice that became a 学籍 refuses
    the whole withdrawal."""
    rows = _locked(application)
    if choice is not None:
        mine = next((c for c in rows if c.pk == choice.pk), None)
        if mine is None:
            raise ValidationError(
                {"choice": [_("该志愿不属于报名号%(r)s") % {"r": application.reference}]}
            )
        refusal = withdraw_refusal(mine)
        if refusal:
            raise ValidationError({"choice": [refusal]})
        taken = [mine]
    else:
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.withdrawn_at is not None:
            raise ValidationError(
                {"application": [_("报名号%(r)s已撤回报名") % {"r": application.reference}]}
            )
        enrolled = [c for c in rows if c.state == ChoiceState.ENROLLED]
        if enrolled:
            raise ValidationError({"application": [withdraw_refusal(enrolled[0])]})
        taken = [c for c in rows if c.state in WITHDRAWABLE]
    reason = _("申请人撤回")
    for c in taken:
        core.update(
            actor,
            c,
            state=ChoiceState.RELEASED,
            reason=reason,
            audit_message=application.reference,
        )
    if choice is None:
        application = core.update(
            actor, application, withdrawn_at=timezone.now(), audit_message=application.reference
        )
    return application


@act(
    "admission.revoke",
    label=_lazy("撤销录取"),
    roles=SCHOOL,
    duty=Duty.ENROLMENT,
    model="admissions.choice",
    clause=CLAUSE,
    reason=True,
)
def choice_revoke(*, actor, choice: Choice, reason: str) -> Choice:
    """The school reverses its admission of ``choice`` before the applicant confirmed:
    the choice is 待审核 again, with the reason, and its place is free."""
    choice = (
        Choice.objects.select_for_update(of=("self",))
        .select_related("application__season", "school", "school_major__major")
        .get(pk=choice.pk)
    )
    refusal = revoke_refusal(choice)
    if refusal:
        raise ValidationError({"state": [refusal]})
    return core.update(
        actor,
        choice,
        state=ChoiceState.SUBMITTED,
        reason=reason[:255],
        decided_at=timezone.now(),
        audit_message=_("撤销录取：%(r)s") % {"r": reason[:200]},
    )
