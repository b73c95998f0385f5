"""The largest registers' list pages read their first page in order from an index
(issue 19, point 4): on the full world a sort of every row took 14 s for
/training-records/ and 2.1 s for /graduation-certificates/ (one issue date holds
thousands of certificates, sorted by number). SQLite's plan must not sort the table."""

import pytest
from django.db import connection

from jigong.certificates.selectors import graduation_certificate_list
from jigong.training.selectors import training_record_list

pytestmark = pytest.mark.django_db

LISTS = {
    "training-records": training_record_list,
    "graduation-certificates": graduation_certificate_list,
}


def _sorts(qs) -> list[str]:
    """The plan's steps that sort rows (SQLite: a temporary B-tree for ORDER BY;
    PostgreSQL, told to avoid sorting: a Sort node all the same)."""
    sql, params = qs[:50].query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("EXPLAIN " + sql, params)
            return [r[0] for r in cursor.fetchall() if "Sort" in r[0]]
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return [str(r[-1]) for r in cursor.fetchall() if "B-TREE FOR" in str(r[-1])]


@pytest.mark.parametrize("name", sorted(LISTS))
# A district's list filters through the schools of its district first and sorts its
# share (0.8 s on the full world's largest district, measured with bench pages).
@pytest.mark.parametrize("who", ["municipal", "user_a"])
def test_first_page_is_read_in_order_from_an_index(world, name, who):
    assert _sorts(LISTS[name](user=getattr(world, who))) == []
