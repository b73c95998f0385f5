"""Trust-breakers seen in the browser (issue 19 point 9): the graduate's ID number is
masked until asked for, and the verification result fits a 390 px phone screen."""

import datetime

import pytest

from jigong.certificates import services as certificates
from jigong.core.pii import mask_id
from jigong.schools import services as schools
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def holder(world):
    """A graduate of school_a with a long-named skill certificate, linked to the
    graduate's account."""
    reg = f.registration(
        world.school_a,
        name="张晓明",
        level="advanced",
        id_number=f.id_number(birth=datetime.date(2006, 3, 1)),
        enrolled_on=datetime.date(2022, 9, 1),
    )
    cert = certificates.graduate(
        actor=world.user_a, registration=reg, issued_on=datetime.date(2025, 6, 30)
    )
    schools.designation_add(
        actor=world.municipal, school=world.school_a, kind="evaluation_institution", year=2025
    )
    certificates.skill_certificate_create(
        actor=world.user_a,
        person=reg.person,
        number="S500000000000000000123",
        occupation_code="6-18-01-01",
        occupation_name="工业机器人系统运维员（智能制造装备调试）",
        level=4,
        issued_on=datetime.date(2025, 6, 1),
        evaluator=world.school_a,
    )
    world.graduate.person = reg.person
    world.graduate.save(update_fields=["person"])
    return cert


def test_graduate_id_number_is_masked_until_shown(portal, world, holder):
    number = holder.registration.person.id_number
    portal.login(world.graduate.username)
    page = portal.goto("/graduate/")
    box = page.get_by_test_id("my-id-number")
    assert mask_id(number) in box.inner_text() and number not in box.inner_text()
    box.get_by_role("button", name="显示").click()
    assert number in box.inner_text() and mask_id(number) not in box.inner_text()
    box.get_by_role("button", name="隐藏").click()
    assert mask_id(number) in box.inner_text() and number not in box.inner_text()


def test_verification_result_fits_a_phone(portal, holder):
    page = portal.page
    page.set_viewport_size(PHONE)
    portal.goto("/verify/")
    page.get_by_label("证书编号").fill(holder.number)
    page.get_by_label("持证人姓名").fill("张晓明")
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state()
    page.get_by_test_id("linked-skill").wait_for()
    card = page.get_by_test_id("verify-result")
    widths = card.evaluate("c => [c.scrollWidth, c.clientWidth]")
    assert widths[0] <= widths[1], f"the card's content is {widths[0]} px wide in {widths[1]} px"
    page_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert page_width <= PHONE["width"], f"the page scrolls sideways: {page_width} px"


def test_annual_report_keeps_region_names_on_one_line(portal, world, holder):
    """Issue 14: the annual report's regional tables printed region names one character
    per line. The report's HTML laid out at the PDF's text width (A4 less margins)."""
    from jigong.core.choices import RegionGroup
    from jigong.quality import report

    html = report.live_html(report.context(user=world.municipal, year=2025))
    page = portal.page
    page.set_viewport_size({"width": 673, "height": 900})  # 178 mm at 96 dpi
    page.emulate_media(media="print")
    page.set_content(html)
    lines = page.evaluate(
        """labels => [...document.querySelectorAll("td")]
            .filter(td => labels.includes(td.textContent.trim()))
            .map(td => {
              const range = document.createRange();
              range.selectNodeContents(td);
              const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
              return [td.textContent.trim(), tops.size];
            })""",
        [str(label) for label in RegionGroup.labels],
    )
    assert lines, "no regional table"
    broken = [(label, n) for label, n in lines if n > 1]
    assert not broken, f"region names wrapped (name, lines): {broken}"
