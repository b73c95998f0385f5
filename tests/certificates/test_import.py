import datetime

from jigong.certificates.models import GraduationCertificate
from jigong.core.imports import run_import
from jigong.core.models import AuditLog
from tests.imports.helpers import headers, xlsx

D = datetime.date


def imp(rows, user, mode="all"):
    return run_import(
        "graduations",
        xlsx(rows, header=headers("graduations")),
        filename="g.xlsx",
        user=user,
        mode=mode,
    )


def row(reg, issued="2025-06-30", outcome="毕业", name=None, number=None, school=None):
    # 身份证号, 姓名, 学校代码, 入学日期, 类别, 发证日期, 证书编号
    return [
        reg.person.id_number,
        name if name is not None else reg.person.name,
        school or reg.school.code,
        None,
        outcome,
        issued,
        number,
    ]


def test_graduations_imported_then_reimport_unchanged(world, finishing):
    a, b = finishing(), finishing(name="李四")
    r = imp([row(a), row(b, outcome="结业")], world.user_a)
    assert r.ok and r.committed and r.created == 2, r.errors
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, b.status) == ("graduated", "completed")
    again = imp([row(a), row(b, outcome="结业")], world.user_a)
    assert again.ok and again.unchanged == 2 and again.created == 0
    assert GraduationCertificate.objects.count() == 2


def test_errors_name_row_column_and_nothing_written(world, finishing):
    a, early = finishing(), finishing(name="王五", enrolled_on=D(2024, 9, 1))
    before = (GraduationCertificate.objects.count(), AuditLog.objects.count())
    r = imp([row(a), row(early), row(a, name="错名")], world.user_a)
    assert not r.committed
    by = {(e.row, e.column): e.message for e in r.errors}
    assert "学制未满" in by[(3, "发证日期")]
    assert "与学籍姓名" in by[(4, "姓名")]
    assert (GraduationCertificate.objects.count(), AuditLog.objects.count()) == before


def test_other_schools_registration_refused(world, finishing):
    other = finishing(school=world.school_b)
    r = imp([row(other)], world.user_a)
    assert not r.committed
    assert any("数据范围" in e.message for e in r.errors)
    assert not GraduationCertificate.objects.exists()


def test_export_lists_the_certificate(world, finishing):
    from jigong.core.imports import get_kind
    from jigong.core.imports.exports import rows

    a = finishing()
    imp([row(a)], world.user_a)
    cert = GraduationCertificate.objects.get()
    exported = list(rows(get_kind("graduations"), world.user_a))
    assert exported[-1][6] == cert.number and exported[-1][4] == "毕业"
    assert exported[-1][7:] == ["有效", "", ""]  # 证书状态, its date and reason
    assert list(rows(get_kind("graduations"), world.user_b)) == [] or all(
        r[2] != world.school_a.code for r in rows(get_kind("graduations"), world.user_b)
    )


def ended(reg, number, status, on, reason, issued="2025-06-30", outcome="毕业"):
    """A row of the register with the certificate's state (证书状态, date, reason)."""
    return [*row(reg, issued=issued, outcome=outcome, number=number), status, on, reason]


def test_a_revoked_certificate_is_carried_over_through_the_revoke_act(world, finishing):
    from jigong.certificates import numbering

    a = finishing()
    number = numbering.make(2025, a.school.code, a.level, 7)
    r = imp([ended(a, number, "已撤销", "2025-09-01", "学籍信息核查有误")], world.user_a)
    assert r.ok and r.created == 1, r.errors
    cert = GraduationCertificate.objects.get(number=number)
    assert (cert.status, cert.revoked_on, cert.revoked_reason) == (
        "revoked",
        D(2025, 9, 1),
        "学籍信息核查有误",
    )
    assert AuditLog.objects.filter(act="certificate.revoke", object_id=str(cert.pk)).exists()
    again = imp([ended(a, number, "已撤销", "2025-09-01", "学籍信息核查有误")], world.user_a)
    assert again.ok and again.unchanged == 1 and again.created == 0


def test_an_ended_state_needs_its_number_date_and_reason(world, finishing):
    a, b = finishing(), finishing(name="李四")
    before = GraduationCertificate.objects.count()
    r = imp(
        [
            ended(a, None, "已撤销", None, None),
            [*row(b), "有效", "2025-09-01", "无"],
        ],
        world.user_a,
    )
    assert not r.committed and GraduationCertificate.objects.count() == before
    by = {(e.row, e.column): e.message for e in r.errors}
    assert by[(2, "撤销或换证日期")] == "证书状态为“已撤销”时必填"
    assert by[(2, "撤销或换证原因")] == "证书状态为“已撤销”时必填"
    assert by[(3, "撤销或换证日期")] == "证书状态为“有效”时应留空"


def test_a_replaced_certificate_comes_with_the_one_that_replaced_it(world, finishing):
    from jigong.certificates import numbering

    a = finishing()
    old, new = (numbering.make(2025, a.school.code, a.level, n) for n in (3, 4))
    alone = imp([ended(a, old, "已补发换证", "2025-10-08", "遗失补发")], world.user_a)
    assert not alone.committed
    assert [(e.column, e.message) for e in alone.errors] == [
        ("证书状态", "已补发换证的证书须与补发或换发后的证书在同一文件中（排在其后）导入")
    ]
    both = imp(
        [
            ended(a, old, "已补发换证", "2025-10-08", "遗失补发"),
            [*row(a, issued="2025-10-08", number=new), "有效", None, None],
        ],
        world.user_a,
    )
    assert both.ok and both.created == 2, both.errors
    states = dict(GraduationCertificate.objects.values_list("number", "status"))
    assert states == {old: "replaced", new: "valid"}
    reissued = AuditLog.objects.filter(act="certificate.reissue")
    assert {a.object_repr for a in reissued} == {old, new}  # the old one ended, the new one


def test_an_issued_certificate_is_not_revoked_by_a_spreadsheet(world, finishing):
    a = finishing()
    assert imp([row(a)], world.user_a).ok
    cert = GraduationCertificate.objects.get()
    r = imp([ended(a, cert.number, "已撤销", "2025-09-01", "改")], world.user_a)
    assert not r.committed
    by = {e.column: e.message for e in r.errors}
    assert set(by) == {"证书状态", "撤销或换证日期", "撤销或换证原因"}
    assert by["证书状态"].startswith("“状态”只能通过“撤销毕业证书”或“补发毕业证书”")
    cert.refresh_from_db()
    assert cert.status == "valid"
