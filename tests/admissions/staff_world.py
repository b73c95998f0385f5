"""The enrolment world of the staff pages' tests (slice E3): an open season of this
year, school_a (a 技师学院) on the published qualification list with an approved plan
(0101 中级工班 and 高级工班, ``quota`` places each), a school_a clerk without the duty
招生, and applications made through the public act."""

import datetime
import itertools

from django.utils import timezone

from jigong.admissions import services
from jigong.workflows import services as wf
from jigong.workflows.models import QualificationEntry, QualificationList
from tests import factories as f

_phone = itertools.count(13800000001)


def build(w, *, quota=2):
    today = timezone.localdate()
    w.today = today
    w.year = today.year
    w.season = services.season_set(
        actor=w.municipal,
        year=w.year,
        opens_on=today - datetime.timedelta(days=10),
        closes_on=today + datetime.timedelta(days=30),
        max_choices=3,
    )
    m = f.major()
    w.line_mid = w.school_a.majors.get(major=m, level="intermediate")
    w.line_adv = f.school_major(w.school_a, m, "advanced")
    plan = wf.plan_create(actor=w.user_a, school=w.school_a, year=w.year)
    for sm in (w.line_mid, w.line_adv):
        wf.plan_line_set(actor=w.user_a, plan=plan, school_major=sm, quota=quota)
    type(plan).objects.filter(pk=plan.pk).update(state="approved")
    # school_b too, so that a choice of another school exists
    w.line_b = w.school_b.majors.get(major=m, level="intermediate")
    plan_b = wf.plan_create(actor=w.user_b, school=w.school_b, year=w.year)
    wf.plan_line_set(actor=w.user_b, plan=plan_b, school_major=w.line_b, quota=quota)
    type(plan_b).objects.filter(pk=plan_b.pk).update(state="approved")
    ql = wf.qualification_list_create(actor=w.municipal, year=w.year)
    QualificationList.objects.filter(pk=ql.pk).update(state="published")
    QualificationEntry.objects.filter(qualification_list=ql).update(qualified=True, reasons="")
    w.clerk_records = f.user("school", school=w.school_a, username="clerk_records")
    w.clerk_records.duties = ["records"]
    w.clerk_records.save(update_fields=["duties"])
    w.clerk_enrol = f.user("school", school=w.school_a, username="clerk_enrol")
    w.clerk_enrol.duties = ["enrolment"]
    w.clerk_enrol.save(update_fields=["duties"])
    return w


def apply(w, *lines, name="陈小东", track="full_time", birth=datetime.date(2008, 3, 1), **kw):
    """An online application (the public act) with one choice per plan line given."""
    fields = {
        "season": w.season,
        "id_number": f.id_number(birth=birth),
        "name": name,
        "phone": str(next(_phone)),
        "category": "junior_graduate",
        "schooling": "junior",
        "choices": [{"school_major": sm, "track": track} for sm in lines or (w.line_mid,)],
    }
    fields.update(kw)
    return services.application_submit(actor=None, **fields)


def choice_at(app, school):
    return app.choices.get(school=school)
