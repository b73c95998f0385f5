"""Printable certificates: the PDF a school prints, its QR credential, batch printing,
and the scope of every print URL."""

import datetime
import re

import pytest
from django.core.management import CommandError, call_command

from jigong.certificates import numbering, printing, qr, services, signing
from tests import factories as f
from tests.printing import pdftools


def url(cert):
    return f"/graduation-certificates/{cert.pk}/print/"


@pytest.fixture
def cert(world, issue, signing_key):
    return issue(name="张晓明", actor=world.user_a)


def test_school_prints_its_certificate(client, world, cert):
    client.force_login(world.user_a)
    r = client.get(url(cert))  # the button; the PDF is a job (run at once in the tests)
    assert r.status_code == 200 and 'method="post"' in r.content.decode()
    r = client.post(url(cert))
    assert r.status_code == 302 and r["Location"].startswith("/jobs/files/")
    r = client.get(r["Location"] + "download/")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    pdf = b"".join(r.streaming_content)
    text = pdftools.text(pdf)
    compact = re.sub(r"\s+", "", text)
    assert "技师学院毕业证书" in compact  # school_a is a 技师学院
    for s in ("张晓明", "中级工班", cert.number, world.school_a.name, "2025年6月30日", "准予毕业"):
        assert s in compact, s
    assert "2022年9月" in compact and "全日制" in compact and "学制3年" in compact
    w, h = pdftools.page_size_mm(pdf)
    assert round(w) == 297 and round(h) == 210  # A4 landscape
    assert pdftools.pages(pdf) == 1
    fonts = pdftools.fonts(pdf)
    assert fonts and all(x["emb"] == "yes" for x in fonts)
    width, height, pixels = pdftools.first_page_gray(pdf)
    assert width > height and 0.005 < pdftools.dark_fraction(pixels) < 0.5


def test_titles_by_tier_and_outcome(world, issue, signing_key):
    today = datetime.date.today()
    a2 = issue(school=world.school_a2, name="王小芳", level="advanced")
    b = issue(school=world.school_b, name="赵小强")
    assert printing.title(a2, today) == "高级技工学校毕业证书"
    assert printing.title(b, today) == "技工学校毕业证书"
    completed = services.graduate(
        actor=None,
        registration=f.registration(
            world.school_b,
            name="孙结业",
            id_number=f.id_number(birth=datetime.date(2006, 4, 2)),
            enrolled_on=datetime.date(2022, 9, 1),
        ),
        issued_on=datetime.date(2025, 6, 30),
        outcome="completed",
    )
    assert printing.title(completed, today) == "技工学校结业证书"


def test_printed_qr_payload_verifies(world, cert, settings):
    text = printing.payload(cert, signing.store().signer())
    got = qr.verify(text, signing.published_keys(signing.store().published()))
    assert got.number == cert.number and got.holder == "张*明"
    assert got.school_code == world.school_a.code and got.level == "intermediate"
    assert got.issued_on == cert.issued_on
    html = printing.html([cert], signing.store().signer())
    # the address printed beside the code is the public one (settings.JIGONG_PUBLIC_URL)
    assert "<svg" in html and f"{settings.JIGONG_PUBLIC_URL}/verify/" in html


def test_another_school_gets_404(client, world, cert):
    client.force_login(world.user_b)
    assert client.get(url(cert)).status_code == 404


@pytest.mark.parametrize("who", ["district_b", "department", "graduate"])
def test_other_roles_get_403(client, world, cert, who):
    client.force_login(getattr(world, who))
    assert client.get(url(cert)).status_code == 403


def test_bureaus_may_not_print(client, world, cert, cohort):
    """The PDF carries the whole ID number: printing is the issuing school's act."""
    for user in (world.district_a, world.municipal):
        client.force_login(user)
        r = client.get(url(cert))
        assert r.status_code == 403
        assert "只有发证学校可以" in r.content.decode()
        r = client.get(
            "/graduation-certificates/print/", {"year": 2025, "school": world.school_a.code}
        )
        assert r.status_code == 403


def test_anonymous_is_sent_to_login(client, cert):
    r = client.get(url(cert))
    assert r.status_code == 302 and "/accounts/login/" in r.url
    r = client.get("/graduation-certificates/print/", {"year": 2025})
    assert r.status_code == 302


def test_detail_page_links_to_print(client, world, cert):
    client.force_login(world.user_a)
    body = client.get(f"/graduation-certificates/{cert.pk}/").content.decode()
    assert url(cert) in body and "打印证书" in body
    client.force_login(world.municipal)
    body = client.get(f"/graduation-certificates/{cert.pk}/").content.decode()
    assert cert.number in body and url(cert) not in body and "打印证书" not in body


def test_revoked_certificate_is_not_printed(client, world, cert):
    services.revoke(
        actor=world.user_a, certificate=cert, reason="信息有误", on=datetime.date(2025, 7, 1)
    )
    client.force_login(world.user_a)
    r = client.get(url(cert))
    assert r.status_code == 409
    assert f"证书“{cert.number}”当前状态为“已撤销”：只有有效的证书可以打印" in r.content.decode()


def test_no_signing_key_is_explained(client, world, issue, keystore):
    c = issue(name="周无钥", actor=world.user_a)
    client.force_login(world.user_a)
    r = client.get(url(c))
    assert r.status_code == 409 and "jigong keys create" in r.content.decode()


# --- batch ------------------------------------------------------------------------


@pytest.fixture
def cohort(world, issue, signing_key):
    certs = [
        issue(name=f"学生{i}", id_number=f.id_number(birth=datetime.date(2006, 1, 1 + i)))
        for i in range(3)
    ]
    certs.append(issue(name="高级班", level="advanced"))
    issue(school=world.school_b, name="乙校生")
    return certs


def batch_pdf(client, params) -> bytes:
    """The batch PDF as a school gets it: the form's POST queues a job (run at once by
    the tests' immediate task backend), whose page offers the file."""
    r = client.post("/graduation-certificates/print/", params)
    assert r.status_code == 302 and r["Location"].startswith("/jobs/files/"), r.content[:300]
    r = client.get(r["Location"] + "download/")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    return b"".join(r.streaming_content)


def test_batch_prints_a_school_cohort(client, world, cohort):
    client.force_login(world.user_a)
    pdf = batch_pdf(client, {"year": 2025})
    assert pdftools.pages(pdf) == 4
    text = re.sub(r"\s+", "", pdftools.text(pdf))
    assert all(c.number in text for c in cohort) and "乙校生" not in text
    assert pdftools.pages(batch_pdf(client, {"year": 2025, "level": "advanced"})) == 1


def test_batch_cannot_reach_another_school(client, world, cohort):
    client.force_login(world.user_b)
    r = client.get("/graduation-certificates/print/", {"year": 2025, "school": world.school_a.code})
    assert r.status_code == 404
    assert f"学校代码“{world.school_a.code}”：不存在或不在您的数据范围内" in r.content.decode()
    client.force_login(world.district_b)
    r = client.get("/graduation-certificates/print/", {"year": 2025, "school": world.school_a.code})
    assert r.status_code == 403


def test_school_prints_only_its_own_cohort(client, world, cohort):
    client.force_login(world.user_a)
    assert pdftools.pages(batch_pdf(client, {"year": 2025, "school": world.school_a.code})) == 4


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"year": "abc"}, "发证年份“abc”：应为2000至2100之间的年份"),
        ({"year": ""}, "发证年份“”：应为2000至2100之间的年份"),
        ({"year": "1999"}, "发证年份“1999”"),
        ({"year": "2025", "level": "<b>x</b>"}, "班级层次“&lt;b&gt;x&lt;/b&gt;”：应为中级工班"),
        ({"year": "2025", "school": "X" * 40}, "学校代码“" + "X" * 40 + "”：不超过16个字符"),
    ],
)
def test_batch_bad_input_is_named(client, world, cohort, params, message):
    client.force_login(world.user_a)
    r = client.get("/graduation-certificates/print/", params)
    assert r.status_code == 400
    assert message in r.content.decode()
    r = client.post("/graduation-certificates/print/", params)
    assert r.status_code == 400
    assert message in r.content.decode()


def test_batch_with_nothing_to_print(client, world, cohort):
    client.force_login(world.user_a)
    r = client.get("/graduation-certificates/print/", {"year": 2024})
    assert r.status_code == 404 and "2024年没有符合条件的有效证书" in r.content.decode()


def test_batch_size_is_limited(client, world, cohort, monkeypatch):
    monkeypatch.setattr(printing, "BATCH_MAX", 2)
    client.force_login(world.user_a)
    r = client.get("/graduation-certificates/print/", {"year": 2025})
    assert r.status_code == 400 and "一次最多打印2份证书" in r.content.decode()


def test_print_certificates_command(world, cohort, tmp_path, capsys):
    out = tmp_path / "cohort.pdf"
    call_command(
        "print_certificates", "--school", world.school_a.code, "--year", "2025", "--out", str(out)
    )
    assert pdftools.pages(out.read_bytes()) == 4
    assert "已输出4份证书" in capsys.readouterr().out
    with pytest.raises(CommandError, match="学校代码“NOPE”：不存在"):
        call_command("print_certificates", "--school", "NOPE", "--year", "2025", "--out", str(out))
    with pytest.raises(CommandError, match="不存在或不在数据范围内"):
        call_command(
            "print_certificates",
            "--school",
            world.school_a.code,
            "--year",
            "2025",
            "--out",
            str(out),
            "--user",
            world.user_b.username,
        )


# --- a stored number that predates the numbering rule ------------------------------------

LEGACY = "2024甲0001"  # non-ASCII: the QR credential cannot carry it


def _legacy(cert):
    """An old row written before the rule (the write refuses such a number today)."""
    type(cert).objects.filter(pk=cert.pk).update(number=LEGACY)
    cert.refresh_from_db()
    return cert


def test_legacy_number_is_refused_with_409_not_500(client, world, cert):
    _legacy(cert)
    client.force_login(world.user_a)
    r = client.get(url(cert))
    assert r.status_code == 409
    text = r.content.decode()
    assert f"证书编号“{LEGACY}”" in text and numbering.RULE in text and "二维码" in text


def test_legacy_number_in_a_batch_is_named(client, world, cohort, tmp_path):
    _legacy(cohort[0])
    client.force_login(world.user_a)
    r = client.post("/graduation-certificates/print/", {"year": 2025}, follow=True)
    assert "失败" in r.content.decode() and f"证书编号“{LEGACY}”" in r.content.decode()
    with pytest.raises(CommandError, match=f"证书编号“{LEGACY}”"):
        call_command(
            "print_certificates",
            "--school",
            world.school_a.code,
            "--year",
            "2025",
            "--out",
            str(tmp_path / "x.pdf"),
        )
    assert not (tmp_path / "x.pdf").exists()
