"""Cross-channel tests generated from the registry of acts.

For every act with an exemplar below, every role tries it through every door the act's
registry entry names (the service itself, the page POST, the spreadsheet row) on a
target inside its scope (school_a's side of the world) and outside it (school_b's). The
verdict is the same on every door; a refusal by the act's rules carries the same Chinese
message on every door; a refusal leaves the database as it was (row counts of the
act's tables and the audit log).

``PENDING`` lists the acts that offer a door but have no exemplar yet: it may only
shrink (an act with an exemplar must leave it, a new act must get an exemplar).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from jigong.core import acts
from jigong.core.imports import get_kind, run_import
from jigong.core.models import AuditLog
from jigong.schools import services as school_services
from jigong.students import services as student_services
from jigong.workflows import licensing
from tests.imports.conftest import student_fields
from tests.imports.helpers import xlsx

pytestmark = pytest.mark.django_db

ROLES = ("municipal", "district_a", "user_a", "department", "graduate")
SIDES = ("own", "other")


class _Rollback(Exception):
    pass


@dataclass
class Verdict:
    ok: bool
    messages: tuple[str, ...] = ()
    scope: bool = False  # refused as outside the actor's scope or role

    def __str__(self):
        return "ok" if self.ok else f"refused({'scope' if self.scope else 'rule'}): {self.messages}"


@dataclass
class Exemplar:
    act: str
    target: Callable  # (world, side) -> the target
    service: Callable  # (world, actor, target) -> None
    page: Callable | None = None  # (world, target) -> (url, data)
    row: Callable | None = None  # (world, target) -> (import kind, {header: value})
    tables: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict)


def _school(world, side):
    return world.school_a if side == "own" else world.school_b


def _registration(world, side):
    return world.reg_a if side == "own" else world.reg_b


def _export_row(kind_key, obj) -> dict:
    kind = get_kind(kind_key)
    values = kind.export_row(obj)
    out = {}
    for column, value in zip(kind.columns, values, strict=True):
        out[column.header] = column.export(value) if hasattr(column, "export") else value
    return out


def _school_edit_page(world, school):
    return f"/schools/{school.pk}/edit/", {
        "name": school.name,
        "sponsor": school.sponsor,
        "address": "重庆市示例路99号",
        "founded_on": "",
        "campus_network_coverage": "1",
    }


def _school_row(world, school):
    row = _export_row("schools", school)
    row["地址"] = "重庆市示例路99号"
    return "schools", row


def _enrol_row(world, school):
    row = student_fields(school.code, name="新生甲")
    return "students", row


def _enrol(world, actor, school):
    student_services.registration_create(
        actor=actor,
        school=school,
        major=world.reg_a.major,
        level="intermediate",
        entry_point="junior",
        duration_months=36,
        track="full_time",
        source="junior_graduate",
        enrolled_on=datetime.date(2025, 9, 1),
        id_number=student_fields(school.code)["身份证号"],
        name="新生甲",
        home_province="50",
    )


def _registration_row(change):
    def build(world, registration):
        row = _export_row("students", registration)
        row.update(change)
        return "students", row

    return build


def _status_page(world, registration):
    return f"/registrations/{registration.pk}/status/", {
        "status": "suspended",
        "changed_on": datetime.date.today().isoformat(),
        "reason": "病休",
        "counterpart_school": "",
    }


EXEMPLARS = [
    Exemplar(
        "school.update",
        _school,
        lambda w, actor, s: school_services.school_update(
            actor=actor, school=s, address="重庆市示例路99号"
        ),
        page=_school_edit_page,
        row=_school_row,
        tables=("schools.School",),
    ),
    Exemplar(
        "school.suspend_enrolment",
        lambda w, side: w.school_a2 if side == "own" else w.school_b,
        lambda w, actor, s: licensing.enrolment_suspend(actor=actor, school=s, reason="违规招生"),
        page=lambda w, s: (f"/compliance/{s.pk}/suspend/", {"reason": "违规招生"}),
        tables=("schools.School",),
    ),
    Exemplar(
        "registration.enrol",
        _school,
        _enrol,
        row=_enrol_row,
        tables=("students.Registration", "students.Person"),
    ),
    Exemplar(
        "registration.correct",
        _registration,
        lambda w, actor, r: student_services.registration_update(
            actor=actor, registration=r, duration_months=48
        ),
        row=_registration_row({"学制（月）": 48}),
        tables=("students.Registration",),
    ),
    Exemplar(
        "person.correct",
        _registration,
        lambda w, actor, r: student_services.person_correct(
            actor=actor, person=r.person, name="更正名"
        ),
        row=_registration_row({"姓名": "更正名"}),
        tables=("students.Person",),
    ),
    Exemplar(
        "registration.change_status",
        _registration,
        lambda w, actor, r: student_services.registration_change_status(
            actor=actor,
            registration=r,
            status="suspended",
            changed_on=datetime.date.today(),
            reason="病休",
        ),
        page=_status_page,
        tables=("students.Registration", "students.StatusChange"),
    ),
]
BY_ACT = {e.act: e for e in EXEMPLARS}

# Acts that offer a door and have no exemplar here yet (may only shrink).
PENDING = frozenset(
    {
        "school.register",
        "school.change_tier",
        "school.move_district",
        "school.restore_enrolment",
    }
)


def _fingerprint(tables) -> tuple:
    counts = tuple(apps.get_model(t).objects.count() for t in tables)
    return counts, AuditLog.objects.count()


def _trial(fn) -> Verdict:
    """Run one attempt and roll it back, whatever it did."""
    try:
        with transaction.atomic():
            verdict = fn()
            raise _Rollback(verdict)
    except _Rollback as r:
        return r.args[0]


def _by_service(ex, world, actor, target) -> Verdict:
    before = None

    def attempt():
        nonlocal before
        before = _fingerprint(ex.tables)
        try:
            ex.service(world, actor, target)
        except PermissionDenied as exc:
            assert _fingerprint(ex.tables) == before
            return Verdict(False, (str(exc),), scope=True)
        except ValidationError as exc:
            return Verdict(False, tuple(exc.messages))
        return Verdict(True)

    return _trial(attempt)


def _by_page(ex, world, client, actor, target) -> Verdict:
    url, data = ex.page(world, target)

    client.force_login(actor)  # a log-in writes its own audit row: before the count

    def attempt():
        before = _fingerprint(ex.tables)
        r = client.post(url, data, follow=True)
        text = r.content.decode()
        changed = _fingerprint(ex.tables) != before
        if r.status_code in (403, 404):
            assert not changed
            return Verdict(False, (text,), scope=True)
        assert r.status_code == 200, (url, r.status_code)
        if not changed:
            return Verdict(False, (text,))
        return Verdict(True)

    return _trial(attempt)


def _by_import(ex, world, actor, target) -> Verdict:
    kind, row = ex.row(world, target)
    header = list(row)
    data = xlsx([[row[h] for h in header]], header=header)

    def attempt():
        before = _fingerprint(ex.tables)
        r = run_import(kind, data, filename="x.xlsx", user=actor, mode="all")
        if r.ok:
            return Verdict(True)
        assert _fingerprint(ex.tables) == before
        text = tuple(str(e) for e in r.errors) + tuple(r.file_errors)
        scoped = any("范围" in t or "无权" in t for t in text) or not r.errors
        return Verdict(False, text, scope=scoped)

    return _trial(attempt)


def test_every_act_with_a_door_has_an_exemplar_or_is_pending():
    offered = {a.code for a in acts.acts() if not a.code.startswith("workflow.")}
    missing = offered - set(BY_ACT) - PENDING
    assert not missing, f"acts without a cross-channel exemplar: {sorted(missing)}"
    assert not (set(BY_ACT) & PENDING), "an act with an exemplar is still listed as pending"
    assert set(BY_ACT) <= offered


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("code", sorted(BY_ACT))
def test_same_verdict_and_message_on_every_door(world, client, code, role, side):
    ex = BY_ACT[code]
    spec = acts.get(code)
    actor = getattr(world, role)
    target = ex.target(world, side)
    expected = _by_service(ex, world, actor, target)
    if actor.role not in spec.roles:
        assert not expected.ok and expected.scope, (code, role, expected)
    doors = {}
    if ex.page is not None and "page" in spec.channels:
        doors["page"] = _by_page(ex, world, client, actor, target)
    if ex.row is not None and "import" in spec.channels:
        doors["import"] = _by_import(ex, world, actor, target)
    assert doors, f"{code}: no door tried"
    for door, got in doors.items():
        assert got.ok == expected.ok, (
            f"{code} by {role} on {side}: service {expected}, {door} {got}"
        )
        if not expected.ok and not expected.scope:
            # a rule's refusal reads the same on every door
            for message in expected.messages:
                assert any(message in text for text in got.messages), (door, message, got)
