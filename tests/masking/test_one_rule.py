"""One masking module (issue 12): ID numbers, names and birth dates are masked by
`jigong.core.pii` alone, with one rule per kind, on every surface.

- a 15-digit old ID number (first-generation card, still found in legacy records) is
  masked identically in a register list, an export, a log line, an error message and a
  public answer;
- no module of jigong/ other than core/pii.py carries an ID-number regex, a '*' fill or
  a mask function of its own;
- the audit log shows the city bureau no whole birth date or name of a person."""

import ast
import datetime
import io
import json
import logging
import re
from pathlib import Path

import openpyxl
import pytest

from jigong.core import pii
from jigong.core.models import AuditLog
from jigong.jobs.models import ImportJob
from tests import factories as f
from tests.imports.conftest import student_row  # noqa: F401  (fixture)

OLD = "500103870501123"  # 6-digit area, YYMMDD, 3-digit sequence
OLD_MASKED = "5001*******1123"
NEW = "50010320070501123X"
NEW_MASKED = "5001**********123X"


def test_one_rule_per_kind():
    assert pii.mask_id(OLD) == OLD_MASKED and pii.mask_id(NEW) == NEW_MASKED
    assert pii.mask_id(f" {NEW} ") == NEW_MASKED and pii.mask_id("12345678") == "********"
    assert pii.mask_id("") == pii.mask_id(None) == ""
    # in free text: the 18-character and the 15-digit ID number, each as its value is
    text = f"第3行 身份证号“{NEW.lower()}”校验码错误；旧号{OLD}；编号:{OLD}。"
    assert pii.mask_text(text) == (
        f"第3行 身份证号“{NEW_MASKED.lower()}”校验码错误；旧号{OLD_MASKED}；编号:{OLD_MASKED}。"
    )
    # 16 and 17 digits are not an ID number's length (a 17-character certificate
    # number stays readable); longer runs and runs glued to letters are not ID numbers
    for whole in ("5001032007050112", "20245010120001232", "S" + "0" * 21, "a" + NEW):
        assert pii.mask_text(f"证书{whole}。") == f"证书{whole}。"
    # full-width digits (a pasted value quoted back) are found too
    wide = NEW.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    assert wide not in pii.mask_text(f"身份证号“{wide}”")
    assert pii.mask_name("张晓明") == "张*明" and pii.mask_name("李明") == "李*"
    assert pii.mask_name("欧阳小明") == "欧**明" and pii.mask_name(" 张 ") == "*"
    assert pii.mask_name("") == pii.mask_name(None) == ""
    assert pii.mask_birth_date(datetime.date(2007, 5, 1)) == "2007年"
    assert pii.mask_birth_date("2007-05-01") == "2007年" and pii.mask_birth_date("") == ""
    assert {"name": pii.mask_name, "id": pii.mask_id, "birth": pii.mask_birth_date} == pii.MASKS


# --- the 15-digit old ID number on every surface -----------------------------------------


@pytest.fixture
def old_id(world):
    """A certificate holder at school_a whose legacy record carries a 15-digit ID."""
    cert = f.graduated_certificate(
        world.school_a, world.user_a, name="钱老旧", birth=datetime.date(1987, 5, 1)
    )
    person = cert.registration.person
    person.id_number = OLD  # a legacy record, written as it was migrated
    person.save()
    return cert


def _xlsx_ids(response) -> list[str]:
    data = b"".join(response.streaming_content)
    ws = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
    rows = list(ws.iter_rows(values_only=True))
    col = rows[0].index("身份证号")
    return [str(r[col]) for r in rows[1:]]


def _log_lines(text: str) -> list[str]:
    from jigong.core.logging import JsonFormatter, PlainFormatter

    record = logging.LogRecord("jigong.test", logging.ERROR, __file__, 1, text, (), None)
    access = logging.LogRecord(
        "granian.access",
        logging.INFO,
        __file__,
        1,
        "%(path)s",
        # ?q= is redacted whole (jigong/core/logging.py); another parameter is masked
        ({"method": "GET", "path": f"/students/?ref={OLD}", "status": 200, "dt_ms": 1.0},),
        None,
    )
    plain = PlainFormatter("%(levelname)s %(message)s")
    lines = [JsonFormatter().format(record), JsonFormatter().format(access), plain.format(record)]
    json.loads(lines[0]) and json.loads(lines[1])  # still JSON
    return lines


@pytest.mark.django_db
def test_the_old_id_number_is_masked_alike_everywhere(
    client,
    world,
    old_id,
    student_row,  # noqa: F811
):
    from tests.jobs.test_imports import _upload

    cert = old_id
    shown: dict[str, str] = {}

    client.force_login(world.municipal)
    shown["list page"] = client.get("/students/").content.decode()
    r = client.get("/imports/students/export.xlsx")
    shown["export"] = "\n".join(_xlsx_ids(r))

    lines = _log_lines(f"核验失败：身份证号{OLD}（第2行）")
    shown["log line"], shown["access line"], shown["plain log line"] = lines

    # an import error: as stored, and on the job page the city oversees — also for a
    # job stored before errors were masked (the page masks what is left whole)
    client.force_login(world.user_a)
    _upload(client, [student_row(id_number=OLD)])
    job = ImportJob.objects.get()
    assert job.error_count
    shown["stored error"] = json.dumps(job.errors, ensure_ascii=False)
    legacy = [{**e, "value": OLD, "message": f"身份证号“{OLD}”应为18位"} for e in job.errors]
    ImportJob.objects.filter(pk=job.pk).update(errors=legacy)
    client.force_login(world.municipal)
    shown["error message"] = client.get(f"/jobs/imports/{job.pk}/").content.decode()

    client.logout()
    asked = {"number": cert.number, "name": "钱老旧"}
    shown["public page"] = client.post("/verify/", asked).content.decode()
    answer = client.get("/api/v1/certificates/verify", asked).json()
    assert answer["id_number"] == OLD_MASKED
    shown["public answer"] = json.dumps(answer, ensure_ascii=False)

    for where, text in shown.items():
        assert OLD not in text, where
        assert OLD_MASKED in text, where


# --- no second copy of the masking rules -------------------------------------------------

ROOT = Path(__file__).resolve().parents[2] / "jigong"
PII = ROOT / "core" / "pii.py"
# A character class or escape of digits, then a count that only an ID number has.
_ID_QUANTIFIER = re.compile(r"(\\d|\[0-9[^\]]*\]|\[\\d[^\]]*\])\{(1[4-8]|7,10)(,\d*)?\}")
# Regexes about ID numbers that are not masking: what they recognise, and why.
NOT_MASKING = {
    # Excel's float rendering of a numeric ID cell ("5.00103E+17", "500103…123.0"): the
    # importer refuses it with a message, the value is never shown
    ("core/imports/normalise.py", r"\d{15,17}\.0+"),
}
MASK_NAME = re.compile(r"^_?mask", re.I)


def _sources():
    for path in sorted(ROOT.rglob("*.py")):
        if path == PII or "migrations" in path.parts:
            continue
        yield path, ast.parse(path.read_text(encoding="utf-8"), str(path))


def _star(node) -> bool:
    return isinstance(node, ast.Constant) and node.value in ("*", "＊")


def test_no_module_but_pii_masks_on_its_own():
    found = []
    for path, tree in _sources():
        where = str(path.relative_to(ROOT))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if _ID_QUANTIFIER.search(node.value) and (where, node.value) not in NOT_MASKING:
                    found.append(f"{where}:{node.lineno} ID-number regex {node.value!r}")
            elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
                if _star(node.left) or _star(node.right):
                    found.append(f"{where}:{node.lineno} '*' fill")
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                attribute = any(
                    isinstance(d, ast.Name) and d.id == "property" for d in node.decorator_list
                )  # Col.mask_kind: which mask, not a mask
                if MASK_NAME.match(node.name) and not attribute:
                    # allowed only as a delegation to pii (a template filter's name)
                    calls_pii = any(
                        isinstance(n, ast.Attribute)
                        and isinstance(n.value, ast.Name)
                        and n.value.id == "pii"
                        for n in ast.walk(node)
                    )
                    if not calls_pii:
                        found.append(f"{where}:{node.lineno} mask function {node.name}()")
    assert not found, "\n".join(found)


def test_the_scan_would_find_the_old_copies():
    """The scan's patterns match what the three copies were written with."""
    for pattern in (
        r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])",
        r"(?<![0-9])([0-9]{4})[0-9]{7,10}([0-9]{3}[0-9Xx])(?![0-9A-Za-z])",
        r"[0-9Xx]{18}",
        r"\d{15}",
    ):
        assert _ID_QUANTIFIER.search(pattern), pattern
    tree = ast.parse('def mask_id(s):\n    return s[:4] + "*" * (len(s) - 8) + s[-4:]\n')
    assert any(isinstance(n, ast.BinOp) and _star(n.left) for n in ast.walk(tree))


# --- the audit log ------------------------------------------------------------------------


@pytest.mark.django_db
def test_audit_log_shows_the_city_no_whole_birth_date_or_name(client, world):
    from jigong.core import services as core

    person = world.reg_a.person
    born = person.birth_date
    new_birth = datetime.date(2006, 11, 23)
    core.update(None, person, birth_date=new_birth, name="李明明")
    row = AuditLog.objects.filter(object_type="students.person", action="update").latest("id")
    assert row.before["birth_date"] == born.isoformat()  # stored as it was (whole)
    created = AuditLog.objects.get(
        object_type="students.person", object_id=str(person.pk), action="create"
    )
    assert created.after["birth_date"] == born.isoformat()

    client.force_login(world.municipal)
    pages = {
        "list": client.get("/audit-log/").content.decode(),
        "update": client.get(f"/audit-log/{row.pk}/").content.decode(),
        "create": client.get(f"/audit-log/{created.pk}/").content.decode(),
    }
    for where, page in pages.items():
        for day in (born, new_birth):
            for shown in (day.isoformat(), day.strftime("%Y%m%d")):
                assert shown not in page, (where, shown)
        assert person.id_number not in page, where
    update = pages["update"]
    assert f"{born.year}年" in update and "2006年" in update
    assert "李*" in update and "李*明" in update and "李明明" not in update
    assert pii.mask_id(person.id_number) in pages["create"]
