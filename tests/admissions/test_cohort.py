"""Registration day (（九）（二十一））: the school's confirmed admissions become 学籍 in one
step through the enrolment act's bulk path (its rules, all or nothing); each 学籍
remembers its application, each choice becomes enrolled."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jigong.admissions import selectors, services
from jigong.admissions.models import ChoiceState
from jigong.core.errors import messages_of
from jigong.core.models import AuditLog
from jigong.students.models import Registration
from tests import factories as f
from tests.admissions.conftest import TODAY, YEAR, birth, fields

pytestmark = pytest.mark.django_db


def confirmed(e, *choices, clerk=None, **kw):
    app = services.application_submit(**fields(e, *choices, **kw))
    c = app.choices.order_by("rank").first()
    services.choice_admit(actor=clerk or e.clerk_a, choice=c)
    services.admission_confirm(application=app, choice=c)
    return app, c


def test_the_cohort_becomes_registrations_that_remember_their_application(enrol):
    e = enrol
    _junior, c1 = confirmed(e, e.a_mid, name="周一")
    _senior, c2 = confirmed(
        e, e.a_tech, name="周二", age=18, schooling="senior", category="senior_graduate"
    )
    code = f.credit_code()
    _worker, c3 = confirmed(
        e,
        {"school_major": e.a_adv, "track": "part_time"},
        name="周三",
        age=30,
        schooling="vocational",
        category="enterprise_employee",
        enterprise_code=code,
        arrangement_months=12,
    )
    _other_school, _c = confirmed(e, e.a2_mid, clerk=e.clerk_a2, name="周四")
    before = Registration.objects.count()
    n = services.cohort_enrol(actor=e.clerk_a, school=e.world.school_a, enrolled_on=TODAY)
    assert n == 3 and Registration.objects.count() == before + 3
    regs = {
        r.admission.application.name: r
        for r in Registration.objects.filter(admission__isnull=False)
    }
    assert set(regs) == {"周一", "周二", "周三"}  # 周四 is school_a2's
    one, two, three = regs["周一"], regs["周二"], regs["周三"]
    assert (one.level, one.entry_point, one.duration_months, one.source, one.track) == (
        "intermediate",
        "junior",
        36,
        "junior_graduate",
        "full_time",
    )
    assert (two.level, two.entry_point, two.duration_months) == ("technician", "senior", 48)
    assert (three.track, three.source, three.entry_point, three.duration_months) == (
        "part_time",
        "enterprise_employee",
        "senior",
        36,
    )
    assert one.person.name == "周一" and one.enrolled_on == TODAY and one.school == e.world.school_a
    for c in (c1, c2, c3):
        c.refresh_from_db()
        assert c.state == ChoiceState.ENROLLED and c.registration is not None
    assert AuditLog.objects.filter(act="admission.enrol_cohort").exists()
    assert AuditLog.objects.filter(act="registration.enrol").exists()
    # the places stay held (by the choices, not counted twice through their 学籍)
    assert selectors.places(school_major=e.a_mid, year=YEAR) == (2, 1)
    # nothing left to enrol
    with pytest.raises(ValidationError) as info:
        services.cohort_enrol(actor=e.clerk_a, school=e.world.school_a, enrolled_on=TODAY)
    assert "没有待注册" in " ".join(messages_of(info.value))


def test_the_cohort_is_all_or_nothing_with_the_enrolment_acts_messages(enrol):
    e = enrol
    _app, c1 = confirmed(e, name="吴一")
    busy_id = f.id_number(birth=birth(16))
    _app2, c2 = confirmed(e, e.a_other, name="吴二", id_number=busy_id)
    # 吴二 was registered full-time meanwhile (typed in by hand)
    f.registration(e.world.school_b, name="吴二", id_number=busy_id)
    before = (Registration.objects.count(), AuditLog.objects.count())
    with pytest.raises(ValidationError) as info:
        services.cohort_enrol(actor=e.clerk_a, school=e.world.school_a, enrolled_on=TODAY)
    text = " ".join(messages_of(info.value))
    # the refusal names the applicant it stopped at (masked), not the whole cohort
    assert "已有在校的全日制学籍" in text and _app2.reference in text and "吴*" in text
    assert _app.reference not in text and busy_id not in text
    assert (Registration.objects.count(), AuditLog.objects.count()) == before
    for c in (c1, c2):
        c.refresh_from_db()
        assert c.state == ChoiceState.CONFIRMED and c.registration is None


def test_given_choices_only_and_only_confirmed_ones_of_the_school(enrol):
    e = enrol
    _a, c1 = confirmed(e, name="郑一")
    _b, c2 = confirmed(e, e.a_other, name="郑二")
    n = services.cohort_enrol(
        actor=e.clerk_a, school=e.world.school_a, enrolled_on=TODAY, choices=[c1]
    )
    assert n == 1
    c2.refresh_from_db()
    assert c2.state == ChoiceState.CONFIRMED
    app = services.application_submit(**fields(e, e.a_other, name="郑三"))
    pending = app.choices.get()
    with pytest.raises(ValidationError) as info:
        services.cohort_enrol(
            actor=e.clerk_a, school=e.world.school_a, enrolled_on=TODAY, choices=[pending]
        )
    assert "待审核" in " ".join(messages_of(info.value))


def test_registration_day_is_the_schools_records_duty(enrol):
    e = enrol
    _a, c1 = confirmed(e, name="王一")
    for who in (e.world.user_b, e.world.municipal, e.world.district_a, e.world.department):
        with pytest.raises(PermissionDenied):
            services.cohort_enrol(actor=who, school=e.world.school_a, enrolled_on=TODAY)
    with pytest.raises(PermissionDenied):  # another school's choice, given by name
        services.cohort_enrol(
            actor=e.world.user_b, school=e.world.school_b, enrolled_on=TODAY, choices=[c1]
        )
    enrolment_only = f.user("school", school=e.world.school_a)
    enrolment_only.duties = ["enrolment"]
    enrolment_only.save()
    with pytest.raises(PermissionDenied) as info:
        services.cohort_enrol(actor=enrolment_only, school=e.world.school_a, enrolled_on=TODAY)
    assert "学籍" in str(info.value)
    c1.refresh_from_db()
    assert c1.state == ChoiceState.CONFIRMED
