"""The platform speaks Simplified Chinese whatever the browser asks for: there is no other
catalogue, so a browser set to English must not get Django's English messages and
English dates inside the Chinese pages."""

import datetime

from jigong.core.models import Role
from tests import factories as f

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


def test_an_english_browser_gets_chinese_dates_and_messages(client, world):
    f.user(Role.MUNICIPAL, username="lang-city")
    r = client.post("/accounts/login/", {"username": "lang-city", "password": "not-it"}, **ENGLISH)
    page = r.content.decode()
    assert '<html lang="zh-hans">' in page
    assert "Please enter a correct" not in page
    assert "请输入一个正确的" in page


def test_the_enrolment_form_shows_its_season_in_chinese_dates(client, db, reference_data):
    from jigong.admissions.models import Season

    today = datetime.date.today()
    Season.objects.create(
        year=today.year,
        opens_on=today - datetime.timedelta(days=1),
        closes_on=datetime.date(today.year + 1, 2, 4),
        max_choices=3,
    )
    page = client.get("/enrol/apply/", **ENGLISH).content.decode()
    assert f"{today.year + 1}年2月4日" in page
    assert "Feb. 4" not in page
