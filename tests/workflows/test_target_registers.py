"""Issue 14, "Targets encoded but never measured": the registers behind the targets of
（四）（十七）（二十） — teacher training bases, the digital-resources title, textbooks —
their acts with the caps (（二十） 3—5 市级一体化基地, （十二） 3—5 联盟), the indicators
and their rows in the targets table."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jigong.cooperation import services as cooperation
from jigong.core.models import AuditLog
from jigong.indicators import cache
from jigong.indicators import selectors as S
from jigong.workflows import registers
from jigong.workflows.models import BaseDesignation, Textbook
from tests import factories as f

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _base(w, school, *, kind="integrated_base", level="municipal", on=None, no="1"):
    on = on or D(2023, 5, 1)
    return registers.base_record(
        actor=w.municipal,
        kind=kind,
        level=level,
        school=school,
        designated_on=on,
        document_no=f"渝人社〔2023〕{no}号",
    )


def _textbook(actor, *, kind="school", school=None, on=None, title="数控车削加工"):
    on = on or D(2023, 9, 1)
    return registers.textbook_record(
        actor=actor, kind=kind, title=title, school=school, approved_on=on
    )


# --- acts ---------------------------------------------------------------------------


def test_the_bureau_records_and_withdraws_a_base_with_its_audit_rows(world):
    base = _base(world, world.school_a, kind="ideology_base")
    assert AuditLog.objects.filter(act="base_designation.record", object_id=str(base.pk)).exists()
    with pytest.raises(ValidationError) as info:
        registers.base_withdraw(
            actor=world.municipal, designation=base, withdrawn_on=D(2024, 1, 1), reason=" "
        )
    assert "reason" in info.value.message_dict
    registers.base_withdraw(
        actor=world.municipal, designation=base, withdrawn_on=D(2024, 1, 1), reason="复核不合格"
    )
    base.refresh_from_db()
    assert (base.withdrawn_on, base.withdrawn_reason) == (D(2024, 1, 1), "复核不合格")
    assert AuditLog.objects.filter(act="base_designation.withdraw").count() == 1
    with pytest.raises(ValidationError, match="已于2024-01-01撤销"):  # once
        registers.base_withdraw(
            actor=world.municipal, designation=base, withdrawn_on=D(2024, 2, 1), reason="再撤"
        )


@pytest.mark.parametrize("who", ["district_a", "user_a"])
def test_only_the_municipal_bureau_designates(world, who):
    with pytest.raises(PermissionDenied):
        registers.base_record(
            actor=getattr(world, who),
            kind="ideology_base",
            level="municipal",
            school=world.school_a,
            designated_on=D(2023, 5, 1),
            document_no="渝人社〔2023〕1号",
        )
    assert not BaseDesignation.objects.exists()


def test_the_digital_title_is_national_and_needs_a_document_number(world):
    with pytest.raises(ValidationError) as info:
        _base(world, world.school_a, kind="digital_school", level="municipal")
    assert "国家级" in info.value.message_dict["level"][0]
    with pytest.raises(ValidationError) as info:
        registers.base_record(
            actor=world.municipal,
            kind="ideology_base",
            level="national",
            school=world.school_a,
            designated_on=D(2023, 5, 1),
            document_no="",
        )
    assert "document_no" in info.value.message_dict


def test_a_sixth_current_municipal_integrated_base_is_refused(world):
    schools = [f.school(district_code="500103", name=f"基地候选{i}") for i in range(6)]
    made = [_base(world, s, no=str(i)) for i, s in enumerate(schools[:5])]
    with pytest.raises(ValidationError) as info:
        _base(world, schools[5], no="9")
    msg = info.value.message_dict["level"][0]
    assert "5" in msg and "（二十）" in msg and "已有" in msg
    assert BaseDesignation.objects.count() == 5
    # a national one and a 思政 one are not under this cap
    _base(world, schools[5], level="national", no="10")
    _base(world, schools[5], kind="ideology_base", no="11")
    # a withdrawn base is no longer current: its place is free again
    registers.base_withdraw(
        actor=world.municipal, designation=made[0], withdrawn_on=D(2024, 1, 1), reason="撤销"
    )
    _base(world, schools[5], on=D(2024, 3, 1), no="12")
    caps = {c["code"]: c for c in registers.caps(user=world.municipal)}
    row = caps["integrated_bases_municipal"]
    assert (row["count"], row["cap"], row["remaining"]) == (5, 5, 0)


def test_a_school_records_its_own_school_textbook_only(world):
    book = _textbook(world.user_a, school=world.school_a)
    assert book.school == world.school_a and book.kind == "school"
    assert AuditLog.objects.filter(act="textbook.record", object_id=str(book.pk)).exists()
    with pytest.raises(PermissionDenied):  # another school's
        _textbook(world.user_a, school=world.school_b)
    with pytest.raises(ValidationError) as info:  # 规划教材 are the city's
        _textbook(world.user_a, kind="planned", school=world.school_a)
    assert "规划教材" in info.value.message_dict["kind"][0]
    with pytest.raises(PermissionDenied):  # a district reads, it does not record
        _textbook(world.district_a, school=world.school_a)
    with pytest.raises(ValidationError) as info:  # a 校本教材 is a school's
        _textbook(world.municipal, kind="school", school=None)
    assert "school" in info.value.message_dict
    # the city records a 规划教材, with or without a lead school
    _textbook(world.municipal, kind="planned", school=None, title="电工基础")
    _textbook(world.municipal, kind="planned", school=world.school_b, title="汽车维修")


def test_a_school_withdraws_its_own_textbook_and_not_another_schools(world):
    own = _textbook(world.user_a, school=world.school_a)
    other = _textbook(world.user_b, school=world.school_b)
    planned = _textbook(world.municipal, kind="planned", school=world.school_a, title="电工基础")
    with pytest.raises(PermissionDenied):
        registers.textbook_withdraw(
            actor=world.user_a, textbook=other, withdrawn_on=D(2024, 1, 1), reason="停用"
        )
    with pytest.raises(PermissionDenied):  # the lead school does not withdraw the city's
        registers.textbook_withdraw(
            actor=world.user_a, textbook=planned, withdrawn_on=D(2024, 1, 1), reason="停用"
        )
    registers.textbook_withdraw(
        actor=world.user_a, textbook=own, withdrawn_on=D(2024, 1, 1), reason="内容过时"
    )
    own.refresh_from_db()
    assert own.withdrawn_on == D(2024, 1, 1)
    assert AuditLog.objects.filter(act="textbook.withdraw").count() == 1


def test_a_sixth_alliance_founded_in_the_period_is_refused(world):
    def found(i, on):
        return cooperation.alliance_create(
            actor=world.municipal, name=f"技工教育联盟{i}", lead_kind="school", founded_on=on
        )

    found(0, D(2019, 6, 1))  # before 十四五: not one of its 3—5
    for i in range(1, 6):
        found(i, D(2021 + i - 1, 6, 1))
    with pytest.raises(ValidationError) as info:
        found(6, D(2025, 9, 1))
    msg = info.value.message_dict["founded_on"][0]
    assert "5" in msg and "（十二）" in msg and "已组建" in msg
    found(7, D(2026, 3, 1))  # after the period: the cap of 十四五 does not apply


# --- indicators and the targets table ------------------------------------------------


def _rows(user, year):
    return {t.indicator.code: t for t in S.targets_table(user=user, year=year)}


def test_bases_count_as_current_at_year_end_and_withdrawn_ones_drop(world):
    a = _base(world, world.school_a, kind="ideology_base", on=D(2023, 5, 1))
    _base(world, world.school_b, kind="ideology_base", on=D(2024, 12, 31), no="2")
    _base(world, world.school_b, kind="ideology_base", level="national", on=D(2023, 1, 1), no="3")
    registers.base_withdraw(
        actor=world.municipal, designation=a, withdrawn_on=D(2025, 3, 1), reason="复核不合格"
    )
    trend = {
        r.key: r.value
        for r in S.compute("ideology_bases_municipal", user=world.municipal, year=2025, by="year")
    }
    assert (trend[2022], trend[2023], trend[2024], trend[2025]) == (None, 1, 2, 1)
    assert S.compute("ideology_bases_national", user=world.municipal, year=2025)[0].value == 1
    # the district of school_a sees its own school's base only
    assert S.compute("ideology_bases_municipal", user=world.district_a, year=2024)[0].value == 1


def test_textbooks_count_from_the_policy_date_and_not_once_withdrawn(world):
    _textbook(world.user_a, school=world.school_a, on=D(2022, 3, 1), title="旧教材")  # before
    _textbook(world.user_a, school=world.school_a, on=D(2022, 9, 1), title="车工工艺")
    late = _textbook(world.user_b, school=world.school_b, on=D(2024, 5, 1), title="焊接工艺")
    registers.textbook_withdraw(
        actor=world.user_b, textbook=late, withdrawn_on=D(2025, 2, 1), reason="停用"
    )
    _textbook(world.municipal, kind="planned", school=None, on=D(2023, 5, 1), title="电工基础")
    _textbook(world.municipal, kind="planned", school=world.school_b, title="汽车维修")
    city = {
        r.key: r.value
        for r in S.compute("school_textbooks", user=world.municipal, year=2025, by="year")
    }
    assert (city[2022], city[2024], city[2025]) == (1, 2, 1)
    # a 规划教材 without a lead school is the city's: counted for the city, not a district
    assert S.compute("planned_textbooks", user=world.municipal, year=2025)[0].value == 2
    assert S.compute("planned_textbooks", user=world.district_b, year=2025)[0].value == 1
    assert S.compute("planned_textbooks", user=world.district_a, year=2025)[0].value is None


def test_the_targets_table_judges_the_new_rows(world):
    for i in range(3):
        s = f.school(district_code="500103", name=f"数字化候选{i}")
        _base(world, s, kind="digital_school", level="national", no=str(i))
    _base(world, world.school_a, kind="integrated_base", level="national", no="20")
    _textbook(world.municipal, kind="planned", school=world.school_a, title="电工基础")
    rows = _rows(world.municipal, 2025)
    for code in (
        "ideology_bases_national",
        "ideology_bases_municipal",
        "integrated_bases_national",
        "integrated_bases_municipal",
        "planned_textbooks",
        "school_textbooks",
        "digital_excellent_schools",
    ):
        assert code in rows, code
        assert rows[code].target is not None and "累计" in rows[code].kind_label
    assert rows["digital_excellent_schools"].actual == 3
    assert rows["digital_excellent_schools"].status_label == "达成"
    assert rows["integrated_bases_national"].status_label == "达成"
    assert rows["planned_textbooks"].status_label == "进行中"
    assert rows["ideology_bases_municipal"].status_label == "无数据"
    assert rows["planned_textbooks"].citation.clause == "（十七）"


def test_a_range_target_shows_both_ends_and_says_when_above_the_cap(world):
    from jigong.indicators.formatting import show_target

    # designated before the policy (no cap then): six current 市级一体化基地
    for i in range(6):
        s = f.school(district_code="500103", name=f"老基地{i}")
        _base(world, s, on=D(2021, 5, 1), no=str(i))
    row = _rows(world.municipal, 2025)["integrated_bases_municipal"]
    assert show_target(row.indicator, row.target) == "3—5个"
    assert row.actual == 6
    assert "超过上限5个" in row.status_label
    alliances = _rows(world.municipal, 2025)["alliances"]
    assert show_target(alliances.indicator, alliances.target) == "3—5个"


def test_a_district_sees_its_own_figures_against_the_city_target(world):
    _base(world, world.school_a, kind="digital_school", level="national")
    row = _rows(world.district_a, 2025)["digital_excellent_schools"]
    assert row.part and row.actual == 1 and row.status_label == "不评判"
    assert row.share == pytest.approx(1 / 3)


def test_the_annual_report_lists_the_new_targets(world):
    from jigong.quality.report import _targets

    _base(world, world.school_a, kind="digital_school", level="national")
    rows = {r["code"]: r for r in _targets(world.municipal, 2025, None)}
    assert rows["digital_excellent_schools"]["clause"] == "（十七）"
    assert rows["digital_excellent_schools"]["actual"] == "1"
    assert rows["digital_excellent_schools"]["status"] == "进行中"
    assert rows["integrated_bases_municipal"]["target"] == "3—5个"


# --- pages ----------------------------------------------------------------------------


def _table(response) -> str:
    """The register's table of a list page (the filters list every school)."""
    return response.content.decode().split('data-testid="register-table"')[1]


def test_the_list_page_filters_and_shows_what_is_left_of_each_cap(client, world):
    _base(world, world.school_a)
    _base(world, world.school_b, kind="ideology_base", on=D(2024, 2, 1), no="2")
    client.force_login(world.municipal)
    text = client.get("/teacher-bases/").content.decode()
    assert "市级一体化师资研修基地" in text and "现有 1 / 上限 5，尚余 4" in text
    text = _table(client.get("/teacher-bases/?kind=ideology_base"))
    assert world.school_b.name in text and world.school_a.name not in text
    text = _table(client.get("/teacher-bases/?year=2023"))
    assert world.school_a.name in text and world.school_b.name not in text
    xlsx = client.get("/teacher-bases/export.xlsx?kind=ideology_base")
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_record_and_withdraw_forms(client, world):
    client.force_login(world.municipal)
    r = client.post(
        "/teacher-bases/new/",
        {
            "kind": "integrated_base",
            "level": "municipal",
            "school": world.school_a.pk,
            "designated_on": "2023-05-01",
            "document_no": "渝人社〔2023〕8号",
            "name": "",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    base = BaseDesignation.objects.get()
    r = client.post(f"/teacher-bases/{base.pk}/withdraw/", {"withdrawn_on": "2024-01-02"})
    assert "须填写原因" in r.content.decode()
    r = client.post(
        f"/teacher-bases/{base.pk}/withdraw/", {"withdrawn_on": "2024-01-02", "reason": "复核"}
    )
    assert r.status_code == 302
    base.refresh_from_db()
    assert base.withdrawn_on == D(2024, 1, 2)


def test_textbook_pages_scope(client, world):
    own = _textbook(world.user_a, school=world.school_a)
    other = _textbook(world.user_b, school=world.school_b, title="焊接工艺")
    client.force_login(world.user_a)
    text = _table(client.get("/textbooks/"))
    assert own.title in text and other.title not in text
    assert client.get(f"/textbooks/{other.pk}/").status_code == 404
    assert client.get(f"/textbooks/{other.pk}/withdraw/").status_code == 404
    r = client.post(
        "/textbooks/new/",
        {"kind": "school", "title": "钳工技能", "approved_on": "2024-03-01"},
    )
    assert r.status_code == 302
    assert Textbook.objects.get(title="钳工技能").school == world.school_a
    r = client.post(
        "/textbooks/new/", {"kind": "planned", "title": "规划一", "approved_on": "2024-03-01"}
    )
    assert "规划教材" in r.content.decode() and not Textbook.objects.filter(title="规划一")
    client.force_login(world.district_a)
    text = _table(client.get("/textbooks/"))
    assert own.title in text and other.title not in text
    assert client.get("/textbooks/new/").status_code == 403
