"""ID numbers at rest (jigong.core.pii): sealed with AES-256-GCM, found by keyed hash.

A database read column by column holds no plain ID number (audit rows included); the
key file is created 0600 on first use and never silently replaced; a wrong key cannot
open a value; after `jigong pii rotate` old and new values open and look-ups still
find every person, teacher and trainee."""

import datetime
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

from jigong.core import acts, pii
from jigong.core.models import AuditLog
from jigong.staff import services as staff_services
from jigong.staff.models import Teacher
from jigong.students import services as student_services
from jigong.students.models import Person, Registration
from jigong.training import services as training_services
from jigong.training.models import TrainingRecord
from tests import factories as f

COLUMN = "students.person.id_number"


@pytest.fixture
def key_file(settings, tmp_path, monkeypatch):
    """No key in the environment: the key file in this test's own key folder."""
    monkeypatch.delenv(pii.ENV_KEY, raising=False)
    monkeypatch.delenv(pii.ENV_OLD, raising=False)
    settings.JIGONG_KEYS_DIR = tmp_path / "keys"
    pii.reset()
    yield tmp_path / "keys" / pii.KEY_FILE
    pii.reset()


def people(world):
    """A student, a trainee and a teacher written through the services (audited)."""
    student = f.id_number(birth=datetime.date(2006, 2, 3), sex="F")
    trainee = f.id_number(birth=datetime.date(1990, 6, 7), sex="M", area="500101")
    teacher = f.id_number(birth=datetime.date(1980, 8, 9), sex="F", area="500101")
    reg = f.registration(world.school_a, name="周小红", id_number=student)
    record = training_services.training_record_create(
        actor=world.user_a,
        school=world.school_a,
        trainee_name="吴学员",
        trainee_id_number=trainee,
        kind="upgrading",
        occupation_code="6-18-01-01",
        occupation_name="电工",
        hours=40,
        started_on=datetime.date(2025, 3, 1),
        ended_on=datetime.date(2025, 4, 1),
    )
    person = reg.person
    student_services.person_correct(
        actor=world.user_a, person=person, name="周小虹", reason="姓名录错"
    )
    t = staff_services.teacher_create(
        actor=world.user_a,
        school=world.school_a,
        name="郑老师",
        id_number=teacher,
        kind="full_time",
        hired_on=datetime.date(2015, 9, 1),
    )
    return (student, trainee, teacher), (person, record, t)


def every_value():
    """Every value of every column of every table, as text and as bytes."""
    intro = connection.introspection
    with connection.cursor() as cur:
        for table in intro.table_names(cur):
            cols = [c.name for c in intro.get_table_description(cur, table)]
            qn = connection.ops.quote_name
            cur.execute(f"SELECT {', '.join(qn(c) for c in cols)} FROM {qn(table)}")
            for row in cur.fetchall():
                for v in row:
                    if isinstance(v, memoryview | bytes | bytearray):
                        yield bytes(v)
                    elif v is not None:
                        yield str(v)


def test_no_plain_id_number_in_any_column_audit_log_included(world):
    numbers, (person, record, teacher) = people(world)
    found = [
        v
        for v in every_value()
        for n in numbers
        if (n.encode() if isinstance(v, bytes) else n) in v
    ]
    assert found == []  # neither as text nor as bytes, in no table
    # The audit rows show the number masked (and its keyed hash), never in full.
    after = AuditLog.objects.get(
        object_type="students.person", action=AuditLog.Action.CREATE, object_id=str(person.pk)
    ).after
    assert (
        after["id_number_enc"]
        == pii.mask_id(numbers[0])
        == numbers[0][:4] + "*" * 10 + (numbers[0][-4:])
    )
    assert after["id_number_hmac"] == pii.digest(numbers[0]).hex()
    trainee_row = AuditLog.objects.get(object_type="training.trainingrecord").after
    assert trainee_row["trainee_id_number_enc"] == pii.mask_id(numbers[1])
    # …while the application reads them in full.
    person.refresh_from_db()
    record.refresh_from_db()
    teacher.refresh_from_db()
    assert (person.id_number, record.trainee_id_number, teacher.id_number) == numbers
    assert person.sex == "F" and person.birth_date == datetime.date(2006, 2, 3)


def _file_bytes(path: Path) -> bytes:
    """The bytes of a database file, read by another process: closing a descriptor of
    the file in this process would drop every POSIX lock this process holds on it —
    including the locks of other SQLite connections still open here (a live server's
    thread) — and let another process reset the WAL under them."""
    if not path.exists():
        return b""
    code = "import sys; sys.stdout.buffer.write(open(sys.argv[1], 'rb').read())"
    return subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, check=True
    ).stdout


@pytest.mark.django_db(transaction=True)
def test_database_file_holds_no_plain_id_number(world, reference_data):
    """Committed rows, read from the disk: the SQLite file and its WAL, or on
    PostgreSQL every column of every table as text."""
    numbers, _ = people(world)
    if connection.vendor == "sqlite":
        connection.close()  # checkpoint the WAL into the file
        path = Path(connection.settings_dict["NAME"])
        data = _file_bytes(path) + _file_bytes(Path(f"{path}-wal"))
        assert len(data) > 100_000
        assert [n for n in numbers if n.encode() in data] == []
        assert "周小虹".encode() in data
    else:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = 'public'"
            )
            columns = cur.fetchall()
            for table, column in columns:
                cur.execute(
                    f'SELECT count(*) FROM "{table}" WHERE "{column}"::text LIKE %s '
                    f'OR "{column}"::text LIKE %s',
                    [f"%{numbers[0]}%", f"%{numbers[2]}%"],
                )
                assert cur.fetchone()[0] == 0, (table, column)


def test_look_ups_go_through_the_keyed_hash(world):
    numbers, (person, record, teacher) = people(world)
    assert Person.objects.by_id_number(numbers[0]).get() == person
    assert Person.objects.by_id_number(numbers[0].lower() + " ").get() == person  # x, spaces
    assert TrainingRecord.objects.by_id_number(numbers[1], "trainee_id_number").get() == record
    assert Teacher.objects.by_id_number(numbers[2]).get() == teacher
    regs = Registration.objects.by_id_number(numbers[0], "person__id_number")
    assert list(regs) == list(person.registrations.all())
    assert not Person.objects.by_id_number(numbers[1]).exists()
    # the same number again is the same person (unique on the keyed hash) …
    count = Person.objects.count()
    with acts.performing("registration.enrol", None):
        again = student_services.person_for_enrolment(
            actor=None, id_number=numbers[0], name=person.name
        )
    assert again.pk == person.pk and Person.objects.count() == count
    # … and a duplicate teacher is refused with the number masked
    with pytest.raises(ValidationError) as exc:
        staff_services.teacher_create(
            actor=None,
            school=world.school_a,
            name="郑老师",
            id_number=numbers[2],
            kind="full_time",
            hired_on=datetime.date(2016, 9, 1),
        )
    text = str(exc.value)
    assert "已存在" in text and pii.mask_id(numbers[2]) in text and numbers[2] not in text


def test_a_value_cannot_be_opened_with_another_key_or_moved_to_another_column(monkeypatch):
    blob = pii.seal("50010320070501123X", COLUMN)
    assert pii.open_(blob, COLUMN) == "50010320070501123X"
    assert b"50010320070501123X" not in blob and blob[0] == pii.VERSION
    assert pii.seal("50010320070501123X", COLUMN) != blob  # a fresh nonce each time
    with pytest.raises(pii.PIIError, match="无法解密"):
        pii.open_(blob, "staff.teacher.id_number")
    with pytest.raises(pii.PIIError, match="无法解密"):
        pii.open_(blob[:-1] + bytes([blob[-1] ^ 1]), COLUMN)
    monkeypatch.setenv(pii.ENV_KEY, pii.new_master())
    with pytest.raises(pii.PIIError, match="另一个密钥"):
        pii.open_(blob, COLUMN)
    assert pii.digest("50010320070501123X") != bytes(32)
    monkeypatch.setenv(pii.ENV_KEY, "not base64!")
    with pytest.raises(pii.PIIError, match="base64"):
        pii.digest("50010320070501123X")


def test_key_file_is_created_0600_once_and_never_silently_replaced(db, key_file, settings):
    assert not key_file.exists()
    digest = pii.digest("50010320070501123X")
    assert key_file.exists() and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert pii.digest("50010320070501123X") == digest  # the same key on the next call
    f.registration(f.school(), name="钱一", id_number=f.id_number())
    # The key file is lost while sealed values exist: refused, no new key.
    key_file.unlink()
    pii.reset()
    with pytest.raises(pii.PIIError, match="不会自动生成新密钥"):
        pii.digest("50010320070501123X")
    assert not key_file.exists()


def test_rotation_reseals_everything_and_old_values_still_open(key_file, world, capsys):
    numbers, (person, record, teacher) = people(world)
    old_blob = bytes(Person.objects.get(pk=person.pk).id_number_enc)
    call_command("pii", "check")
    assert "全部身份证号可解密" in capsys.readouterr().out

    n = Person.objects.count()
    call_command("pii", "rotate")
    out = capsys.readouterr().out
    assert f"students.Person.id_number：重新加密 {n} 行" in out and "已换用新密钥" in out
    assert len(key_file.read_text().split()) == 2  # new key first, the old one kept
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    new_blob = bytes(Person.objects.get(pk=person.pk).id_number_enc)
    assert new_blob[1:5] != old_blob[1:5]  # another key id
    assert pii.open_(old_blob, COLUMN) == pii.open_(new_blob, COLUMN) == numbers[0]
    call_command("pii", "check")
    out = capsys.readouterr().out
    assert f"students.Person.id_number：{n} 行，通过 {n} 行，旧密钥 0 行，失败 0 行" in out
    assert Person.objects.by_id_number(numbers[0]).get().pk == person.pk
    assert TrainingRecord.objects.by_id_number(numbers[1], "trainee_id_number").get() == record
    assert Teacher.objects.by_id_number(numbers[2]).get() == teacher

    # A value altered in the database is reported with its row, not passed over.
    Person.objects.filter(pk=person.pk).update(id_number_enc=old_blob[:-1] + b"\x00")
    with pytest.raises(Exception, match="无法核对通过"):
        call_command("pii", "check")
    assert f"id={person.pk}" in capsys.readouterr().out


def test_key_from_the_environment_with_retired_keys(db, monkeypatch):
    first, second = pii.new_master(), pii.new_master()
    monkeypatch.setenv(pii.ENV_KEY, first)
    blob = pii.seal("500103200705011234", COLUMN)
    monkeypatch.setenv(pii.ENV_KEY, second)
    monkeypatch.setenv(pii.ENV_OLD, first)
    assert pii.open_(blob, COLUMN) == "500103200705011234"
    assert pii.seal("500103200705011234", COLUMN)[1:5] != blob[1:5]
    with pytest.raises(pii.PIIError, match="环境变量"):
        pii.rotate()
    assert os.environ[pii.ENV_KEY] == second


def test_admin_finds_by_whole_number_and_changes_it_audited(client, world):
    from django.urls import reverse

    root = f.user("municipal", username="root")
    root.is_superuser = root.is_staff = True
    root.save()
    client.force_login(root)
    person = world.reg_a.person
    url = reverse("admin:students_person_changelist")
    page = client.get(url, {"q": person.id_number.lower()}).content.decode()
    assert person.name in page and person.id_number in page  # superuser: in full
    assert world.reg_b.person.name not in page
    assert "李明" not in client.get(url, {"q": person.id_number[:10]}).content.decode()

    new = f.id_number(birth=person.birth_date, sex=person.sex)
    change = reverse("admin:students_person_change", args=[person.pk])
    assert person.id_number in client.get(change).content.decode()  # the form shows it
    data = {
        "id_number": new,
        "name": person.name,
        "sex": person.sex,
        "birth_date": person.birth_date.isoformat(),
        "home_province": person.home_province,
    }
    r = client.post(change, data)
    assert r.status_code == 302, r.content.decode()[:3000]
    assert Person.objects.by_id_number(new).get().pk == person.pk
    log = AuditLog.objects.latest("id")
    assert log.actor == root and set(log.after) == {"id_number_enc", "id_number_hmac"}
    assert log.after["id_number_enc"] == pii.mask_id(new) and new not in str(log.after)
    assert log.before["id_number_enc"] == pii.mask_id(person.id_number)
    bad = client.post(change, {**data, "id_number": "500103200705011235"})
    assert bad.status_code == 200 and "校验" in bad.content.decode()


def test_register_search_box_finds_the_whole_number_only(client, world):
    from django.urls import reverse

    numbers, _ = people(world)
    client.force_login(world.user_a)
    # the list shows the number masked
    text = client.get(reverse("students:person_list")).content.decode()
    assert pii.mask_id(numbers[0]) in text and numbers[0] not in text
    for name, query, shown in (  # the school's own people: names whole (issue 19)
        ("students:registration_list", numbers[0], "周小虹"),
        ("students:person_list", f" {numbers[0].lower()} ", "周小虹"),
        ("training:trainingrecord_list", numbers[1], "吴学员"),
        ("staff:teacher_list", numbers[2], "郑老师"),
    ):
        url = reverse(name)
        text = client.get(url, {"q": query}).content.decode()
        assert shown in text and "李明" not in text, name
        partial = client.get(url, {"q": query.strip()[:12]}).content.decode()
        assert shown not in partial and "没有符合条件的记录" in partial, name


def test_bulk_seal_all_agrees_with_seal_and_digest():
    (first, second), macs = pii.seal_all(COLUMN, [" 50010320070501123x ", "50010320070501123X"])
    assert pii.open_(first, COLUMN) == pii.open_(second, COLUMN) == "50010320070501123X"
    assert macs == [pii.digest("50010320070501123X")] * 2
    assert second[:5] == first[:5] and second[5:17] != first[5:17]  # key id kept, new nonce
    with pytest.raises(pii.PIIError, match="无法解密"):
        pii.open_(first, "staff.teacher.id_number")
    assert pii.seal_all(COLUMN, []) == ([], [])
