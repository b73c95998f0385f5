"""Sections of the portal and the duty each belongs to (issue 15).

A duty narrows what an account *does* (the act registry, ``acts.role_may``) and what it
*sees*: each section below names its duty, the URL names of its registers (lists,
details) and of the pages whose only purpose is one of its acts (entry forms, batch
pages). An account of a role holding that duty but lacking it

- may read the section's registers only when the section is ``shared`` (a school's
  学籍 list that a 证书 clerk needs to find a graduate; a form on such a page runs an
  act, which asks the duty itself);
- may not open the section's act pages at all;

and is answered 403 naming the duty. One check reads this table for every request
(``DutyMiddleware``), the menu reads it for every entry (``navigation.menu_for``), and
the import door for every kind (``ImportKind.duty``, ``refusal``). A duty of another
role does not narrow (学籍 is no duty of a bureau), as for acts. docs/architecture.md
"Sections and duties" is generated from this table (``scripts/docs_acts.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jigong.core.models import Duty


@dataclass(frozen=True)
class Section:
    label: str | Promise
    duty: str
    shared: bool  # the role's accounts without the duty may read its registers
    read: tuple[str, ...] = ()  # URL names of its registers
    act: tuple[str, ...] = ()  # URL names of pages whose only purpose is its acts


SECTIONS: tuple[Section, ...] = (
    Section(
        _lazy("学生与学籍"),
        Duty.RECORDS,
        shared=True,
        read=(
            "students:person_list",
            "students:person_detail",
            "students:registration_list",
            "students:registration_detail",
            "students:transfer_list",
            "students:transfer_detail",
        ),
        act=(
            "students:registration_status",
            "students:registration_revert",
            "students:registration_correct",
            "students:person_correct",
        ),
    ),
    Section(
        _lazy("招生计划与简章"),
        Duty.ENROLMENT,
        shared=False,
        read=(
            "workflows:enrolment_plan_list",
            "workflows:enrolment_plan_detail",
            "workflows:plan_summary",
            "workflows:brochure_list",
            "workflows:brochure_detail",
        ),
        act=(
            "workflows:plan_create",
            "workflows:plan_edit",
            "workflows:brochure_create",
            "workflows:brochure_edit",
        ),
    ),
    Section(
        _lazy("证书"),
        Duty.CERTIFICATES,
        shared=True,
        read=(
            "certificates:graduationcertificate_list",
            "certificates:graduationcertificate_detail",
            "certificates:skillcertificate_list",
            "certificates:skillcertificate_detail",
            "certificates:querylog_list",
            "certificates:querylog_detail",
        ),
        act=(
            "certificates:registration_graduate",
            "certificates:graduationcertificate_print",
            "certificates:graduationcertificate_print_batch",
            "certificates:certificate_revoke",
            "certificates:certificate_reissue",
            "certificates:certificate_exchange",
            "certificates:certificate_codes",
            "certificates:certificate_code_revoke",
            "graduate_accounts:invitation_create",
        ),
    ),
    Section(
        _lazy("培训与就业"),
        Duty.TRAINING,
        shared=False,
        read=(
            "training:trainingrecord_list",
            "training:trainingrecord_detail",
            "employment:employmentoutcome_list",
            "employment:employmentoutcome_detail",
        ),
    ),
    Section(
        _lazy("质量评价与年度报告"),
        Duty.STATISTICS,
        shared=True,
        read=(
            "indicators:dashboard",
            "quality:ranking",
            "quality:score_detail",
            "quality:report_list",
            "quality:report_file",
            "quality:school_report",
        ),
        act=(
            "quality:compute",
            "quality:review_new",
            "quality:report_publish",
            "quality:report_withdraw",
        ),
    ),
    Section(
        _lazy("账号管理"),
        Duty.ADMIN,
        shared=False,
        act=(
            "accounts:list",
            "accounts:create",
            "accounts:detail",
            "accounts:duties",
            "accounts:disable",
            "accounts:enable",
            "accounts:reset",
            "accounts:role_security",
        ),
    ),
)

_BY_NAME: dict[str, list[tuple[Section, bool]]] = {}
for _s in SECTIONS:
    for _name in _s.read:
        _BY_NAME.setdefault(_name, []).append((_s, False))
    for _name in _s.act:
        _BY_NAME.setdefault(_name, []).append((_s, True))


def _lacks(user, duty: str) -> bool:
    has = getattr(user, "has_duty", None)
    return has is not None and not has(duty)


def duty_message(section_label, duty: str) -> str:
    return _("无权访问“%(section)s”：须具有“%(duty)s”职责，请联系本单位管理员。") % {
        "section": section_label,
        "duty": Duty(duty).label,
    }


def refused_section(user, url_name: str) -> Section | None:
    """The section whose duty ``user`` lacks for the page ``url_name``, or None
    (anonymous users and other roles are the views' own business)."""
    sections = _BY_NAME.get(url_name)
    if not sections or user is None or not user.is_authenticated:
        return None
    for section, acting in sections:
        if (acting or not section.shared) and _lacks(user, section.duty):
            return section
    return None


def page_refusal(user, url_name: str) -> str | None:
    """Why ``user`` may not open the page ``url_name`` for want of a duty, or None."""
    section = refused_section(user, url_name)
    return duty_message(section.label, section.duty) if section else None


def duty_refusal(user, duty: str, *, write: bool) -> str | None:
    """Why ``user`` may not write (or read) the data of ``duty`` (an import kind's), or
    None: reading needs the duty unless a section of that duty is shared."""
    if not duty or user is None or not _lacks(user, duty):
        return None
    sections = [s for s in SECTIONS if s.duty == duty]
    label = sections[0].label if sections else Duty(duty).label
    if not write and any(s.shared for s in sections):
        return None
    return duty_message(label, duty)


class DutyMiddleware:
    """The one check of the pages: a page of a section whose duty the account lacks
    answers 403 naming the duty (after AuthenticationMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None:
            return None
        refusal = page_refusal(getattr(request, "user", None), match.view_name)
        if refusal:
            raise PermissionDenied(refusal)
        return None


def table() -> str:
    """The decision per section as docs/architecture.md shows it (section → duty → read
    / act), generated by ``scripts/docs_acts.py`` (``jigong acts --sections``)."""
    from jigong.core.models import ROLE_DUTIES, Role

    lines = [
        "| section | duty | roles holding it | without the duty | registers (read) "
        "| act pages (the duty only) |",
        "|---|---|---|---|---|---|",
    ]
    for s in SECTIONS:
        roles = "、".join(str(Role(r).label) for r, ds in ROLE_DUTIES.items() if s.duty in ds)
        others = "read" if s.shared else "—（403）"
        read = "<br>".join(f"`{n}`" for n in s.read) or "—"
        act = "<br>".join(f"`{n}`" for n in s.act) or "—"
        lines.append(f"| {s.label} | {Duty(s.duty).label} | {roles} | {others} | {read} | {act} |")
    return "\n".join(lines) + "\n"
