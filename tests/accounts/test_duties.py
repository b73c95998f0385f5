"""Duties within a role (issue 15): the act registry says which duty each act needs; an
account without it is refused naming the duty, whatever the door; an account with no
duties list (made before duties) keeps every duty of its role."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from jigong.certificates import services as certificates
from jigong.certificates.models import GraduationCertificate
from jigong.core import acts
from jigong.core.models import AuditLog, Duty
from tests import factories as f

pytestmark = pytest.mark.django_db
D = datetime.date


def _finished(world):
    return f.registration(
        world.school_a,
        name="张晓明",
        id_number=f.id_number(birth=D(2006, 3, 1)),
        enrolled_on=D(2022, 9, 1),
    )


def test_registry_names_the_duty_of_each_kind_of_act():
    duty = {a.code: a.duty for a in acts.acts()}
    assert duty["registration.enrol"] == Duty.RECORDS
    assert duty["registration.correct"] == Duty.RECORDS
    assert duty["person.correct"] == Duty.RECORDS
    assert duty["certificate.graduate"] == Duty.CERTIFICATES
    assert duty["certificate.revoke"] == Duty.CERTIFICATES
    assert duty["skill_certificate.register"] == Duty.CERTIFICATES
    assert duty["enrolment_plan.create"] == Duty.ENROLMENT
    assert duty["brochure.file"] == Duty.ENROLMENT
    assert duty["training_record.register"] == Duty.TRAINING
    assert duty["employment.outcome_record"] == Duty.TRAINING
    assert duty["workflow.brochure.approve"] == Duty.REVIEW
    assert duty["workflow.enrolment_plan.submit"] == Duty.ENROLMENT
    assert duty["school.update"] == ""  # no duty: nothing existing narrows


def test_clerk_without_the_certificate_duty_is_refused_naming_it(world):
    reg = _finished(world)
    clerk = f.user("school", school=world.school_a, username="clerk_records")
    clerk.duties = [Duty.RECORDS]
    clerk.save(update_fields=["duties"])
    before = (GraduationCertificate.objects.count(), AuditLog.objects.count())
    with pytest.raises(PermissionDenied, match="须具有“证书”职责"):
        certificates.graduate(actor=clerk, registration=reg, issued_on=D(2025, 6, 30))
    assert (GraduationCertificate.objects.count(), AuditLog.objects.count()) == before
    assert not acts.role_may(clerk, "certificate.graduate")
    assert acts.role_may(clerk, "registration.correct")

    holder = f.user("school", school=world.school_a, username="clerk_certs")
    holder.duties = [Duty.CERTIFICATES]
    holder.save(update_fields=["duties"])
    cert = certificates.graduate(actor=holder, registration=reg, issued_on=D(2025, 6, 30))
    assert cert.pk and AuditLog.objects.filter(act="certificate.graduate").exists()


def test_account_without_duties_list_keeps_every_duty_of_its_role(world):
    assert world.user_a.duties is None
    assert world.user_a.duty_set() == {
        Duty.RECORDS,
        Duty.ENROLMENT,
        Duty.CERTIFICATES,
        Duty.TRAINING,
        Duty.ADMIN,
    }
    reg = _finished(world)
    assert certificates.graduate(actor=world.user_a, registration=reg, issued_on=D(2025, 6, 30))


def test_a_school_duty_does_not_narrow_a_bureau(world):
    world.district_a.duties = [Duty.STATISTICS]
    world.district_a.save(update_fields=["duties"])
    # 学籍 is no duty of a bureau: a bureau's correction is not narrowed by it
    assert acts.role_may(world.district_a, "registration.correct")
    # 审核 is: a bureau account without it may not review
    assert not acts.role_may(world.district_a, "workflow.brochure.approve")


def test_page_refuses_the_act_without_the_duty_and_hides_its_button(client, world):
    reg = _finished(world)
    cert = certificates.graduate(actor=world.user_a, registration=reg, issued_on=D(2025, 6, 30))
    clerk = f.user("school", school=world.school_a, username="clerk_records2")
    clerk.duties = [Duty.RECORDS]
    clerk.save(update_fields=["duties"])
    client.force_login(clerk)
    page = client.get(f"/graduation-certificates/{cert.pk}/").content.decode()
    assert "张晓明" in page and f"/{cert.pk}/revoke/" not in page
    r = client.post(
        f"/graduation-certificates/{cert.pk}/revoke/", {"reason": "遗失", "on": "2025-07-01"}
    )
    assert r.status_code == 403 and "须具有“证书”职责" in r.content.decode()
    cert.refresh_from_db()
    assert cert.status == "valid"
