"""Each kind: import, re-import unchanged, export → import round trip, scope refusal."""

import datetime

import pytest

from jigong.core.imports import export, run_import
from jigong.core.models import AuditLog
from jigong.schools import services as school_services
from tests import factories as f

from .conftest import as_rows
from .helpers import xlsx


def imp(kind, dicts, user, mode="all"):
    header, rows = as_rows(dicts)
    return run_import(kind, xlsx(rows, header=header), filename="x.xlsx", user=user, mode=mode)


def round_trip(kind, user, tmp_path, expected_rows):
    out = tmp_path / f"{kind}.xlsx"
    assert export(kind, str(out), user=user) == expected_rows
    n = AuditLog.objects.count()
    r = run_import(kind, out.read_bytes(), filename=out.name, user=user)
    assert r.ok, [str(e) for e in r.errors]
    assert r.unchanged == expected_rows and r.created == r.updated == 0
    assert AuditLog.objects.count() == n


def test_schools(world, tmp_path):
    row = {
        "学校代码": "Ｔ９００１",
        "学校名称": "重庆新建技工学校",
        "层次": "技工学校",
        "区县代码": "500103",
        "举办性质": "公办",
        "举办者": "渝中区人民政府",
        "统一社会信用代码": f.credit_code("500103").lower(),
        "办学状态": "正常办学",
        "设立日期": "2020年9月1日",
        "地址": "",
        "校园网覆盖率": "90%",
    }
    r = imp("schools", [row], world.district_a)
    assert r.ok and r.created == 1, [str(e) for e in r.errors]
    other = dict(row, **{"学校代码": "T9002", "区县代码": "500101", "学校名称": "万州新校"})
    other["统一社会信用代码"] = f.credit_code("500101")
    r = imp("schools", [other], world.district_a)
    assert r.refused == 1 and "本区县" in r.errors[0].message
    bad = dict(row, **{"统一社会信用代码": "91500000MA5U00000"})
    r = imp("schools", [bad], world.municipal)
    assert r.errors[0].column == "统一社会信用代码" and "GB 32100" in r.errors[0].message
    round_trip("schools", world.municipal, tmp_path, 4)


def test_school_majors_enterprises_agreements_teachers(world, tmp_path):
    f.major("0202", "汽车维修", levels=["intermediate", "advanced"])
    sm = {
        "学校代码": world.school_a.code,
        "目录版本": "",
        "专业代码": "0202",
        "班级层次": "高级工班",
        "状态": "招生",
        "开设年度": 2023,
    }
    r = imp("school_majors", [sm, dict(sm, **{"班级层次": "预备技师（技师）班"})], world.user_a)
    assert r.refused == 1 and r.errors[0].row == 3 and r.errors[0].column == "班级层次"
    r = imp("school_majors", [sm], world.user_a)
    assert r.ok and r.created == 1
    round_trip("school_majors", world.user_a, tmp_path, 2)

    code = f.credit_code("500112")
    ent = {
        "统一社会信用代码": code,
        "企业名称": "重庆示例汽车有限公司",
        "区县代码": "500112",
        "产业链代码": "",
        "产教融合型企业": "是",
    }
    assert imp("enterprises", [ent], world.user_a).created == 1
    r = imp("enterprises", [dict(ent, **{"企业名称": "改名"})], world.user_a)
    assert r.refused == 1  # only the municipal bureau corrects enterprises
    r = imp("enterprises", [dict(ent, **{"企业名称": "改名"})], world.municipal)
    assert r.updated == 1
    round_trip("enterprises", world.user_a, tmp_path, 1)

    ag = {
        "学校代码": world.school_a.code,
        "企业统一社会信用代码": code,
        "合作形式": "订单班",
        "项目名称": "汽车订单班",
        "开始日期": "2024/9/1",
        "结束日期": "2023.7.1",
    }
    r = imp("agreements", [ag], world.user_a)
    assert r.errors[0].column == "结束日期"
    ag["结束日期"] = "2027.7.1"
    assert imp("agreements", [ag], world.user_a).created == 1
    round_trip("agreements", world.user_a, tmp_path, 1)

    t = {
        "学校代码": world.school_a.code,
        "身份证号": f.id_number(datetime.date(1985, 1, 1)),
        "姓名": "刘老师",
        "类别": "兼职教师",
        "来源企业信用代码": code,
        "一体化教师": "是",
        "思政课教师": "否",
        "聘用日期": "2015-09-01",
        "离职日期": "",
    }
    assert imp("teachers", [t], world.user_a).created == 1
    assert (
        imp("teachers", [dict(t, **{"学校代码": world.school_b.code})], world.user_a).refused == 1
    )
    round_trip("teachers", world.user_a, tmp_path, 1)


def test_training_and_skill_certificates(world, tmp_path):
    tr = {
        "学校代码": world.school_a.code,
        "学员姓名": "周一",
        "学员身份证号": f.id_number(datetime.date(1990, 1, 1)),
        "培训类型": "岗位技能提升培训",
        "职业编码": "6－18－01－01",
        "职业（工种）": "车工",
        "学时": 80,
        "开班日期": "2025-03-01",
        "结业日期": "2025-04-30",
        "培训收入（元）": 1200,
        "社会培训": "是",
    }
    r = imp(
        "training", [tr, dict(tr, **{"职业编码": "9-99", "开班日期": "2025-03-02"})], world.user_a
    )
    assert r.refused == 1 and r.errors[0].column == "职业编码"
    assert imp("training", [tr], world.user_a).created == 1
    r = imp("training", [dict(tr, **{"学时": 96})], world.user_a)
    assert r.updated == 1
    log = AuditLog.objects.filter(object_type="training.trainingrecord", action="update").get()
    assert log.before == {"hours": 80} and log.after == {"hours": 96}
    round_trip("training", world.user_a, tmp_path, 1)

    school_services.designation_add(
        actor=None, school=world.school_a, kind="evaluation_institution", year=2025
    )
    sc = {
        "证书编号": "S500000202500000000001",
        "身份证号": world.reg_a.person.id_number,
        "姓名": "李明",
        "职业编码": "6-18-01-01",
        "职业（工种）": "车工",
        "等级": "四级/中级工",
        "发证日期": "2025-06-30",
        "评价机构学校代码": world.school_a.code,
    }
    r = imp("skill_certificates", [sc, dict(sc, **{"证书编号": "S1"})], world.user_a)
    assert r.refused == 1 and "22位" in r.errors[0].message
    assert imp("skill_certificates", [sc], world.user_a).created == 1
    round_trip("skill_certificates", world.user_a, tmp_path, 1)
    other = dict(
        sc, **{"证书编号": "S500000202500000000002", "评价机构学校代码": world.school_b.code}
    )
    assert imp("skill_certificates", [other], world.user_a).refused == 1


def test_status_changes_and_employment(world, tmp_path):
    from jigong.certificates.services import graduate
    from jigong.students import services as students
    from jigong.students.models import Registration

    pid = world.reg_a.person.id_number
    sc = {
        "身份证号": pid,
        "学校代码": world.school_a.code,
        "入学日期": "",
        "变更为": "毕业",
        "变更日期": "2025-07-01",
        "原因": "",
        "转入/转出学校代码": "",
    }
    # 毕业 is the graduation act's (it issues the certificate), never a bare 学籍异动 row
    r = imp("status_changes", [sc], world.user_a)
    assert not r.ok and "须通过“毕业（结业）发证”办理" in r.errors[0].message
    suspend = dict(sc, **{"变更为": "休学", "变更日期": "2025-03-01", "原因": "病休"})
    r = imp("status_changes", [suspend], world.user_a)
    assert r.ok and r.created == 1, [str(e) for e in r.errors]
    world.reg_a.refresh_from_db()
    assert world.reg_a.status == "suspended"
    assert imp("status_changes", [suspend], world.user_a).unchanged == 1
    round_trip("status_changes", world.user_a, tmp_path, 1)

    Registration.objects.filter(pk=world.reg_a.pk).update(enrolled_on=datetime.date(2022, 9, 1))
    world.reg_a.refresh_from_db()
    students.registration_change_status(
        actor=world.user_a,
        registration=world.reg_a,
        status="resumed",
        changed_on=datetime.date(2025, 4, 1),
        reason="病愈复学",
    )
    graduate(actor=world.user_a, registration=world.reg_a, issued_on=datetime.date(2025, 7, 1))

    emp = {
        "身份证号": pid,
        "学校代码": world.school_a.code,
        "入学日期": "",
        "去向": "就业",
        "就业单位": "某公司",
        "合作企业信用代码": "",
        "专业对口": "是",
        "统计日期": "2025-08-31",
    }
    assert imp("employment", [emp], world.user_a).created == 1
    r = imp("employment", [dict(emp, **{"去向": "升学"})], world.user_a)
    assert r.updated == 1
    round_trip("employment", world.user_a, tmp_path, 1)
    not_grad = dict(
        emp, **{"身份证号": world.reg_a2.person.id_number, "学校代码": world.school_a2.code}
    )
    r = imp("employment", [not_grad], world.district_a)
    assert r.refused == 1 and "毕业" in r.errors[0].message


@pytest.mark.parametrize("kind", ["students", "training", "teachers"])
def test_school_user_export_is_scoped(world, kind, tmp_path):
    out = tmp_path / "o.csv"
    export(kind, str(out), user=world.user_b)
    text = out.read_text(encoding="utf-8-sig")
    assert world.school_a.code not in text
