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
    assert exported[-1][-1] == cert.number and exported[-1][4] == "毕业"
    assert list(rows(get_kind("graduations"), world.user_b)) == [] or all(
        r[2] != world.school_a.code for r in rows(get_kind("graduations"), world.user_b)
    )
