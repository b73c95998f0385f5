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
