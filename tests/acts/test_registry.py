"""The registry of acts: its shape, the rule that every write is an act, and the readers
that use it (the audit-log filter, the back office, docs/architecture.md's table)."""

import ast
import inspect
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from jigong.core import acts
from jigong.core.management.commands.acts import table
from jigong.core.models import AuditLog, Role
from jigong.schools.models import School, SchoolStatus
from jigong.workflows import licensing
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]
JIGONG = ROOT / "jigong"
DOCS = ROOT / "docs" / "architecture.md"
WRITES = {"create", "update", "delete", "audit", "bulk_insert", "bulk_created"}
# Modules holding service functions (HackSoft: one function per change).
SERVICE_MODULES = sorted(
    p
    for p in JIGONG.glob("*/*.py")
    if p.name == "services.py"
    or p.relative_to(JIGONG).as_posix()
    in {
        "workflows/licensing.py",
        "workflows/catalogue.py",
        "workflows/records.py",
        "workflows/designations.py",
        "workflows/registers.py",
    }
)


def test_registry_is_complete_and_well_formed():
    registered = acts.acts()
    assert len(registered) >= 40
    for a in registered:
        assert re.fullmatch(r"[a-z_]+(\.[a-z_]+)+", a.code), a.code
        assert str(a.label).strip() and a.channels and a.channels <= acts.CHANNELS, a
        assert a.roles <= set(Role.values), a
        if a.code.startswith("workflow."):
            continue
        params = inspect.signature(a.func).parameters.values()
        assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params), a.code
        assert "actor" in {p.name for p in params}, a.code


def _functions(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            yield node


def _decorated_as_act(node: ast.FunctionDef) -> bool:
    """``@act(...)``, or ``@step_of(...)``: a step that runs only inside named acts."""
    for d in node.decorator_list:
        target = d.func if isinstance(d, ast.Call) else d
        name = getattr(target, "id", None) or getattr(target, "attr", None)
        if name in ("act", "step_of"):
            return True
    return False


def _writes(node: ast.FunctionDef) -> bool:
    for sub in ast.walk(node):
        if (
            isinstance(sub, ast.Call)
            and isinstance(sub.func, ast.Attribute)
            and isinstance(sub.func.value, ast.Name)
            and sub.func.value.id == "core"
            and sub.func.attr in WRITES
        ):
            return True
        if (
            isinstance(sub, ast.Call)
            and isinstance(sub.func, ast.Attribute)
            and sub.func.attr == "performing"
        ):
            return True
    return False


def test_no_service_takes_fields():
    """Typed keyword-only arguments, never ``**fields`` (26 services did)."""
    found = [
        f"{p.relative_to(ROOT)}:{fn.lineno} {fn.name}(**{fn.args.kwarg.arg})"
        for p in SERVICE_MODULES
        if p.parent.name != "core"
        for fn in _functions(p)
        if fn.args.kwarg is not None
    ]
    assert not found, "\n".join(found)


def test_every_public_write_is_a_registered_act():
    """A public function of a services module that writes (core.create/update/delete/
    audit/bulk) is an act, or runs as one (``acts.performing``)."""
    found = [
        f"{p.relative_to(ROOT)}:{fn.lineno} {fn.name}"
        for p in SERVICE_MODULES
        if p.parent.name != "core"
        for fn in _functions(p)
        if _writes(fn)
        and not _decorated_as_act(fn)
        and not any(
            isinstance(s, ast.Call)
            and isinstance(s.func, ast.Attribute)
            and s.func.attr == "performing"
            for s in ast.walk(fn)
        )
    ]
    assert not found, "writes outside any act:\n" + "\n".join(found)


def test_docs_table_is_the_registry():
    text = DOCS.read_text(encoding="utf-8")
    start, end = "<!-- acts:start -->\n", "<!-- acts:end -->"
    assert start in text and end in text, "docs/architecture.md lacks the table of acts"
    documented = text.split(start, 1)[1].split(end, 1)[0]
    assert documented == table(), "regenerate: jigong acts > the table in docs/architecture.md"


def test_cli_prints_the_table(capsys):
    call_command("acts")
    out = capsys.readouterr().out
    assert "`school.suspend_enrolment` | 暂停招生 |" in out


# --- readers of the registry ---------------------------------------------------------


@pytest.mark.django_db
def test_audit_log_filters_by_act(client, world):
    licensing.enrolment_suspend(actor=world.municipal, school=world.school_b, reason="违规招生")
    f.user("school", school=world.school_a2, username="a2")
    client.force_login(world.municipal)
    r = client.get("/audit-log/", {"act": "school.suspend_enrolment"})
    assert r.status_code == 200
    rows = [[str(cell) for cell, _link in row["cells"]] for row in r.context["rows"]]
    assert len(rows) == 1  # the registrations and the account of the world are left out
    assert "暂停招生" in rows[0] and world.school_b.name in rows[0]
    assert AuditLog.objects.exclude(act="school.suspend_enrolment").count() > 3


@pytest.mark.django_db
def test_back_office_refuses_a_procedure_field_naming_the_act(client, world):
    root = f.user("municipal", username="root")
    root.is_superuser = root.is_staff = True
    root.save(update_fields=["is_superuser", "is_staff"])
    client.force_login(root)
    school = world.school_b
    url = f"/admin/schools/school/{school.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data = {k: (v.pk if hasattr(v, "pk") else v) for k, v in data.items()}
    data["status"] = SchoolStatus.SUSPENDED
    audit = AuditLog.objects.count()
    r = client.post(url, data)
    assert r.status_code == 200, r.status_code  # the form again, with the error
    assert "只能通过" in r.content.decode() and "暂停招生" in r.content.decode()
    school.refresh_from_db()
    assert school.status == SchoolStatus.OPERATING
    assert AuditLog.objects.count() == audit


@pytest.mark.django_db
def test_back_office_edit_runs_the_models_update_act(client, world):
    root = f.user("municipal", username="root")
    root.is_superuser = root.is_staff = True
    root.save(update_fields=["is_superuser", "is_staff"])
    client.force_login(root)
    school = world.school_b
    url = f"/admin/schools/school/{school.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {k: (v.pk if hasattr(v, "pk") else v) for k, v in form.initial.items() if v is not None}
    data["address"] = "重庆市万州区新址路8号"
    r = client.post(url, data)
    assert r.status_code == 302, r.status_code
    school.refresh_from_db()
    assert school.address == "重庆市万州区新址路8号"
    row = AuditLog.objects.filter(object_type="schools.school", object_id=str(school.pk)).first()
    assert row.act == "school.update" and row.actor == root


def _back_office_add(client, world, **change):
    root = f.user("municipal", username="root")
    root.is_superuser = root.is_staff = True
    root.save(update_fields=["is_superuser", "is_staff"])
    client.force_login(root)
    data = {
        "school": world.school_a.pk,
        "trainee_name": "后台学员",
        "trainee_id_number": f.id_number(),
        "kind": "upgrading",
        "occupation_code": "6-18-01-01",
        "occupation_name": "车工",
        "hours": "40",
        "started_on": "2025-03-01",
        "ended_on": "2025-04-30",
        "year": "2025",
        "revenue": "0",
        "is_social": "on",
        **change,
    }
    return root, client.post("/admin/training/trainingrecord/add/", data, follow=True)


@pytest.mark.django_db
def test_back_office_add_runs_the_models_create_act(client, world):
    from jigong.training.models import TrainingRecord

    root, r = _back_office_add(client, world)
    assert r.status_code == 200
    record = TrainingRecord.objects.get(trainee_name="后台学员")
    row = AuditLog.objects.get(object_type="training.trainingrecord", object_id=str(record.pk))
    assert row.act == "training_record.register" and row.actor == root


@pytest.mark.django_db
def test_back_office_add_refused_by_the_act_shows_its_message(client, world):
    from jigong.training.models import TrainingRecord

    writes = AuditLog.objects.exclude(action=AuditLog.Action.LOGIN)
    before = writes.count()
    _root, r = _back_office_add(client, world, hours="0")
    assert r.status_code == 200
    assert "学时应为正整数" in r.content.decode()
    assert not TrainingRecord.objects.filter(trainee_name="后台学员").exists()
    assert writes.count() == before


@pytest.mark.django_db
def test_back_office_does_not_delete_what_a_procedure_ends(client, world):
    """A certificate is revoked, a school's licence withdrawn, a 学籍 changed by 学籍异动:
    the back office offers no delete for a model whose fields a procedure owns (the
    delete would undo the procedure without its act), by the button or by the address."""
    root = f.user("municipal", username="root")
    root.is_superuser = root.is_staff = True
    root.save(update_fields=["is_superuser", "is_staff"])
    client.force_login(root)
    school = world.school_b
    writes = AuditLog.objects.exclude(action=AuditLog.Action.LOGIN)
    audit = writes.count()
    page = client.get(f"/admin/schools/school/{school.pk}/change/")
    assert page.status_code == 200
    assert f"/admin/schools/school/{school.pk}/delete/" not in page.content.decode()
    r = client.post(f"/admin/schools/school/{school.pk}/delete/", {"post": "yes"})
    assert r.status_code == 403
    listing = client.get("/admin/certificates/graduationcertificate/")
    assert listing.status_code == 200
    assert "delete_selected" not in listing.content.decode()
    assert School.objects.filter(pk=school.pk).exists()
    assert writes.count() == audit


def test_the_registry_is_discovered_once_not_on_every_page(client, world, monkeypatch):
    """Every page's menu asks which acts exist; finding the services modules once is
    enough (it was done for each of the menu's entries on every page)."""
    from django.utils import module_loading

    from jigong.core import acts as registry

    registry.acts()
    calls = []
    real = module_loading.autodiscover_modules
    monkeypatch.setattr(
        module_loading, "autodiscover_modules", lambda *a, **k: calls.append(a) or real(*a, **k)
    )
    client.force_login(world.user_a)
    assert client.get("/").status_code == 200
    assert registry.acts() and calls == []
