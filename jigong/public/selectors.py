"""Public reads: published, masked data only. Anonymous callers never reach a register
through ``restrict()``; they get exactly what these functions return."""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field

from jigong.certificates import numbering
from jigong.certificates.models import CertificateStatus, GraduationCertificate, Outcome
from jigong.policy import rules
from jigong.policy.parameters import ParameterNotInForce

MAX_NAME = 32


def mask_name(name: str) -> str:
    """张*明: first and last character kept; 张* for a two-character name."""
    name = (name or "").strip()
    if len(name) <= 1:
        return "*" * len(name)
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_id(id_number: str) -> str:
    """5001**********123X: the first 4 and last 4 characters kept."""
    s = id_number or ""
    if len(s) <= 8:
        return "*" * len(s)
    return s[:4] + "*" * (len(s) - 8) + s[-4:]


def normalise_name(name: str) -> str:
    return "".join((name or "").split())


@dataclass(frozen=True)
class VerifiedCertificate:
    """What the public sees of a certificate whose number and holder's name matched."""

    number: str
    holder: str  # masked
    id_number: str  # masked
    school: str
    school_tier: str
    major: str
    level: str
    level_label: str
    outcome: str
    outcome_label: str
    track_label: str
    study_from: datetime.date
    study_months: int
    issued_on: datetime.date
    status: str
    status_label: str
    ended_on: datetime.date | None = None
    ended_reason: str = ""
    equivalence: str = ""  # 中专 / 大专 / 本科; empty when it does not apply
    equivalence_uses: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.status == CertificateStatus.VALID

    def as_dict(self) -> dict:
        d = asdict(self)
        for k in ("study_from", "issued_on", "ended_on"):
            d[k] = d[k].isoformat() if d[k] else None
        return d


def _equivalence(cert: GraduationCertificate, on: datetime.date) -> tuple[str, list[str]]:
    """The equivalence in force on the day of verification (（十八）): it applies to 毕业
    certificates that are valid; a 结业证书 or an ended certificate carries none."""
    if cert.outcome != Outcome.GRADUATED or cert.status != CertificateStatus.VALID:
        return "", []
    try:
        return rules.equivalence_label(cert.level, on), rules.equivalence_uses(on)
    except ParameterNotInForce:
        return "", []


def certificate_verify(
    *, number: str, name: str, on: datetime.date | None = None
) -> VerifiedCertificate | None:
    """The masked certificate whose number and holder's full name both match, else None.
    Every kind of miss (malformed or unknown number, wrong name) returns the same None."""
    number = numbering.normalise(number)[: numbering.MAX_LENGTH + 1]
    name = normalise_name(name)[: MAX_NAME + 1]
    if not number or not name or not numbering.is_valid(number):
        return None
    cert = (
        GraduationCertificate.objects.select_related(
            "registration__person", "registration__major", "school"
        )
        .filter(number=number)
        .first()
    )
    if cert is None or cert.registration.person.name != name:
        return None
    reg = cert.registration
    equivalence, uses = _equivalence(cert, on or datetime.date.today())
    ended = cert.status != CertificateStatus.VALID
    return VerifiedCertificate(
        number=cert.number,
        holder=mask_name(reg.person.name),
        id_number=mask_id(reg.person.id_number),
        school=cert.school.name,
        school_tier=cert.school.get_tier_display(),
        major=reg.major.name,
        level=cert.level,
        level_label=cert.get_level_display(),
        outcome=cert.outcome,
        outcome_label=cert.get_outcome_display(),
        track_label=reg.get_track_display(),
        study_from=reg.enrolled_on,
        study_months=reg.duration_months,
        issued_on=cert.issued_on,
        status=cert.status,
        status_label=cert.get_status_display(),
        ended_on=cert.revoked_on if ended else None,
        ended_reason=cert.revoked_reason if ended else "",
        equivalence=equivalence,
        equivalence_uses=uses,
    )
