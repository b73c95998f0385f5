"""Public reads: published, masked data only. Anonymous callers never reach a register
through ``restrict()``; they get exactly what these functions return."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, fields

from django.db import connections, router
from django.db.backends.sqlite3.base import FORMAT_QMARK_REGEX
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from jigong.certificates import codes, numbering
from jigong.certificates.models import (
    CertificateStatus,
    GraduationCertificate,
    Outcome,
    QueryLog,
    SkillCertificate,
    VerificationCode,
)
from jigong.core import pii
from jigong.core.models import ApiKey, Role
from jigong.policy import rules
from jigong.standards import skillcert
from jigong.standards.errors import StandardError

MAX_NAME = 32


def normalise_name(name: str) -> str:
    return "".join((name or "").split())


def _fields(obj) -> dict:
    """A shallow ``asdict`` (lists copied): ``dataclasses.asdict`` deep-copies every
    value, which a batch of 10,000 results pays for dearly."""
    return {
        f.name: list(v) if isinstance(v := getattr(obj, f.name), list) else v for f in fields(obj)
    }


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
    # 互联互认: the holder's 职业技能等级证书 (number, occupation, level, issue date, evaluator)
    skill_certificates: list[dict] = field(default_factory=list)
    kind: str = "graduation"

    @property
    def valid(self) -> bool:
        return self.status == CertificateStatus.VALID

    def as_dict(self) -> dict:
        d = _fields(self)
        for k in ("study_from", "issued_on", "ended_on"):
            d[k] = d[k].isoformat() if d[k] else None
        return d


@dataclass(frozen=True)
class VerifiedSkillCertificate:
    """What the public sees of a 职业技能等级证书 whose number and holder's name matched,
    with the holder's graduation certificates (互联互认, （十八））."""

    number: str
    holder: str  # masked
    id_number: str  # masked
    occupation_code: str
    occupation_name: str
    level: int
    level_label: str
    issued_on: datetime.date
    evaluator: str
    graduation_certificates: list[dict] = field(default_factory=list)
    kind: str = "skill"

    def as_dict(self) -> dict:
        d = _fields(self)
        d["issued_on"] = self.issued_on.isoformat()
        return d


class _Labels:
    """Choice labels and equivalences as plain strings, resolved once per call: a batch
    of 10,000 must not translate the same lazy label 10,000 times."""

    def __init__(self, on: datetime.date):
        from jigong.certificates.models import SkillLevel
        from jigong.core.choices import Level, Tier
        from jigong.students.models import Track

        self.on = on
        self.level = {k: str(v) for k, v in Level.choices}
        self.outcome = {k: str(v) for k, v in Outcome.choices}
        self.status = {k: str(v) for k, v in CertificateStatus.choices}
        self.track = {k: str(v) for k, v in Track.choices}
        self.tier = {k: str(v) for k, v in Tier.choices}
        self.skill_level = {k: str(v) for k, v in SkillLevel.choices}
        self._equivalence: dict[str, tuple[str, list[str]]] = {}

    def equivalence(self, level: str, outcome: str, status: str) -> tuple[str, list[str]]:
        """The equivalence in force on the day of verification (（十八））: it applies to
        valid 毕业 certificates; a 结业证书 or an ended certificate carries none."""
        if outcome != Outcome.GRADUATED or status != CertificateStatus.VALID:
            return "", []
        if level not in self._equivalence:  # none before （十八） took effect
            self._equivalence[level] = (
                rules.equivalence_label(level, self.on) or "",
                rules.equivalence_uses(self.on),
            )
        label, uses = self._equivalence[level]
        return label, list(uses)


_SQL: dict[tuple[str, str], str] = {}


def _raw(name: str, model, build, params: list) -> list[tuple]:
    """The rows of the one-parameter query ``build()``, compiled by the ORM once per
    database and then run as SQL: single verification is the hot path, and compiling the
    same query on every request costs more than running it."""
    alias = router.db_for_read(model) or "default"
    key = (name, alias)
    sql = _SQL.get(key)
    if sql is None:
        sql = _SQL[key] = build().query.get_compiler(alias).as_sql()[0]
    conn = connections[alias]
    if conn.queries_logged or conn.execute_wrappers or conn.vendor not in _DRIVER_VENDORS:
        with conn.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    # The driver's cursor, with the checks and error wrapping of Django's cursor (a
    # broken connection is still noticed and closed) but not its per-call wrappers, nor
    # SQLite's "%s" → "?" rewrite of the same text on every call.
    conn.close_if_health_check_failed()
    conn.ensure_connection()
    conn.validate_thread_sharing()
    conn.validate_no_broken_transaction()
    with conn.wrap_database_errors:
        if conn.vendor == "sqlite":
            qmark = _QMARK.get(key)
            if qmark is None:
                qmark = _QMARK[key] = FORMAT_QMARK_REGEX.sub("?", sql).replace("%%", "%")
            return conn.connection.execute(qmark, params).fetchall()
        cursor = conn.create_cursor()
        try:
            cursor.execute(sql, params)
            return cursor.fetchall()
        finally:
            cursor.close()


_DRIVER_VENDORS = frozenset({"sqlite", "postgresql"})
_QMARK: dict[tuple[str, str], str] = {}


_SKILL_COLUMNS = ("person_id", "number", "occupation_name", "level", "issued_on", "evaluator__name")


_labels_cache: dict[tuple[datetime.date, str | None], _Labels] = {}


def _labels(on: datetime.date) -> _Labels:
    """The labels for a day in the active language, built once per process."""
    from django.utils.translation import get_language

    key = (on, get_language())
    labels = _labels_cache.get(key)
    if labels is None:
        if len(_labels_cache) > 16:
            _labels_cache.clear()
        labels = _labels_cache[key] = _Labels(on)
    return labels


def _skills_by_person(person_ids, labels: _Labels) -> dict[int, list[dict]]:
    """The 职业技能等级证书 of these people, as the public sees them, in one query."""
    person_ids = set(person_ids)
    if len(person_ids) == 1:
        rows = _raw(
            "skills_of_one",
            SkillCertificate,
            lambda: (
                SkillCertificate.objects.filter(person_id=0)
                .order_by("issued_on", "number")
                .values_list(*_SKILL_COLUMNS)
            ),
            list(person_ids),
        )
    else:
        rows = (
            SkillCertificate.objects.filter(person_id__in=person_ids)
            .order_by("issued_on", "number")
            .values_list(*_SKILL_COLUMNS)
        )
    return _skill_dicts(rows, labels)


_VIA_PERSON = "registration__person__skill_certificates__"


def _skill_dicts(rows, labels: _Labels) -> dict[int, list[dict]]:
    """(person, number, occupation, level, issued on, evaluator) rows → the public's
    dicts by person."""
    out: dict[int, list[dict]] = {}
    for person, number, occupation, level, issued, evaluator in rows:
        out.setdefault(person, []).append(
            {
                "number": number,
                "occupation_name": occupation,
                "level": level,
                "level_label": labels.skill_level.get(level, str(level)),
                "issued_on": issued.isoformat(),
                "evaluator": evaluator or "",
            }
        )
    return out


def _graduations_by_person(person_ids, labels: _Labels) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {}
    rows = (
        GraduationCertificate.objects.filter(registration__person_id__in=set(person_ids))
        .order_by("issued_on", "number")
        .values_list(
            "registration__person_id",
            "number",
            "school__name",
            "level",
            "outcome",
            "issued_on",
            "status",
        )
    )
    for person, number, school, level, outcome, issued, status in rows:
        out.setdefault(person, []).append(
            {
                "number": number,
                "school": school,
                "level_label": labels.level.get(level, level),
                "outcome_label": labels.outcome.get(outcome, outcome),
                "issued_on": issued.isoformat(),
                "status_label": labels.status.get(status, status),
            }
        )
    return out


# The columns a verification reads, in one row per certificate (no model instances).
_COLUMNS = (
    "number",
    "level",
    "outcome",
    "issued_on",
    "status",
    "revoked_on",
    "revoked_reason",
    "registration__person_id",
    "registration__person__name",
    "registration__person__id_number_enc",  # sealed: opened only to be masked
    "registration__major__name",
    "registration__track",
    "registration__enrolled_on",
    "registration__duration_months",
    "school__name",
    "school__tier",
)
_NAME = _COLUMNS.index("registration__person__name")
_ID_COLUMN = "students.person.id_number"  # the sealed column's associated data
_PERSON = _COLUMNS.index("registration__person_id")


def _verified(row: tuple, labels: _Labels, skills: list[dict]) -> VerifiedCertificate:
    (
        number, level, outcome, issued_on, status, revoked_on, revoked_reason, _person, name,
        id_number, major, track, enrolled_on, months, school, tier,
    ) = row  # fmt: skip
    equivalence, uses = labels.equivalence(level, outcome, status)
    ended = status != CertificateStatus.VALID
    return VerifiedCertificate(
        number=number,
        holder=pii.mask_name(name),
        id_number=pii.mask_id(pii.open_(id_number, _ID_COLUMN)),
        school=school,
        school_tier=labels.tier.get(tier, tier),
        major=major,
        level=level,
        level_label=labels.level.get(level, level),
        outcome=outcome,
        outcome_label=labels.outcome.get(outcome, outcome),
        track_label=labels.track.get(track, track),
        study_from=enrolled_on,
        study_months=months,
        issued_on=issued_on,
        status=status,
        status_label=labels.status.get(status, status),
        ended_on=revoked_on if ended else None,
        ended_reason=revoked_reason if ended else "",
        equivalence=equivalence,
        equivalence_uses=uses,
        skill_certificates=skills,
    )


def _clean_query(number: str, name: str) -> tuple[str, str]:
    """The normalised number and name, or ("", "") when they cannot match anything."""
    number = numbering.normalise(number)[: numbering.MAX_LENGTH + 1]
    name = normalise_name(name)[: MAX_NAME + 1]
    if not number or not name or not numbering.is_valid(number):
        return "", ""
    return number, name


def certificate_verify(
    *, number: str, name: str, on: datetime.date | None = None
) -> VerifiedCertificate | None:
    """The masked certificate whose number and holder's full name both match, else None.
    Every kind of miss (malformed or unknown number, wrong name) returns the same None."""
    return certificate_verify_many([(number, name)], on=on)[0]


BATCH_CHUNK = 2000  # numbers per IN (...) query; below PostgreSQL's and SQLite's limits


def certificate_verify_many(
    items: list[tuple[str, str]], *, on: datetime.date | None = None
) -> list[VerifiedCertificate | None]:
    """``certificate_verify`` for many (number, name) pairs, in order: two queries per
    chunk of numbers (certificates with their holders, then the holders' skill
    certificates), none per item; one query for a single number (the hot path)."""
    labels = _labels(on or datetime.date.today())
    cleaned = [_clean_query(n, m) for n, m in items]
    asked = {n: m for n, m in cleaned if n}
    wanted = sorted(asked)
    rows: dict[str, tuple] = {}
    skills: dict[int, list[dict]] = {}
    for i in range(0, len(wanted), BATCH_CHUNK):
        if len(wanted) == 1:
            # One query: the certificate, with its holder's skill certificates joined.
            joined = _raw(
                "certificate_with_skills",
                GraduationCertificate,
                lambda: (
                    GraduationCertificate.objects.filter(number="")
                    .order_by(*(_VIA_PERSON + c for c in ("issued_on", "number")))
                    .values_list(*_COLUMNS, *(_VIA_PERSON + c for c in _SKILL_COLUMNS[1:]))
                ),
                wanted,
            )
            if not joined:
                continue
            row = joined[0][: len(_COLUMNS)]
            rows[row[0]] = row
            if row[_NAME] == asked.get(row[0]):
                person = row[_PERSON]
                skills[person] = _skill_dicts(
                    ((person, *r[len(_COLUMNS) :]) for r in joined if r[len(_COLUMNS)]), labels
                ).get(person, [])
            continue
        found = list(
            GraduationCertificate.objects.filter(number__in=wanted[i : i + BATCH_CHUNK])
            .order_by()
            .values_list(*_COLUMNS)
        )
        rows.update((r[0], r) for r in found)
        matched = {r[_PERSON] for r in found if r[_NAME] == asked.get(r[0])}
        if matched:
            skills.update(_skills_by_person(matched, labels))
    out: list[VerifiedCertificate | None] = []
    for number, name in cleaned:
        row = rows.get(number) if number else None
        if row is None or row[_NAME] != name:
            out.append(None)
            continue
        out.append(_verified(row, labels, skills.get(row[_PERSON], [])))
    return out


def skill_certificate_verify(*, number: str, name: str) -> VerifiedSkillCertificate | None:
    """A 职业技能等级证书 by number and the holder's full name, with the holder's
    graduation certificates; the same None for every kind of miss."""
    return skill_certificate_verify_many([(number, name)])[0]


def skill_certificate_verify_many(
    items: list[tuple[str, str]],
) -> list[VerifiedSkillCertificate | None]:
    """``skill_certificate_verify`` for many pairs: two queries per chunk, none per item."""
    labels = _labels(datetime.date.today())
    cleaned = []
    for number, name in items:
        try:
            n = skillcert.validate_number((number or "")[:40])
        except StandardError:
            n = ""
        cleaned.append((n, normalise_name(name)[: MAX_NAME + 1]))
    asked = {n: m for n, m in cleaned if n}
    wanted = sorted(asked)
    found: dict[str, SkillCertificate] = {}
    graduations: dict[int, list[dict]] = {}
    for i in range(0, len(wanted), BATCH_CHUNK):
        rows = list(
            SkillCertificate.objects.select_related("person", "evaluator").filter(
                number__in=wanted[i : i + BATCH_CHUNK]
            )
        )
        found.update((s.number, s) for s in rows)
        matched = {s.person_id for s in rows if s.person.name == asked.get(s.number)}
        if matched:
            graduations.update(_graduations_by_person(matched, labels))
    out: list[VerifiedSkillCertificate | None] = []
    for number, name in cleaned:
        s = found.get(number) if number and name else None
        if s is None or s.person.name != name:
            out.append(None)
            continue
        out.append(
            VerifiedSkillCertificate(
                number=s.number,
                holder=pii.mask_name(s.person.name),
                id_number=pii.mask_id(s.person.id_number),
                occupation_code=s.occupation_code,
                occupation_name=s.occupation_name,
                level=s.level,
                level_label=labels.skill_level.get(s.level, str(s.level)),
                issued_on=s.issued_on,
                evaluator=s.evaluator.name if s.evaluator_id else "",
                graduation_certificates=graduations.get(s.person_id, []),
            )
        )
    return out


def verify_many(items: list[tuple[str, str]]) -> list:
    """Either kind of certificate for many pairs, in order (the number's shape decides)."""
    skill = [i for i, (n, _) in enumerate(items) if is_skill_number(n)]
    out: list = [None] * len(items)
    if skill:
        for i, r in zip(
            skill, skill_certificate_verify_many([items[i] for i in skill]), strict=True
        ):
            out[i] = r
    chosen = set(skill)
    rest = [i for i in range(len(items)) if i not in chosen]
    for i, r in zip(rest, certificate_verify_many([items[i] for i in rest]), strict=True):
        out[i] = r
    return out


def is_skill_number(number: str) -> bool:
    """Whether a typed number has the shape of a 职业技能等级证书 number (Y/S + 21 digits)."""
    try:
        skillcert.validate_number((number or "")[:40])
    except StandardError:
        return False
    return True


def any_verify(*, number: str, name: str):
    """Verify either kind of certificate; the number's shape says which."""
    if is_skill_number(number):
        return skill_certificate_verify(number=number, name=name)
    return certificate_verify(number=number, name=name)


@dataclass(frozen=True)
class CodeReport:
    """The verification report an online verification code opens."""

    certificate: VerifiedCertificate
    code: str  # grouped for display
    expires_at: datetime.datetime
    generated_at: datetime.datetime


def verification_code_report(*, code: str, now=None) -> CodeReport | None:
    """The report behind an active code; the same None for an unknown, malformed,
    expired or revoked code."""
    code = codes.normalise(code)
    if not code:
        return None
    now = now or timezone.now()
    found = (
        VerificationCode.objects.filter(code=code, revoked_at__isnull=True, expires_at__gt=now)
        .values_list("expires_at", *(f"certificate__{c}" for c in _COLUMNS))
        .first()
    )
    if found is None:
        return None
    expires_at, row = found[0], found[1:]
    labels = _labels(timezone.localdate(now))
    skills = _skills_by_person([row[_PERSON]], labels).get(row[_PERSON], [])
    return CodeReport(
        certificate=_verified(row, labels, skills),
        code=codes.display(code),
        expires_at=expires_at,
        generated_at=now,
    )


# --- the department's own keys --------------------------------------------------------


def my_api_keys(*, user):
    """The keys held by this department account (``ApiKey.holder``), newest first, each
    with ``last_used`` (its latest query in the log, None when never used). A department
    account has no register scope; like a graduate's records, it reads exactly its own."""
    if user is None or not user.is_authenticated or user.role != Role.DEPARTMENT:
        return ApiKey.objects.none()
    latest = QueryLog.objects.filter(api_key=OuterRef("pk")).order_by("-at").values("at")[:1]
    return (
        ApiKey.objects.filter(holder_id=user.pk)
        .annotate(last_used=Subquery(latest))
        .order_by(F("revoked_at").asc(nulls_first=True), "-created_at", "-id")
    )
