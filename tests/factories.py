"""One factory per model, writing through the services like real users do."""

import datetime
import itertools
import random

from jigong.core.models import Role, User
from jigong.reference.models import (
    CatalogueEdition,
    District,
    IndustryChain,
    IndustryCluster,
    Major,
)
from jigong.schools import services as school_services
from jigong.standards import idcard, uscc
from jigong.students import services as student_services

_seq = itertools.count(1)
_rng = random.Random(20221)


def credit_code(area: str = "500103") -> str:
    return uscc.generate(_rng, "5", "2", area)


_issued: set[str] = set()


def id_number(birth=datetime.date(2007, 5, 1), sex="M", area="500103") -> str:
    """A valid ID number not handed out before in this test (tests/conftest.py frees a
    test's numbers after it; 500 sequence numbers per area, birth date and sex): a
    repeat made tests flaky."""
    for _ in range(2000):
        number = idcard.generate(_rng, area, birth, sex)
        if number not in _issued:
            break
    _issued.add(number)
    return number


def district(code: str) -> District:
    return District.objects.get(code=code)


def edition() -> CatalogueEdition:
    ed, _ = CatalogueEdition.objects.get_or_create(
        code="T2018", defaults={"name": "测试专业目录", "effective_from": datetime.date(2018, 1, 1)}
    )
    return ed


def major(code: str = "0101", name: str = "机床切削加工（车工）", levels=None) -> Major:
    m, _ = Major.objects.get_or_create(
        edition=edition(),
        code=code,
        defaults={
            "name": name,
            "category": "机械类",
            "levels": levels or ["intermediate", "advanced", "technician"],
        },
    )
    return m


def chain(code: str = "C01", name: str = "智能网联新能源汽车") -> IndustryChain:
    cluster, _ = IndustryCluster.objects.get_or_create(
        year=2025, code="K1", defaults={"name": "先进制造业"}
    )
    c, _ = IndustryChain.objects.get_or_create(
        year=2025, code=code, defaults={"cluster": cluster, "name": name}
    )
    return c


def school(*, district_code="500103", tier="technician_college", name=None, actor=None, **kw):
    n = next(_seq)
    return school_services.school_create(
        actor=actor,
        code=kw.pop("code", f"T{n:04d}"),
        name=name or f"测试第{n}技工院校",
        tier=tier,
        district=district(district_code),
        ownership=kw.pop("ownership", "public"),
        sponsor=kw.pop("sponsor", "重庆市人力资源和社会保障局"),
        credit_code=kw.pop("credit_code", credit_code(district_code)),
        campus_network_coverage=kw.pop("campus_network_coverage", 1),
        **kw,
    )


def school_major(school, major_=None, level="intermediate", actor=None, year=2020):
    return school_services.school_major_create(
        actor=actor, school=school, major=major_ or major(), level=level, opened_year=year
    )


def user(role: str, *, school=None, district_=None, username=None, password="Jigong-Test-2025"):
    u = User.objects.create_user(
        username=username or f"{role}{next(_seq)}",
        password=password,
        role=role,
        school=school,
        district=district_ or (school.district if school and role == Role.DISTRICT else None),
        display_name=f"测试{role}",
    )
    return u


def registration(school, *, actor=None, level="intermediate", major_=None, **kw):
    m = major_ or major()
    if not school.majors.filter(major=m, level=level).exists():
        school_major(school, m, level)
    fields = {
        "entry_point": "junior",
        "duration_months": 36,
        "track": "full_time",
        "source": "junior_graduate",
        "enrolled_on": datetime.date(2024, 9, 1),
        "name": "张小明",
        "home_province": "50",
    }
    fields.update(kw)
    fields.setdefault("id_number", id_number())
    return student_services.registration_create(
        actor=actor, school=school, major=m, level=level, **fields
    )


def graduated_certificate(school, actor, *, name: str, birth: datetime.date, area="500103"):
    """A 2022 intake at ``school`` graduated on 2025-06-30 through the services."""
    from jigong.certificates import services

    reg = registration(
        school,
        name=name,
        id_number=id_number(birth=birth, area=area),
        enrolled_on=datetime.date(2022, 9, 1),
    )
    return services.graduate(actor=actor, registration=reg, issued_on=datetime.date(2025, 6, 30))
