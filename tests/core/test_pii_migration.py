"""The 0002 migrations of students, training and staff: plain ID numbers already on file
are sealed and hashed in batches and the plain column dropped; migrating back decrypts
them into the plain column again."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from jigong.core import pii
from jigong.staff.models import Teacher
from jigong.students.models import Person
from jigong.training.models import TrainingRecord
from tests import factories as f

BEFORE = [("students", "0001_initial"), ("training", "0001_initial"), ("staff", "0001_initial")]
AFTER = [
    ("students", "0002_id_number_sealed"),
    ("training", "0002_trainee_id_number_sealed"),
    ("staff", "0002_id_number_sealed"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def columns(table: str) -> set[str]:
    with connection.cursor() as cur:
        return {c.name for c in connection.introspection.get_table_description(cur, table)}


@pytest.mark.django_db(transaction=True)
def test_backfill_seals_plain_numbers_and_reverses(reference_data):
    school = f.school()
    sealed_person = f.registration(school, name="冯一", id_number=f.id_number()).person
    try:
        old = migrate(BEFORE)
        assert "id_number" in columns("students_person")
        assert "id_number_hmac" not in columns("students_person")
        # Migrating back opened the sealed number into the plain column.
        OldPerson = old.get_model("students", "Person")
        assert OldPerson.objects.get(pk=sealed_person.pk).id_number == sealed_person.id_number

        numbers = [
            f.id_number(birth=datetime.date(2000, 1, 1) + datetime.timedelta(i)) for i in range(7)
        ]
        for i, n in enumerate(numbers[:5]):
            OldPerson.objects.create(
                id_number=n, name=f"旧{i}", sex="M", birth_date=datetime.date(2000, 1, 1)
            )
        old.get_model("training", "TrainingRecord").objects.create(
            school_id=school.pk,
            trainee_name="旧学员",
            trainee_id_number=numbers[5],
            kind="upgrading",
            occupation_code="6-18-01-01",
            occupation_name="电工",
            hours=8,
            started_on=datetime.date(2025, 3, 1),
            ended_on=datetime.date(2025, 3, 2),
            year=2025,
        )
        old.get_model("staff", "Teacher").objects.create(
            school_id=school.pk,
            name="旧老师",
            id_number=numbers[6],
            kind="full_time",
            hired_on=datetime.date(2015, 9, 1),
        )

        migrate(AFTER)
        for table in ("students_person", "staff_teacher"):
            assert "id_number" not in columns(table)
        assert "trainee_id_number" not in columns("training_trainingrecord")
        for n in numbers[:5]:
            assert Person.objects.by_id_number(n).get().id_number == n
        record = TrainingRecord.objects.by_id_number(numbers[5], "trainee_id_number").get()
        assert record.trainee_id_number == numbers[5]
        assert Teacher.objects.by_id_number(numbers[6]).get().id_number == numbers[6]
        assert Person.objects.by_id_number(sealed_person.id_number).get().pk == sealed_person.pk
    finally:  # back to the latest migrations, whatever came after 0002
        executor = MigrationExecutor(connection)
        migrate(executor.loader.graph.leaf_nodes())
    # every sealed column of the latest schema opens (apps that came after 0002, such as
    # admissions, have no table at 0002)
    assert all(c.rows == c.ok for c in pii.check())
