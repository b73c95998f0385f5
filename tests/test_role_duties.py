"""Who does what (issue 7's review of the permission matrix): the acts that belong to the
school are refused to the bureaus through every door — page, service, import, API — and
nothing is written. The cells of tests/permission_matrix.yaml say the same per URL."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from jigong.certificates import services as certificates
from jigong.certificates.models import GraduationCertificate, VerificationCode
from jigong.core.models import AuditLog
from jigong.quality import services as quality
from jigong.workflows import services as workflows
from tests import factories as f
from tests.workflows.conftest import make_brochure

pytestmark = pytest.mark.django_db
D = datetime.date


def _finished(world):
    return f.registration(
        world.school_a,
        name="张晓明",
        id_number=f.id_number(birth=D(2006, 3, 1)),
        enrolled_on=D(2022, 9, 1),
    )


def _counts():
    return (
        GraduationCertificate.objects.count(),
        VerificationCode.objects.count(),
        AuditLog.objects.count(),
    )


def test_only_the_issuing_school_graduates_reissues_and_revokes(world):
    reg = _finished(world)
    for bureau in (world.municipal, world.district_a):
        before = _counts()
        with pytest.raises(PermissionDenied, match=r"“毕业（结业）发证”：该事项由学校管理员办理"):
            certificates.graduate(actor=bureau, registration=reg, issued_on=D(2025, 6, 30))
        assert _counts() == before
    cert = certificates.graduate(actor=world.user_a, registration=reg, issued_on=D(2025, 6, 30))
    for bureau in (world.municipal, world.district_a):
        before = _counts()
        for act in (certificates.revoke, certificates.reissue):
            with pytest.raises(PermissionDenied, match="该事项由学校管理员办理"):
                act(actor=bureau, certificate=cert, reason="遗失", on=D(2025, 7, 1))
        with pytest.raises(PermissionDenied, match="该事项由学校管理员、毕业生办理"):
            certificates.verification_code_create(actor=bureau, certificate=cert, days=30)
        assert _counts() == before
        cert.refresh_from_db()
        assert cert.status == "valid"
    code = certificates.verification_code_create(actor=world.user_a, certificate=cert, days=30)
    with pytest.raises(PermissionDenied):
        certificates.verification_code_revoke(actor=world.district_a, code=code)
    new = certificates.reissue(
        actor=world.user_a, certificate=cert, reason="遗失", on=D(2025, 7, 1)
    )
    assert new.number != cert.number


def test_bureau_pages_offer_no_school_acts_and_refuse_them(client, world):
    reg = _finished(world)
    cert = certificates.graduate(actor=world.user_a, registration=reg, issued_on=D(2025, 6, 30))
    client.force_login(world.district_a)
    page = client.get(f"/graduation-certificates/{cert.pk}/").content.decode()
    assert "张晓明" in page and "撤销证书" not in page and f"/{cert.pk}/revoke/" not in page
    r = client.post(
        f"/graduation-certificates/{cert.pk}/revoke/", {"reason": "x", "on": "2025-07-01"}
    )
    assert r.status_code == 403 and "“撤销毕业证书”：该事项由学校管理员办理" in r.content.decode()
    r = client.post(
        f"/registrations/{world.reg_a.pk}/status/",
        {"status": "suspended", "changed_on": "2025-03-01", "reason": "病休"},
    )
    assert r.status_code == 403
    assert "无权办理“学籍异动”：该事项由学校管理员办理" in r.content.decode()
    world.reg_a.refresh_from_db()
    assert world.reg_a.status != "suspended"
    client.force_login(world.user_a)
    page = client.get(f"/graduation-certificates/{cert.pk}/").content.decode()
    assert f"/graduation-certificates/{cert.pk}/revoke/" in page
    assert page.count(f"/graduation-certificates/{cert.pk}/print/") == 1  # listed once


def test_imports_of_school_acts_are_refused_row_by_row_to_bureaus(world):
    from jigong.core.imports import run_import
    from tests.imports.conftest import as_rows
    from tests.imports.helpers import xlsx

    row = {
        "身份证号": world.reg_a.person.id_number,
        "学校代码": world.school_a.code,
        "入学日期": "",
        "变更为": "休学",
        "变更日期": "2025-03-01",
        "原因": "病休",
        "转入/转出学校代码": "",
    }
    header, rows = as_rows([row])
    for bureau in (world.municipal, world.district_a):
        before = AuditLog.objects.count()
        r = run_import("status_changes", xlsx(rows, header=header), filename="x.xlsx", user=bureau)
        assert r.refused == 1 and "无权办理“学籍异动”：该事项由学校管理员办理" in str(r.errors[0])
        assert AuditLog.objects.count() == before
    world.reg_a.refresh_from_db()
    assert world.reg_a.status == "enrolled"


def test_bureau_may_not_edit_or_submit_a_schools_filing(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    item = make_brochure(world)
    client.force_login(world.district_a)
    assert client.get(f"/brochure-filings/{item.pk}/edit/").status_code == 403
    r = client.post(f"/workflows/brochure/{item.pk}/submit/", {"comment": "代报"})
    assert r.status_code == 403 and "不能对" in r.content.decode()
    item.refresh_from_db()
    assert item.state == "draft"
    with pytest.raises(PermissionDenied):
        workflows.brochure_update(actor=world.municipal, brochure=item, title="改")


def test_rectification_is_stated_by_the_school(world):
    finding = quality.finding_create(
        actor=world.district_a,
        school=world.school_a,
        found_on=D(2025, 3, 1),
        area="employment_quality",
        finding="就业统计不全",
        severity="minor",
        required_action="补齐台账",
        deadline=D(2025, 6, 30),
    )
    for bureau in (world.municipal, world.district_a):
        with pytest.raises(PermissionDenied, match="提交整改措施"):
            quality.finding_transition(
                actor=bureau, finding=finding, action="rectify", comment="代填"
            )
    quality.finding_transition(
        actor=world.user_a, finding=finding, action="rectify", comment="已补"
    )
    finding.refresh_from_db()
    assert finding.state == "rectifying"


def test_school_register_api_refuses_department_and_graduate(client, world):
    for user in (world.department, world.graduate):
        client.force_login(user)
        r = client.get("/api/v1/schools")
        assert r.status_code == 403 and "无权查看技工院校名册" in r.json()["detail"]
    client.force_login(world.district_a)
    codes = {s["code"] for s in client.get("/api/v1/schools").json()["items"]}
    assert codes == {world.school_a.code, world.school_a2.code}
