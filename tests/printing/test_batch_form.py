"""Batch printing's form (issue 19, point 6): reached from the certificate list, it picks
a cohort by year, level and major; the bare address shows the form; the PDF is a job."""

import datetime
import re

import pytest

from tests import factories as f
from tests.printing import pdftools


@pytest.fixture
def two_majors(world, issue, signing_key):
    welding = f.major("0202", "焊接加工")
    certs = {
        "turning": [
            issue(name=f"车工{i}", id_number=f.id_number(birth=datetime.date(2006, 2, 1 + i)))
            for i in range(2)
        ],
        "welding": [
            issue(
                name="焊工甲",
                major_=welding,
                id_number=f.id_number(birth=datetime.date(2006, 5, 1)),
            )
        ],
    }
    issue(school=world.school_b, name="乙校焊工", major_=welding)
    return welding, certs


def test_the_list_page_leads_to_the_form(client, world, two_majors):
    client.force_login(world.user_a)
    body = client.get("/graduation-certificates/").content.decode()
    assert 'href="/graduation-certificates/print/"' in body
    r = client.get("/graduation-certificates/print/")
    assert r.status_code == 200
    body = r.content.decode()
    for label in ("发证年份", "班级层次", "专业"):
        assert label in body, label
    # the school's own majors of its certificates, not another school's or the catalogue
    assert "焊接加工" in body and "机床切削加工（车工）" in body


def test_a_major_prints_only_its_certificates(client, world, two_majors):
    welding, certs = two_majors
    client.force_login(world.user_a)
    r = client.get("/graduation-certificates/print/", {"year": 2025, "major": welding.pk})
    assert r.status_code == 200 and "有效证书 1 份" in r.content.decode()
    r = client.post("/graduation-certificates/print/", {"year": 2025, "major": welding.pk})
    assert r.status_code == 302 and r["Location"].startswith("/jobs/files/")
    job_page = client.get(r["Location"]).content.decode()
    assert "焊接加工" in job_page  # the job's title names the cohort
    pdf = b"".join(client.get(r["Location"] + "download/").streaming_content)
    text = re.sub(r"\s+", "", pdftools.text(pdf))
    assert pdftools.pages(pdf) == 1
    assert certs["welding"][0].number in text
    assert all(c.number not in text for c in certs["turning"])


def test_a_major_outside_the_school_is_named(client, world, two_majors):
    other = f.major("0303", "烹饪")
    client.force_login(world.user_a)
    r = client.post("/graduation-certificates/print/", {"year": 2025, "major": other.pk})
    assert r.status_code == 400
    assert f"专业“{other.pk}”" in r.content.decode()
