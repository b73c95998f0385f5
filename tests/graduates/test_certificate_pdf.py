"""The graduate downloads their own certificate PDF (issue 19, point 9): from their page,
a job built by the worker like the school's printing, the file on the job page — their
own certificate only, and the job theirs alone."""

import re

import pytest

from tests.codes.conftest import holder_cert, other_cert  # noqa: F401  (fixtures)
from tests.printing import pdftools
from tests.printing.conftest import keystore, signing_key  # noqa: F401  (fixtures)


def url(cert):
    return f"/graduate/certificates/{cert.pk}/pdf/"


@pytest.fixture
def job_url(client, world, holder_cert, signing_key):  # noqa: F811
    client.force_login(world.graduate)
    page = client.get("/graduate/").content.decode()
    assert f'action="{url(holder_cert)}"' in page and "下载证书 PDF" in page
    r = client.post(url(holder_cert))
    assert r.status_code == 302 and r["Location"].startswith("/jobs/files/"), r.content[:300]
    return r["Location"]


def test_the_graduate_downloads_their_certificate(client, world, holder_cert, job_url):  # noqa: F811
    page = client.get(job_url)
    assert page.status_code == 200 and holder_cert.number in page.content.decode()
    r = client.get(job_url + "download/")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    pdf = b"".join(r.streaming_content)
    text = re.sub(r"\s+", "", pdftools.text(pdf))
    assert pdftools.pages(pdf) == 1
    assert holder_cert.number in text and "张晓明" in text
    # the printed QR opens the verdict, as on the school's printing
    [scanned] = pdftools.qr_texts(pdf)
    assert "/verify/qr/?p=JG" in scanned


def test_only_their_own(client, world, holder_cert, other_cert, job_url):  # noqa: F811
    assert client.post(url(other_cert)).status_code == 404
    # nobody else opens the graduate's job: another school, the city
    for user in (world.user_b, world.municipal, world.user_a):
        client.force_login(user)
        assert client.get(job_url).status_code == 404
        assert client.get(job_url + "download/").status_code == 404


def test_staff_do_not_use_the_graduate_door(client, world, holder_cert, signing_key):  # noqa: F811
    client.force_login(world.user_a)
    assert client.post(url(holder_cert)).status_code == 403


def test_a_revoked_certificate_is_not_offered(client, world, holder_cert, signing_key):  # noqa: F811
    import datetime

    from jigong.certificates import services

    services.revoke(
        actor=world.user_a, certificate=holder_cert, reason="信息有误", on=datetime.date(2025, 7, 1)
    )
    client.force_login(world.graduate)
    assert url(holder_cert) not in client.get("/graduate/").content.decode()
    r = client.post(url(holder_cert), follow=True)
    assert "只有有效的证书可以打印" in r.content.decode()
