"""The demo's build itself: the same seed gives the same world, the reference data, the
fast draws and the bulk writer's indexes — each on a database of its own test (the world
the build makes is checked once per module in tests/test_demo.py)."""

import pytest

from jigong.cooperation.models import Enterprise
from jigong.core.models import Role, User
from jigong.demo import generate
from jigong.students.models import Person
from tests.test_demo import run_demo


def test_same_seed_same_data(db):
    run_demo("--seed", "11")
    first = generate.digest()
    run_demo("--seed", "11", "--reset")
    assert generate.digest() == first
    run_demo("--seed", "12", "--reset")
    assert generate.digest() != first


def test_reference_data_loaded_and_idempotent(db):
    from jigong.reference.models import IndustryChain, Major
    from jigong.reference.services import load_reference_data

    assert IndustryChain.objects.filter(year=2025, cluster__is_key=True).count() == 33
    assert Major.objects.filter(edition__code="2018").count() >= 80
    result = load_reference_data()
    assert result.created == {} and result.updated == {}


def test_fast_draws_are_the_standard_draws():
    """The demo's hot loops draw as random.Random does (same stream, same values)."""
    import random
    from datetime import date, timedelta

    from jigong.demo import names

    a, b = random.Random(5), random.Random(5)
    for i in range(20_000):
        lo, hi = i % 40, i % 40 + i % 1100
        assert generate._randint(a, lo, hi) == b.randint(lo, hi)
        start, end = date(2020, 1, 1) + timedelta(i % 700), date(2020, 1, 1) + timedelta(i % 900)
        assert generate._rand_date(a, start, end) == start + timedelta(
            days=b.randint(0, max((end - start).days, 0))
        )
    name = names.namer(a)
    for i in range(20_000):
        sex = "MF"[i % 2]
        assert name(sex) == names.person_name(b, sex)
    assert a.random() == b.random()
    prefixes = {}
    for serial in (1, 2, 99, 123456, 999999):
        for key in ((2024, "50101", "advanced"), (2021, "50312", "intermediate")):
            number = generate.World.certificate_number(prefixes, key, serial)
            assert number == generate.certificate_number(*key, serial)


def test_bulk_insert_remakes_the_indexes_in_its_transaction(db, monkeypatch):
    """Writer.insert drops an empty table's indexes on SQLite and makes them again after
    the rows, in the insert's transaction: they are there afterwards, and a failed insert
    leaves them (and no rows) as they were."""
    from django.db import IntegrityError, connection

    monkeypatch.setattr(generate, "INDEX_LATE_ROWS", 2)
    table = Enterprise._meta.db_table
    dropped = []
    drop = generate._drop_indexes
    monkeypatch.setattr(
        generate, "_drop_indexes", lambda *a: dropped.append(drop(*a)) or dropped[-1]
    )

    def indexes():
        with connection.cursor() as cur:
            found = connection.introspection.get_constraints(cur, table)
        return {k: (v["columns"], v["unique"]) for k, v in found.items() if v["index"]}

    before = indexes()
    assert len(before) >= 2
    fields = ("id", "credit_code", "name", "district_id", "is_integration_enterprise")
    codes = ("91500103MA5U0000X0", "91500103MA5U0001X0")
    bad = [(1, codes[0], "甲", None, False), (2, codes[0], "乙", None, False)]  # same code
    with pytest.raises(IntegrityError):
        generate.Writer().insert(Enterprise, fields, bad)
    assert indexes() == before and not Enterprise.objects.exists()
    good = [(1, codes[0], "甲", None, False), (2, codes[1], "乙", None, False)]
    generate.Writer().insert(Enterprise, fields, good)
    assert indexes() == before
    assert list(Enterprise.objects.order_by("pk").values_list("name", flat=True)) == ["甲", "乙"]
    if connection.vendor == "sqlite":
        plain = sum(not unique for _cols, unique in before.values())  # UNIQUE ones stay
        assert [len(d) for d in dropped] == [plain, plain] and plain >= 2
        with connection.cursor() as cur:
            cur.execute("PRAGMA integrity_check")
            assert cur.fetchone()[0] == "ok"


@pytest.mark.django_db(transaction=True)
def test_wipe_outside_a_transaction_still_refuses_a_dangling_reference():
    """wipe() empties the tables with SQLite's foreign-key enforcement off (fast) and
    checks the keys before committing: a user still pointing at a student stops it and
    nothing is deleted; enforcement is back on afterwards."""
    from datetime import date

    from django.db import IntegrityError, connection

    person = Person.objects.create(
        id_number="500103200701010012", name="新同学", sex="M", birth_date=date(2007, 1, 1)
    )
    user = User.objects.create(username="someone", role=Role.GRADUATE, person=person)
    assert not connection.in_atomic_block
    with pytest.raises(IntegrityError):
        generate.wipe()
    assert Person.objects.filter(pk=person.pk).exists()
    user.delete()
    generate.wipe()
    assert not Person.objects.exists()
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("PRAGMA foreign_keys")
            assert cur.fetchone()[0] == 1
