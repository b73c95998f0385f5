"""Cross-province enrolment (（九）, 云南/贵州/四川) is held to the quota of the school's
approved enrolment plan: the act, the bulk path and the import refuse the student beyond
it, naming the quota and the count; no approved quota is refused naming the procedure."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from jigong.core.errors import messages_of
from jigong.students import services
from jigong.students.models import Registration
from jigong.workflows.models import CrossProvinceQuota, EnrolmentPlan
from tests import factories as f

YUNNAN = "53"


def _approve_quota(school, year=2025, quota=2, province=YUNNAN, state="approved"):
    plan = EnrolmentPlan.objects.create(school=school, year=year, state=state)
    CrossProvinceQuota.objects.create(plan=plan, province=province, quota=quota)
    return plan


def _item(world, province=YUNNAN, **kw):
    item = {
        "school": world.school_a,
        "major": world.reg_a.major,
        "level": "intermediate",
        "entry_point": "junior",
        "duration_months": 36,
        "track": "full_time",
        "source": "junior_graduate",
        "enrolled_on": datetime.date(2025, 9, 1),
        "id_number": f.id_number(birth=datetime.date(2009, 5, 6)),
        "name": "李云",
        "home_province": province,
    }
    item.update(kw)
    return item


def _enrol(world, actor=None, **kw):
    return services.registration_create(actor=actor or world.user_a, **_item(world, **kw))


def _cross(school, year=2025, province=YUNNAN):
    return Registration.objects.filter(
        school=school, enrolled_on__year=year, person__home_province=province
    ).count()


def test_enrolling_beyond_the_approved_quota_is_refused_with_quota_and_count(world):
    _approve_quota(world.school_a, quota=2)
    _enrol(world)
    _enrol(world)
    with pytest.raises(ValidationError) as info:
        _enrol(world)
    text = " ".join(messages_of(info.value))
    assert "跨省招生计划已满：2025年云南省核定2人，已招2人" in text and "（九）" in text
    assert _cross(world.school_a) == 2  # nothing written


def test_no_approved_quota_is_refused_naming_the_procedure(world):
    _approve_quota(world.school_a, quota=5, state="submitted")  # not yet approved
    with pytest.raises(ValidationError) as info:
        _enrol(world)
    text = " ".join(messages_of(info.value))
    assert "2025年" in text and "未核定云南省跨省招生计划" in text and "招生计划" in text
    assert _cross(world.school_a) == 0


def test_quota_is_per_school_year_and_province(world):
    _approve_quota(world.school_a, quota=1)
    _enrol(world)
    # another partner province has no quota of its own
    with pytest.raises(ValidationError):
        _enrol(world, province="52")
    # Chongqing and non-partner provinces are not held to the （九） quota
    _enrol(world, province="50")
    _enrol(world, province="44")
    # the 2024 intake is another year's plan
    with pytest.raises(ValidationError) as info:
        _enrol(world, enrolled_on=datetime.date(2024, 9, 1))
    assert "2024年" in " ".join(messages_of(info.value))


def test_a_person_on_file_counts_by_their_province_on_file(world):
    _approve_quota(world.school_a, quota=1)
    _enrol(world)
    _approve_quota(world.school_b, quota=1)
    other = _enrol(world, world.municipal, school=world.school_b, major=world.reg_b.major)
    # the person on file is from 云南 whatever the form says
    with pytest.raises(ValidationError) as info:
        _enrol(
            world,
            id_number=other.person.id_number,
            name=other.person.name,
            province="50",
            track="part_time",
            source="enterprise_employee",
            duration_months=12,
        )
    assert "已招1人" in " ".join(messages_of(info.value))


def test_bulk_path_counts_the_items_of_the_same_batch(world):
    _approve_quota(world.school_a, quota=2)
    items = [_item(world) for _ in range(3)]
    with pytest.raises(ValidationError) as info:
        services.registrations_bulk_create(actor=world.user_a, items=items)
    assert "核定2人，已招2人" in " ".join(messages_of(info.value))
    assert _cross(world.school_a) == 0  # all or nothing
    services.registrations_bulk_create(actor=world.user_a, items=items[:2])
    assert _cross(world.school_a) == 2
