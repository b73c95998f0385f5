"""core.bulk_insert, the path of large imports: on PostgreSQL a ``COPY … FROM STDIN``,
elsewhere ``executemany``. What goes in comes back exactly, and a failure anywhere in
the batch leaves none of it written."""

import datetime

import pytest
from django.db import DatabaseError, DataError, IntegrityError, connection, transaction
from django.utils import timezone

from jigong.certificates.models import QueryLog
from jigong.core import pii
from jigong.core import services as core
from jigong.public import services as public
from jigong.students import services
from jigong.students.models import Person
from tests import factories as f

PERSON_FIELDS = ["id_number_enc", "id_number_hmac", "name", "sex", "birth_date", "home_province"]
LOG_FIELDS = ["at", "api_key_id", "client", "ip", "channel", "kind", "number", "name", "found"]

# Values the COPY text format must escape, and some it must not touch.
AWKWARD = [
    "制表\t符",
    "换行\n符\r回车",
    "反斜杠\\N 不是空值",
    "\\.",  # COPY's old end-of-data marker, as a whole value
    "路径 C:\\temp\\新建",
    "重庆市渝中区解放碑 “引号” '单引号' ,逗号;",
    "",
    " 前后空格 ",
    "𠀀生僻字𪚥",
    "\\",
]


def _person_row(number, name, birth):
    return (
        pii.seal(number, services.PERSON_ID),
        pii.digest(number),
        name,
        "M" if int(number[16]) % 2 else "F",
        birth,
        "50",
    )


def test_awkward_text_dates_and_sealed_bytes_round_trip(db):
    births = [datetime.date(1949, 10, 1) + datetime.timedelta(days=997 * k) for k in range(10)]
    numbers = [f.id_number(birth=b) for b in births]
    rows = [_person_row(n, name, b) for n, name, b in zip(numbers, AWKWARD, births, strict=True)]
    assert core.bulk_insert(Person, PERSON_FIELDS, iter(rows)) == len(rows)
    stored = {
        bytes(p.id_number_hmac): p
        for p in Person.objects.filter(id_number_hmac__in=[r[1] for r in rows])
    }
    assert len(stored) == len(rows)
    for number, row in zip(numbers, rows, strict=True):
        p = stored[row[1]]
        assert bytes(p.id_number_enc) == row[0]  # the sealed bytes, bit for bit
        assert p.id_number == number  # and they still open to the number
        assert (p.name, p.sex, p.birth_date, p.home_province) == row[2:]


def test_nulls_booleans_and_timestamps_round_trip(db):
    at = timezone.now().replace(microsecond=123456)
    key = public.api_key_create(actor=None, name="征兵办", scopes=["verify"]).api_key
    rows = [
        (at, None, text, "10.0.0.1", "batch", "grad", f"N{k}\t", text, k % 2 == 0)
        for k, text in enumerate(AWKWARD)
    ]
    rows.append((at, key.pk, "有密钥", "", "batch", "", "", "", True))
    before = QueryLog.objects.count()
    assert core.bulk_insert(QueryLog, LOG_FIELDS, rows) == len(rows)
    got = list(QueryLog.objects.order_by("id").values_list(*LOG_FIELDS, "batch")[before:])
    # ``batch`` is not given: it takes the model's default, as in an ORM insert.
    assert got == [(*r, "") for r in rows]


def test_a_failing_row_in_the_middle_leaves_nothing_written(db):
    numbers = [
        f.id_number(birth=datetime.date(2006, 1, 1) + datetime.timedelta(k)) for k in range(5)
    ]
    rows = [_person_row(n, f"学生{k}", datetime.date(2006, 1, 1)) for k, n in enumerate(numbers)]
    rows[3] = rows[1]  # the same keyed hash twice: the unique index refuses the 4th row
    before = Person.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        core.bulk_insert(Person, PERSON_FIELDS, rows)
    assert Person.objects.count() == before
    # The connection is usable: the same rows without the duplicate go in.
    del rows[3]
    assert core.bulk_insert(Person, PERSON_FIELDS, rows) == 4
    assert Person.objects.count() == before + 4


def test_nul_character_is_refused_on_postgresql_and_nothing_written(db):
    """PostgreSQL text cannot hold U+0000 (the importer drops control characters before
    this point); the refusal is a database error the import runner reports, and the rows
    before it in the batch are not written. SQLite stores the value as given."""
    numbers = [f.id_number(birth=datetime.date(2005, 5, k)) for k in range(1, 4)]
    names = ["甲", "乙\x00丙", "丁"]
    rows = [
        _person_row(n, name, datetime.date(2005, 5, 1))
        for n, name in zip(numbers, names, strict=True)
    ]
    before = Person.objects.count()
    if connection.vendor == "postgresql":
        with pytest.raises(DataError) as exc, transaction.atomic():
            core.bulk_insert(Person, PERSON_FIELDS, rows)
        assert isinstance(exc.value, DatabaseError)
        assert Person.objects.count() == before
    else:
        core.bulk_insert(Person, PERSON_FIELDS, rows)
        assert set(Person.objects.filter(name__in=names).values_list("name", flat=True)) == set(
            names
        )


def test_a_bug_in_the_rows_propagates_unchanged_and_nothing_is_written(db):
    """Not a database error (a bug producing rows): raised as it is, after the database
    dropped what the batch had sent."""
    numbers = [f.id_number(birth=datetime.date(2004, 2, k)) for k in range(1, 6)]

    def rows():
        for k, n in enumerate(numbers):
            if k == 3:
                raise RuntimeError("broken generator")
            yield _person_row(n, f"学生{k}", datetime.date(2004, 2, 1))

    before = Person.objects.count()
    with pytest.raises(RuntimeError, match="broken generator"), transaction.atomic():
        core.bulk_insert(Person, PERSON_FIELDS, rows())
    assert Person.objects.count() == before


def test_a_large_load_leaves_fresh_statistics_on_postgresql(db, monkeypatch):
    """PostgreSQL plans queries from table statistics: a bulk load of at least
    ``ANALYZE_AFTER`` rows analyses its table in the same transaction (an export right
    after a 120,000-row import, planned on stale statistics, ran for minutes)."""
    monkeypatch.setattr(core, "ANALYZE_AFTER", 5)
    at = timezone.now()
    rows = [
        (at, None, "征兵办", "10.0.0.1", "batch", "grad", f"N{k}", "张*", True) for k in range(7)
    ]
    assert core.bulk_insert(QueryLog, LOG_FIELDS, rows) == 7
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples FROM pg_class WHERE relname = %s", [QueryLog._meta.db_table]
            )
            assert cursor.fetchone()[0] >= 7  # -1 (never analysed) before the load
    else:
        assert QueryLog.objects.filter(number__startswith="N").count() == 7
