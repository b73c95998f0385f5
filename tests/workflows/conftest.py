"""Workflow fixtures: items in any state, sample PDF/Office files, media in tmp."""

import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jigong.workflows import services
from jigong.workflows.models import (
    BrochureFiling,
    EnrolmentPlan,
    InternshipFiling,
    QualificationList,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="招生简章.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def docx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def make_plan(w, *, school=None, actor=None, year=2025, quota=30):
    school = school or w.school_a
    actor = actor or (w.user_a if school == w.school_a else w.user_b)
    plan = services.plan_create(actor=actor, school=school, year=year)
    sm = school.majors.first()
    services.plan_line_set(actor=actor, plan=plan, school_major=sm, quota=quota)
    return plan


def make_brochure(w, *, school=None, actor=None, year=2025, documents=None):
    school = school or w.school_a
    actor = actor or (w.user_a if school == w.school_a else w.user_b)
    return services.brochure_create(
        actor=actor,
        school=school,
        year=year,
        title=f"{school.name}{year}年招生简章",
        total_quota=300,
        target_groups="应往届初高中毕业生",
        cross_province=False,
        contact="023-12345678",
        documents=[pdf()] if documents is None else documents,
    )


def make_internship(w, *, school=None, actor=None, start=None, province="51", documents=None):
    school = school or w.school_a
    actor = actor or (w.user_a if school == w.school_a else w.user_b)
    start = start or timezone.localdate() + datetime.timedelta(days=60)
    return services.internship_create(
        actor=actor,
        school=school,
        title="数控专业顶岗实习",
        enterprise="成都某机械有限公司",
        province=province,
        location="四川省成都市",
        start_on=start,
        end_on=start + datetime.timedelta(days=90),
        students=40,
        majors="数控加工",
        documents=[pdf("实习计划.pdf")] if documents is None else documents,
    )


def make_list(w, *, year=2025):
    return services.qualification_list_create(actor=w.municipal, year=year)


MAKERS = {
    "enrolment_plan": make_plan,
    "brochure": make_brochure,
    "internship": make_internship,
    "qualification": make_list,
}
MODELS = {
    "enrolment_plan": EnrolmentPlan,
    "brochure": BrochureFiling,
    "internship": InternshipFiling,
    "qualification": QualificationList,
}


def force_state(item, state):
    """Put an item in a state directly (test set-up only)."""
    type(item).objects.filter(pk=item.pk).update(state=state)
    item.refresh_from_db()
    return item
