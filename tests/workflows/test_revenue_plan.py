"""The training-revenue page (（七）) sums a year's social training revenue per school
from an index alone: on the full world (800,000 training records) the sum read every
record of the year from the table, 0.44 s p50 and 1.5 s p95 for the largest district
(`python -m bench pages`)."""

import pytest
from django.db import connection

from jigong.workflows.records import social_revenue_query

pytestmark = pytest.mark.django_db


def _plan(qs) -> list[str]:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for off in ("seqscan", "bitmapscan", "sort"):
                cursor.execute(f"SET LOCAL enable_{off} = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return [str(r[-1]) for r in cursor.fetchall()]


@pytest.mark.parametrize("who", ["municipal", "district_a", "user_a"])
def test_revenue_is_summed_from_a_covering_index(world, who):
    plan = " | ".join(_plan(social_revenue_query(user=getattr(world, who), year=2025)))
    if connection.vendor == "postgresql":  # an empty table's plan: only the shape counts
        assert "Index" in plan and "Sort" not in plan and "Seq Scan" not in plan, plan
    else:
        assert "COVERING INDEX training_rec_revenue (year=? AND school_id=?)" in plan, plan
        assert "B-TREE" not in plan, plan
