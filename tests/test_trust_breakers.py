"""The smaller trust-breakers of issue 19 (point 9) and issue 14's small defects: what a
user sees on the pages, the exports and the templates (client level; the layout at
390 px and the ID toggle: tests/browser/test_trust_breakers.py)."""

import datetime
import io
import re

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from jigong.core.imports import run_import
from tests import factories as f

pytestmark = pytest.mark.django_db


def _options(html: str, name: str) -> list[str]:
    """The option texts of the <select name=…> on the page."""
    m = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert m, f"no select {name}"
    return [
        re.sub(r"\s+", " ", t).strip()
        for t in re.findall(r"<option[^>]*>(.*?)</option>", m[1], re.S)
    ]


# --- /verify/: a miss keeps what was typed ---------------------------------------------


def test_failed_public_query_keeps_the_number_and_name(client, world):
    number = "2025T000110000099"  # 17 characters, no such certificate
    r = client.post("/verify/", {"number": number, "name": "张晓明"}, REMOTE_ADDR="203.0.113.9")
    body = r.content.decode()
    assert "未查询到" in body
    assert f'value="{number}"' in body and 'value="张晓明"' in body


# --- /compliance/: rounded percentages, Chinese names ------------------------------------


def test_compliance_rounds_percentages_and_names_the_standard_in_chinese(client, world):
    from jigong.staff.services import teacher_create

    for i in range(3):  # 1 of 3 full-time teachers 一体化: 33.333…%
        teacher_create(
            actor=world.user_a,
            school=world.school_a,
            id_number=f.id_number(birth=datetime.date(1980, 1, 1 + i)),
            name=f"教师{i}",
            kind="full_time",
            hired_on=datetime.date(2020, 9, 1),
            integrated_qualified=i == 0,
        )
    client.force_login(world.municipal)
    body = client.get("/compliance/").content.decode()
    assert "33.33%" in body
    assert not re.search(r"\d\.\d{3,}%", body), "a percentage with more than 2 decimals"
    assert "licensing.standards" not in body


# --- a returned filing: the new deadline runs from the return ----------------------------


def test_returned_plan_gets_a_deadline_after_the_return(world):
    from jigong.workflows import services
    from tests.workflows.conftest import make_plan

    plan = make_plan(world, year=timezone.localdate().year - 1)  # its 04-30 is past
    services.transition(actor=world.user_a, item=plan, action="submit")
    services.transition(
        actor=world.district_a, item=plan, action="district_return", comment="名额有误"
    )
    plan.refresh_from_db()
    assert plan.state == "returned"
    assert plan.due_on is not None and plan.due_on > timezone.localdate()
    assert not plan.overdue


# --- the students export: 学籍状态, and it imports back ------------------------------------


def test_students_export_has_the_status_and_imports_back(client, world):
    from jigong.students.services import registration_change_status

    registration_change_status(
        actor=world.user_a,
        registration=world.reg_a,
        status="suspended",
        changed_on=datetime.date(2025, 3, 1),
    )
    client.force_login(world.user_a)
    r = client.get("/imports/students/export.xlsx")
    assert r.status_code == 200
    data = b"".join(r.streaming_content)
    ws = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    head = [c.value for c in ws[1]]
    assert "学籍状态" in head
    col = head.index("学籍状态")
    assert [row[col].value for row in ws.iter_rows(min_row=2)] == ["休学"]
    back = run_import("students", data, filename="e.xlsx", user=world.user_a)
    assert back.ok and back.total == 1 and back.created == 0, [str(e) for e in back.errors]


# --- names on list pages: the school sees its own whole ----------------------------------


def test_school_sees_its_own_students_names_whole_on_lists(client, world):
    twin = f.registration(world.school_a, name="李敏", id_number=f.id_number(sex="F"))
    client.force_login(world.user_a)
    for url in ("/students/", "/registrations/"):
        body = client.get(url).content.decode()
        assert "李明" in body and "李敏" in body, url
    assert twin.person.id_number not in client.get("/students/").content.decode()
    client.force_login(world.district_a)
    body = client.get("/registrations/").content.decode()
    assert "李明" not in body and "李*" in body


# --- the audit log's filter: Chinese names -----------------------------------------------


def test_audit_log_filter_lists_chinese_model_names(client, world):
    client.force_login(world.municipal)
    page = client.get("/audit-log/").content.decode()
    options = _options(page, "object_type")
    assert "学生资助项目" in options and "组" in options
    raw = [o for o in options if re.search(r"[a-z]", o)]
    assert not raw, raw
    acts = _options(page, "act")
    assert "登记校企合作协议" in acts
    raw = [o for o in acts if re.search(r"[a-z]", o)]
    assert not raw, raw
    assert len(set(acts)) == len(acts), "two acts read the same"


# --- menus, selects and filters -----------------------------------------------------------


def _menu(client) -> list[str]:
    body = client.get("/").content.decode()
    nav = re.search(r'data-testid="nav-menu".*?</nav>', body, re.S)[0]
    return re.findall(r'class="nav-link[^"]*" href="[^"]*">([^<]+)</a>', nav)


def test_school_menu_leaves_out_city_registers(client, world):
    client.force_login(world.user_a)
    school = _menu(client)
    for city in ("区县", "产业链", "专业目录", "技工教育联盟", "达标检查与招生暂停"):
        assert city not in school, city
    for own in ("学籍", "毕业证书", "培训记录", "校企合作协议", "数据导入导出"):
        assert own in school, own
    client.force_login(world.municipal)
    city = _menu(client)
    assert "区县" in city and "达标检查与招生暂停" in city and len(city) > len(school)


def test_selects_start_with_a_chinese_placeholder(client, world):
    client.force_login(world.user_a)
    form = client.get(reverse("workflows:major_adjustment_create")).content.decode()
    assert "---------" not in form
    assert _options(form, "school_major")[0] == "请选择"
    listing = client.get("/teachers/").content.decode()
    assert "---------" not in listing
    assert _options(listing, "integrated_qualified") == ["全部", "是", "否"]


def test_district_school_filter_lists_its_own_district_only(client, world):
    client.force_login(world.district_a)
    options = _options(client.get("/schools/").content.decode(), "district")
    assert options[1:] == [str(world.school_a.district)]
    client.force_login(world.municipal)
    assert len(_options(client.get("/schools/").content.decode(), "district")) > 40


# --- import templates: empty data area, the school's own code -----------------------------


def test_template_has_an_empty_data_area_and_the_schools_code(client, world):
    client.force_login(world.user_a)
    r = client.get("/imports/students/template.xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    ws = wb.worksheets[0]
    assert all(c.value is None for row in ws.iter_rows(min_row=2) for c in row)
    notes = "\n".join(str(c.value) for s in wb.worksheets[1:] for row in s.iter_rows() for c in row)
    assert "T0001" not in notes
    assert world.school_a.code in notes
    head = [c.value for c in ws[1]]
    col = head.index("学校代码") + 1
    lists = [
        dv.formula1
        for dv in ws.data_validations.dataValidation
        if any(rng.min_col == col for rng in dv.sqref.ranges)
    ]
    assert lists == [f'"{world.school_a.code}"']


# --- issue 14: the major-adjustment pages ------------------------------------------------


def test_major_adjustment_list_and_detail_show_major_and_class_level(client, world):
    from jigong.workflows.catalogue import adjustment_create

    major = f.major("0302", "数控加工")
    item = adjustment_create(
        actor=world.user_a,
        school=world.school_a,
        action="open",
        major=major,
        level="advanced",
        reason="对接智能制造产业链",
    )
    client.force_login(world.user_a)
    listing = client.get("/major-adjustments/").content.decode()
    row = re.search(r"<tbody>(.*?)</tbody>", listing, re.S)[1]
    assert "数控加工" in row
    detail = client.get(f"/major-adjustments/{item.pk}/").content.decode()
    assert "高级工班" in detail and ">advanced<" not in detail


# --- the demo publishes its annual report ---------------------------------------------


def test_demo_publishes_its_annual_report(client, world, settings, tmp_path):
    """The demo's worker job builds and publishes the city's report of the demo's last
    year, so /reports/ is not empty on a fresh demo (the job runs here at once)."""
    from jigong.demo import reports

    settings.MEDIA_ROOT = tmp_path
    assert "2025" not in client.get("/reports/").content.decode()
    reports.publish_demo_reports.enqueue(username=world.municipal.username)
    body = client.get("/reports/").content.decode()
    assert "重庆市技工教育2025年度质量报告" in body
