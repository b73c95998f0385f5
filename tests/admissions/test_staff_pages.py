"""The staff pages of online enrolment (issue 16, slice E3): a school's applications and
decisions, offline entry, registration day, the district's and the city's figures and
the city's season page — as each role, through the client."""

import datetime
import re

import pytest

from jigong.admissions.models import Application, Channel, Choice, ChoiceState, Season
from jigong.core import pii
from jigong.core.models import AuditLog
from jigong.students.models import Registration
from tests import factories as f
from tests.admissions import staff_world as sw

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world):
    return sw.build(world, quota=2)


def login(client, user):
    client.force_login(user)
    return client


def alerts(response) -> str:
    """The text of the page's alerts (messages) after a redirect was followed."""
    html = response.content.decode()
    return " ".join(re.findall(r'<div class="alert[^"]*" role="alert">(.*?)</div>', html, re.S))


def decide(client, choice, action, reason=""):
    return client.post(
        f"/admissions/choices/{choice.pk}/decide/",
        {"action": action, "reason": reason},
        follow=True,
    )


# --- a school's applications -----------------------------------------------------------


def test_school_sees_its_own_choices_with_the_plan_line_and_masked_ids(client, w):
    mine = sw.apply(w, name="陈小东")
    other = sw.apply(w, w.line_b, name="周其他")
    both = sw.apply(w, w.line_b, w.line_adv, name="吴两校")
    html = login(client, w.user_a).get("/admissions/").content.decode()
    assert mine.reference in html and both.reference in html
    assert other.reference not in html and "周其他" not in html
    assert "陈小东" in html  # a school's lists show its own applicants' names
    assert mine.id_number not in html and pii.mask_id(mine.id_number) in html
    # the plan line: quota 2, none held, 2 left for each level
    lines = html.split('data-testid="plan-lines"')[1].split("</table>")[0]
    assert lines.count('<td data-testid="left">2</td>') == 2
    # the choices as a spreadsheet (the decisions import's columns): its own only
    href = re.search(r'href="([^"]+)" data-testid="export-decisions"', html)[1]
    data = b"".join(client.get(href).streaming_content)
    from jigong.core.imports.readers import read

    refs = {r[0] for r in read(data, filename="x.xlsx").rows[1:]}
    assert refs == {mine.reference, both.reference}


def test_a_clerk_without_the_enrolment_duty_is_refused_one_with_it_works(client, w):
    app = sw.apply(w)
    c = sw.choice_at(app, w.school_a)
    login(client, w.clerk_records)
    assert client.get("/admissions/").status_code == 403
    assert (
        client.post(f"/admissions/choices/{c.pk}/decide/", {"action": "admit"}).status_code == 403
    )
    assert client.get("/admissions/enter/").status_code == 403
    c.refresh_from_db()
    assert c.state == ChoiceState.SUBMITTED
    login(client, w.clerk_enrol)
    assert client.get("/admissions/").status_code == 200
    decide(client, c, "admit")
    c.refresh_from_db()
    assert c.state == ChoiceState.ADMITTED


def test_another_schools_choice_is_not_found(client, w):
    app = sw.apply(w, w.line_b)
    theirs = sw.choice_at(app, w.school_b)
    login(client, w.user_a)
    r = client.post(f"/admissions/choices/{theirs.pk}/decide/", {"action": "admit"})
    assert r.status_code == 404
    r = client.post("/admissions/admit/", {"choice": [theirs.pk]})
    assert r.status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == ChoiceState.SUBMITTED


def test_admit_waitlist_and_refuse_with_a_reason(client, w):
    a, b, c = (sw.choice_at(sw.apply(w, name=n), w.school_a) for n in ("甲一", "乙二", "丙三"))
    login(client, w.user_a)
    r = decide(client, a, "admit")
    assert "已录取" in alerts(r)
    decide(client, b, "waitlist")
    r = decide(client, c, "refuse", "")  # a refusal needs a reason
    assert "alert-danger" in r.content.decode() and "丙*" in alerts(r)
    c.refresh_from_db()
    assert c.state == ChoiceState.SUBMITTED
    decide(client, c, "refuse", "专业名额已满，建议改报其他专业")
    for x, state in ((a, "admitted"), (b, "waitlisted"), (c, "refused")):
        x.refresh_from_db()
        assert x.state == state
    assert c.reason == "专业名额已满，建议改报其他专业"
    html = client.get("/admissions/").content.decode()
    lines = html.split('data-testid="plan-lines"')[1].split("</table>")[0]
    assert '<td data-testid="left">1</td>' in lines  # one place held by the admission


def test_the_plan_line_full_is_said_on_the_page_naming_the_applicant(client, w):
    first, second, third = (
        sw.choice_at(sw.apply(w, name=n), w.school_a) for n in ("王一", "王二", "欧阳第三")
    )
    login(client, w.user_a)
    decide(client, first, "admit")
    decide(client, second, "admit")
    r = decide(client, third, "admit")
    assert "alert-danger" in r.content.decode()
    text = alerts(r)
    assert "欧**三" in text and "欧阳第三" not in text
    assert third.application.reference in text
    third.refresh_from_db()
    assert third.state == ChoiceState.SUBMITTED


def test_batch_admission_is_all_or_nothing_naming_the_row_that_failed(client, w):
    rows = [sw.choice_at(sw.apply(w, name=n), w.school_a) for n in ("李一", "李二", "李三")]
    login(client, w.user_a)
    r = client.post("/admissions/admit/", {"choice": [c.pk for c in rows]}, follow=True)
    text = alerts(r)
    assert "所选第3行" in text and "李*" in text and rows[2].application.reference in text
    assert not Choice.objects.filter(state=ChoiceState.ADMITTED).exists()
    r = client.post("/admissions/admit/", {"choice": [c.pk for c in rows[:2]]}, follow=True)
    assert "已录取2人" in alerts(r)
    assert Choice.objects.filter(state=ChoiceState.ADMITTED).count() == 2


def test_filters_and_search(client, w):
    a = sw.apply(w, name="赵文")
    b = sw.apply(w, w.line_adv, name="钱武", category="veteran", schooling="senior")
    sw.apply(w, name="孙平")
    decide(login(client, w.user_a), sw.choice_at(a, w.school_a), "admit")

    def refs(query):
        html = client.get("/admissions/" + query).content.decode()
        return set(re.findall(r'data-reference="([^"]+)"', html))

    assert refs("?state=admitted") == {a.reference}
    assert refs(f"?major={w.line_adv.pk}") == {b.reference}
    assert refs("?category=veteran") == {b.reference}
    assert refs(f"?q={b.reference}") == {b.reference}
    assert refs("?q=赵文") == {a.reference}
    assert refs("?channel=offline") == set()
    assert client.get("/admissions/?state=nonsense").status_code == 400


# --- offline entry ------------------------------------------------------------------


def test_offline_entry_offers_only_the_schools_majors_and_enters_through_the_act(client, w):
    login(client, w.user_a)
    html = client.get("/admissions/enter/").content.decode()
    select = re.search(r'<select name="choice1_school_major".*?</select>', html, re.S)[0]
    offered = set(re.findall(r'<option value="(\d+)"', select))
    assert offered == {str(w.line_mid.pk), str(w.line_adv.pk)}  # not school_b's
    number = f.id_number(birth=datetime.date(2008, 6, 1))
    data = {
        "id_number": number,
        "name": "线下报",
        "phone": "13912345678",
        "category": "junior_graduate",
        "schooling": "junior",
        "choice1_school_major": w.line_mid.pk,
        "choice1_track": "full_time",
    }
    bad = client.post("/admissions/enter/", {**data, "id_number": number[:17] + "Z"})
    assert bad.status_code == 200 and 'data-field="id_number"' in bad.content.decode()
    assert not Application.objects.exists()
    r = client.post("/admissions/enter/", data, follow=True)
    app = Application.objects.get()
    assert app.channel == Channel.OFFLINE and app.entered_by_school == w.school_a
    assert app.reference in alerts(r)
    # another school's major is no choice of this form
    r = client.post("/admissions/enter/", {**data, "choice1_school_major": w.line_b.pk})
    assert 'data-field="choice1_school_major"' in r.content.decode()


# --- registration day ---------------------------------------------------------------


def _confirmed(client, w, name):
    app = sw.apply(w, name=name)
    c = sw.choice_at(app, w.school_a)
    from jigong.admissions import services

    services.choice_admit(actor=w.user_a, choice=c)
    services.admission_confirm(actor=None, application=app, choice=c)
    return app, c


def test_registration_day_makes_the_cohort_into_records_that_remember_the_application(client, w):
    app, c = _confirmed(client, w, "注册甲")
    _confirmed(client, w, "注册乙")
    login(client, w.user_a)
    html = client.get("/admissions/register/").content.decode()
    assert app.reference in html and "将已确认录取的新生注册学籍" in html
    r = client.post("/admissions/register/", {"enrolled_on": w.today.isoformat()}, follow=True)
    # a background job (tests: run at once): its page shows the outcome
    summary = r.content.decode().split('data-testid="file-summary"')[1].split("</div>")[0]
    assert "已为2名新生注册学籍" in summary
    c.refresh_from_db()
    assert c.state == ChoiceState.ENROLLED and c.registration is not None
    assert c.registration.admission == c and c.registration.school == w.school_a
    listing = client.get("/registrations/?q=注册甲").content.decode()
    assert "注册甲" in listing
    detail = client.get(f"/registrations/{c.registration.pk}/").content.decode()
    assert app.reference in detail  # the 学籍 page names the application it came from
    assert Registration.objects.filter(admission__isnull=False).count() == 2


def test_registration_day_refused_names_the_applicant_and_writes_nothing(client, w):
    app, c = _confirmed(client, w, "重复生")
    # meanwhile the same person is enrolled full time at another school
    f.registration(w.school_b, id_number=app.id_number, name="重复生")
    before = Registration.objects.count()
    login(client, w.user_a)
    r = client.post("/admissions/register/", {"enrolled_on": w.today.isoformat()}, follow=True)
    text = r.content.decode()
    # the job's page: the job failed with the act's refusal
    assert r.status_code == 200 and 'data-testid="file-failed"' in text
    errors = text.split('data-testid="file-failed"')[1].split("</div>")[0]
    assert "重*生" in errors and app.reference in errors and "已有在校的全日制学籍" in errors
    assert app.id_number not in text
    assert Registration.objects.count() == before
    c.refresh_from_db()
    assert c.state == ChoiceState.CONFIRMED


def test_registration_day_is_the_acts_duty(client, w):
    login(
        client,
        w.clerk_records if _duty_of("admission.enrol_cohort") == "enrolment" else w.clerk_enrol,
    )
    assert client.get("/admissions/register/").status_code == 403
    assert (
        client.post("/admissions/register/", {"enrolled_on": w.today.isoformat()}).status_code
        == 403
    )


def _duty_of(code):
    from jigong.core import acts

    acts.autodiscover()
    return acts.get(code).duty


# --- the district's and the city's figures; the season --------------------------------


def test_district_and_city_see_figures_of_their_scope_only(client, w):
    a = sw.apply(w, name="区一")
    sw.apply(w, w.line_b, name="区二")
    decide(login(client, w.user_a), sw.choice_at(a, w.school_a), "admit")

    def rows(user):
        login(client, user)
        html = client.get("/admissions/overview/").content.decode()
        return html

    html = rows(w.district_a)
    assert w.school_a.name in html and w.school_b.name not in html
    assert "区一" not in html  # figures, no applicants
    html = rows(w.district_b)
    assert w.school_b.name in html and w.school_a.name not in html
    html = rows(w.municipal)
    assert w.school_a.name in html and w.school_b.name in html
    html = client.get(f"/admissions/overview/?school={w.school_a.pk}").content.decode()
    row = next(
        r
        for r in html.split('data-testid="overview-row"')[1:]
        if "中级工班" in r and w.school_a.name in r
    )
    cells = re.findall(r"<td>([^<]*)</td>", row)
    # school, major, level, quota 2, applications 1, admitted 1, confirmed 0, enrolled 0
    assert cells[3:8] == ["2", "1", "1", "0", "0"]
    login(client, w.user_a)
    assert client.get("/admissions/overview/").status_code == 403
    login(client, w.district_a)
    assert client.get("/admissions/").status_code == 302  # the bureaus' page


def test_the_city_sets_the_season_others_may_not(client, w):
    login(client, w.municipal)
    assert client.get("/admissions/season/").status_code == 200
    nxt = w.year + 1
    r = client.post(
        "/admissions/season/",
        {
            "year": nxt,
            "opens_on": f"{nxt}-03-01",
            "closes_on": f"{nxt}-06-30",
            "max_choices": 2,
        },
    )
    assert r.status_code == 302
    s = Season.objects.get(year=nxt)
    assert (s.opens_on, s.closes_on, s.max_choices) == (
        datetime.date(nxt, 3, 1),
        datetime.date(nxt, 6, 30),
        2,
    )
    assert AuditLog.objects.filter(act="admission.season_set").exists()
    r = client.post(
        "/admissions/season/",
        {"year": nxt, "opens_on": f"{nxt}-07-01", "closes_on": f"{nxt}-06-30", "max_choices": 2},
    )
    assert r.status_code == 200 and "invalid-feedback" in r.content.decode()
    for user in (w.district_a, w.user_a):
        login(client, user)
        assert client.get("/admissions/season/").status_code == 403


def test_menu_entries_follow_the_duty_and_the_role(w):
    from jigong.core.navigation import menu_for

    def labels(user):
        return {i["label"] for g in menu_for(user) for i in g["items"]}

    assert "招生报名" in labels(w.user_a) and "招生报名" in labels(w.clerk_enrol)
    assert "招生报名" not in labels(w.clerk_records)
    assert "招生录取情况" not in labels(w.user_a)
    for bureau in (w.district_a, w.municipal):
        assert "招生录取情况" in labels(bureau) and "招生报名" not in labels(bureau)
