"""Hypothesis over the public forms: /verify/, /verify/code/ (and its PDF), /verify/qr/.
Anonymous and side-effect free: never a 5xx, a Chinese answer, and nothing written but
the query log."""

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from jigong.certificates.models import GraduationCertificate, VerificationCode

from .conftest import FUZZ
from .harness import CJK, diff, table_counts
from .strategies import hostile_text

LOGGED = {"certificates.QueryLog"}


def _post(url, data):
    before = table_counts()
    response = Client().post(url, data)
    assert response.status_code < 500, (url, data, response.status_code)
    assert response.status_code in (200, 302, 400, 429), (url, response.status_code)
    changed = set(diff(before, table_counts())) - LOGGED
    assert not changed, f"POST {url} {data!r} wrote {changed}"
    if response.get("Content-Type", "").startswith("text/html"):
        assert CJK.search(response.content.decode()), f"POST {url}: no Chinese text"
    return response


@pytest.mark.django_db
def test_verify_form(fuzz_world):
    cert = GraduationCertificate.objects.get(pk=fuzz_world.objects["certificate"][0])
    holder = cert.registration.person.name

    @FUZZ
    @given(
        st.sampled_from([cert.number, cert.number.lower(), f" {cert.number} "]) | hostile_text(40),
        st.sampled_from([holder, holder[:1], ""]) | hostile_text(20),
        st.one_of(st.none(), st.integers().map(str), hostile_text(10)),
    )
    def fuzz(number, name, answer):
        data = {"number": number, "name": name}
        if answer is not None:
            data["answer"] = answer
        _post("/verify/", data)

    fuzz()


@pytest.mark.django_db
def test_code_forms(fuzz_world):
    code = VerificationCode.objects.get(pk=fuzz_world.objects["code"][0])

    @FUZZ
    @given(
        st.sampled_from([code.code, code.code.lower(), f" {code.code} "]) | hostile_text(64),
        st.booleans(),
    )
    def fuzz(value, pdf):
        response = _post("/verify/code/pdf/" if pdf else "/verify/code/", {"code": value})
        if response.status_code == 200 and response["Content-Type"] == "application/pdf":
            assert value.strip().upper() == code.code.upper()

    fuzz()


@pytest.mark.django_db
def test_qr_form(fuzz_world):
    @FUZZ
    @given(
        st.one_of(
            hostile_text(4000),
            st.binary(max_size=300).map(lambda b: b.decode("latin-1")),
            st.from_regex(r"\AJG1[.:][A-Za-z0-9_\-.~]{0,200}\Z"),
        )
    )
    def fuzz(payload):
        _post("/verify/qr/", {"payload": payload})

    fuzz()


@pytest.mark.django_db
def test_enrol_forms(world, settings, monkeypatch):
    """/enrol/apply/ (the challenge taken as solved, so the act sees every value) and
    /enrol/status/: hostile values never give a 5xx, always a Chinese page, and nothing
    is written but an application the page then shows with its reference."""
    from jigong.public import challenge
    from tests.admissions import public_world

    settings.JIGONG_VERIFY_RATE_PER_IP = (100_000, 60)
    settings.JIGONG_VERIFY_MISSES_BEFORE_CHALLENGE = (100_000, 3600)
    settings.JIGONG_VERIFY_MISSES_PER_CLIENT_NUMBER = (100_000, 3600)
    monkeypatch.setattr(challenge, "passed", lambda payload: True)
    w = public_world.build(world)
    written = {"admissions.Application", "admissions.Choice", "AuditLog (not jobs)"}

    @FUZZ
    @given(
        hostile_text(40),
        st.sampled_from(["陈晓雨", ""]) | hostile_text(64),
        st.sampled_from(["13800138000"]) | hostile_text(20),
        st.sampled_from(["junior_graduate", "enterprise_employee"]) | hostile_text(24),
        st.sampled_from(["junior", "senior"]) | hostile_text(12),
        st.sampled_from([w.school_b.code, ""]) | hostile_text(16),
        st.sampled_from([str(w.b_nursing.pk), str(w.a_lathe.pk)]) | hostile_text(20),
        st.sampled_from(["full_time", "part_time"]) | hostile_text(12),
        st.one_of(st.none(), hostile_text(40)),
    )
    def fuzz(number, name, phone, category, schooling, school, major, track, extra):
        data = {
            "id_number": number,
            "name": name,
            "phone": phone,
            "category": category,
            "schooling": schooling,
            "school_1": school,
            "major_1": major,
            "track_1": track,
            "altcha": "x",
        }
        if extra is not None:
            data.update(enterprise_code=extra, arrangement_months=extra, school_9=extra)
        before = table_counts()
        response = Client().post("/enrol/apply/", data)
        assert response.status_code in (200, 429), (data, response.status_code)
        html = response.content.decode()
        assert CJK.search(html)
        changed = set(diff(before, table_counts()))
        assert not changed or (changed <= written and 'data-testid="reference"' in html)
        _post("/enrol/status/", {"reference": number, "id_number": name})
        _post("/enrol/status/", {"confirm": extra or "1"})

    fuzz()
