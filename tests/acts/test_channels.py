"""Cross-channel tests generated from the registry of acts.

For every act with an exemplar below, every role tries it through every door the
exemplar offers (the service itself, the page POST, the spreadsheet row) on a target
inside its scope (school_a's side of the world) and outside it (school_b's). The
verdict is the same on every door; a refusal by the act's rules carries the same Chinese
message on every door; a refusal leaves the database as it was (row counts of the
act's tables and the audit log). An act may have more than one exemplar: the plain
change (``case`` empty) and, for the bulk doors, a change one of its rules refuses.

``PENDING`` lists the acts that have no exemplar yet: it may only shrink (an act with an
exemplar must leave it, a new act must get an exemplar).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from jigong.accounts import services as account_services
from jigong.admissions import services as admission_services
from jigong.admissions import undo as admission_undo
from jigong.certificates import services as certificate_services
from jigong.cooperation import services as cooperation_services
from jigong.core import acts
from jigong.core import services as core_services
from jigong.core.imports import get_kind, run_import
from jigong.core.models import AuditLog
from jigong.employment import services as employment_services
from jigong.graduates import services as graduate_services
from jigong.jobs import services as job_services
from jigong.policy import rules as policy_rules
from jigong.public import services as public_services
from jigong.quality import services as quality_services
from jigong.quality.models import AnnualReport
from jigong.reference import services as reference_services
from jigong.schools import services as school_services
from jigong.schools.models import Designation, School
from jigong.security import services as totp_services
from jigong.staff import services as staff_services
from jigong.students import services as student_services
from jigong.training import services as training_services
from jigong.workflows import aid, catalogue, designations, licensing, records, registers, upgrades
from jigong.workflows import services as workflow_services
from tests import factories as f
from tests.imports.conftest import student_fields
from tests.imports.helpers import xlsx

pytestmark = pytest.mark.django_db

D = datetime.date
ROLES = ("municipal", "district_a", "user_a", "department", "graduate")
ALWAYS = ("municipal", "district_a", "user_a")  # every exemplar is tried by these
# by default the staff and one outsider (a graduate is refused where a department
# account is, but on the acts a graduate may perform: their exemplars name it)
STAFF_AND_OUTSIDER = (*ALWAYS, "department")
SIDES = ("own", "other")


@pytest.fixture
def world(world_of_the_module):
    """One world for the module's 860 cases, each case with its own instances and its
    writes rolled back (tests/conftest.py)."""
    return world_of_the_module


class _Rollback(Exception):
    pass


@dataclass
class Verdict:
    ok: bool
    messages: tuple[str, ...] = ()
    scope: bool = False  # refused as outside the actor's scope or role

    def __str__(self):
        return "ok" if self.ok else f"refused({'scope' if self.scope else 'rule'}): {self.messages}"


@dataclass
class Exemplar:
    act: str
    target: Callable  # (world, side) -> the target
    service: Callable  # (world, actor, target) -> None
    page: Callable | None = None  # (world, target) -> (url, data)
    row: Callable | None = None  # (world, target) -> (import kind, {header: value})
    tables: tuple[str, ...] = ()
    case: str = ""  # a second exemplar of the act: what it tries (a rule it refuses)
    roles: tuple[str, ...] = STAFF_AND_OUTSIDER
    sides: tuple[str, ...] = SIDES
    # the page of one role instead of ``page`` (the graduate portal, say)
    page_by_role: dict[str, Callable] = field(default_factory=dict)
    # the page's form has no school field for a school user (its own school is the one):
    # the page does not reach another school's target for that user
    school_fixed_on_page: bool = False

    @property
    def id(self) -> str:
        return f"{self.act}[{self.case}]" if self.case else self.act


def _once(world, name, make):
    """A value made once per test's world (an ID number, a code) and shared by the
    service, the page and the row of one exemplar."""
    if not hasattr(world, name):
        setattr(world, name, make())
    return getattr(world, name)


def _school(world, side):
    return world.school_a if side == "own" else world.school_b


def _other_district(world, school):
    """A district the school is not in (its move's destination), as stored: a trial
    rolled back leaves the instance with the district it moved to."""
    a, b = world.school_a.district, world.school_b.district
    stored = type(school).objects.values_list("district_id", flat=True).get(pk=school.pk)
    return b if stored == a.pk else a


def _district(world, side):
    return _school(world, side).district


def _registration(world, side):
    return world.reg_a if side == "own" else world.reg_b


def _export_row(kind_key, obj) -> dict:
    kind = get_kind(kind_key)
    values = kind.export_row(obj)
    out = {}
    columns = (*kind.columns, *getattr(kind, "export_extra", ()))  # 学籍状态: for the reader
    for column, value in zip(columns, values, strict=True):
        out[column.header] = column.export(value) if hasattr(column, "export") else value
    return out


def _exported(kind_key, change):
    """The row ``kind_key`` exports for the target, with ``change`` ({header: value})."""

    def build(world, obj):
        row = _export_row(kind_key, obj)
        row.update(change)
        return kind_key, row

    return build


def _row_with(build, change):
    """The row ``build`` makes, with ``change`` ({header: value})."""

    def row(world, target):
        kind, values = build(world, target)
        return kind, {**values, **change}

    return row


FUTURE = datetime.date.today() + datetime.timedelta(days=30)


# --- schools -------------------------------------------------------------------------


def _school_edit_page(world, school):
    return f"/schools/{school.pk}/edit/", {
        "name": school.name,
        "sponsor": school.sponsor,
        "address": "重庆市示例路99号",
        "founded_on": "",
        "campus_network_coverage": "1",
    }


def _school_row(world, school):
    row = _export_row("schools", school)
    row["地址"] = "重庆市示例路99号"
    return "schools", row


NEW_SCHOOL = {"code": "T9901", "name": "重庆新设技工学校", "sponsor": "重庆市示例集团"}


def _new_school_credit_code(world):
    return _once(world, "new_school_credit_code", lambda: f.credit_code("500103"))


def _school_register(world, actor, district):
    school_services.school_create(
        actor=actor,
        tier="school",
        district=district,
        ownership="public",
        credit_code=_new_school_credit_code(world),
        **NEW_SCHOOL,
    )


def _school_register_row(world, district):
    return "schools", {
        "学校代码": NEW_SCHOOL["code"],
        "学校名称": NEW_SCHOOL["name"],
        "层次": "技工学校",
        "区县代码": district.code,
        "举办性质": "公办",
        "举办者": NEW_SCHOOL["sponsor"],
        "统一社会信用代码": _new_school_credit_code(world),
    }


def _new_major(world):
    return _once(world, "new_major", lambda: f.major("0102", name="数控车削加工"))


def _school_for_new_major(world, side):
    _new_major(world)
    return _school(world, side)


LEVELS = {"intermediate": "中级工班", "technician": "预备技师（技师）班"}


def _school_major_open(level, major_code):
    def service(world, actor, school):
        major = _new_major(world) if major_code == "0102" else world.reg_a.major
        school_services.school_major_create(
            actor=actor, school=school, major=major, level=level, opened_year=2025
        )

    return service


def _school_major_open_row(level, major_code):
    def row(world, school):
        return "school_majors", {
            "学校代码": school.code,
            "目录版本": "T2018",
            "专业代码": major_code,
            "班级层次": LEVELS[level],
            "开设年度": 2025,
        }

    return row


def _technical_school(world, side):
    """A 技工学校 (its classes: 中级工 only): a new one in 渝中区, or school_b."""
    if side == "other":
        return world.school_b
    return f.school(district_code="500103", tier="school", name="重庆丁技工学校")


def _school_major(world, side):
    reg = _registration(world, side)
    return reg.school.majors.get(major=reg.major, level=reg.level)


# --- students --------------------------------------------------------------------------


def _enrol_row(world, school):
    row = student_fields(school.code, name="新生甲")
    return "students", row


def _enrol(world, actor, school):
    student_services.registration_create(
        actor=actor,
        school=school,
        major=world.reg_a.major,
        level="intermediate",
        entry_point="junior",
        duration_months=36,
        track="full_time",
        source="junior_graduate",
        enrolled_on=datetime.date(2025, 9, 1),
        id_number=student_fields(school.code)["身份证号"],
        name="新生甲",
        home_province="50",
    )


def _enrol_yunnan(world, actor, school):
    """A 云南 student where no approved plan holds a cross-province quota (（九））."""
    student_services.registration_create(
        actor=actor,
        school=school,
        major=world.reg_a.major,
        level="intermediate",
        entry_point="junior",
        duration_months=36,
        track="full_time",
        source="junior_graduate",
        enrolled_on=datetime.date(2025, 9, 1),
        id_number=student_fields(school.code)["身份证号"],
        name="新生滇",
        home_province="53",
    )


def _enrol_yunnan_row(world, school):
    return "students", student_fields(school.code, name="新生滇") | {"生源省份": "云南省"}


def _status_page(world, registration):
    return f"/registrations/{registration.pk}/status/", {
        "status": "suspended",
        "changed_on": datetime.date.today().isoformat(),
        "reason": "病休",
        "counterpart_school": "",
        "confirm": "1",  # the confirmation step's answer (a first post only shows the change)
    }


def _correction_page(**change):
    """The 学籍 correction form as the page fills it (the current values), changed."""

    def page(world, r):
        p = r.person
        data = {
            "name": p.name,
            "home_province": p.home_province,
            "major": r.major_id,
            "level": r.level,
            "entry_point": r.entry_point,
            "duration_months": r.duration_months,
            "track": r.track,
            "source": r.source,
            "enrolled_on": r.enrolled_on.isoformat(),
            "reason": "更正",
        }
        return f"/registrations/{r.pk}/correct/", {**data, **change}

    return page


def _status_row(world, registration):
    return "status_changes", {
        "身份证号": registration.person.id_number,
        "学校代码": registration.school.code,
        "变更为": "休学",
        "变更日期": datetime.date.today(),
        "原因": "病休",
    }


# --- 转学 and reverting a 学籍异动 (issues 14 and 19) -----------------------------------


def _transfer_out_page(world, registration, reason="家庭迁居"):
    return f"/registrations/{registration.pk}/status/", {
        "status": "transferred_out",
        "changed_on": datetime.date.today().isoformat(),
        "reason": reason,
        "counterpart_school": world.school_a2.code,
        "confirm": "1",
    }


def _transfer_out_row(world, registration):
    return "status_changes", {
        "身份证号": registration.person.id_number,
        "学校代码": registration.school.code,
        "变更为": "转出",
        "变更日期": datetime.date.today(),
        "原因": "家庭迁居",
        "转入/转出学校代码": world.school_a2.code,
    }


def _pending_transfer(world, side):
    """A 转学 waiting for a decision: to school_a from school_a2 (one district: school_a's
    user receives it), or from school_a2 to school_b (another district's case)."""
    to_school = world.school_a if side == "own" else world.school_b
    return student_services.registration_transfer_out(
        actor=None,
        registration=world.reg_a2,
        to_school=to_school,
        transfer_on=datetime.date.today(),
        reason="家庭迁居",
    )


def _sent_transfer(world, side):
    """A 转学 asked by school_a (own) or by school_b (other), to school_a2."""
    return student_services.registration_transfer_out(
        actor=None,
        registration=_registration(world, side),
        to_school=world.school_a2,
        transfer_on=datetime.date.today(),
        reason="家庭迁居",
    )


def _transfer_page(action, reason=""):
    def page(world, transfer):
        return f"/transfers/{transfer.pk}/", {"action": action, "reason": reason}

    return page


def _transfer_in_row(world, transfer):
    return "status_changes", {
        "身份证号": transfer.registration.person.id_number,
        "学校代码": transfer.to_school.code,
        "变更为": "转入",
        "变更日期": transfer.transfer_on,
        "原因": transfer.reason,
        "转入/转出学校代码": transfer.from_school.code,
    }


def _changed_registration(world, side):
    """A registration whose latest 学籍异动 (退学) was recorded today."""
    reg = _registration(world, side)
    student_services.registration_change_status(
        actor=None,
        registration=reg,
        status="withdrawn",
        changed_on=datetime.date.today(),
        reason="误操作",
    )
    return reg


def _revert_page(suffix=""):
    def page(world, registration):
        return f"/registrations/{registration.pk}/revert/{suffix}", {"reason": "登记错误"}

    return page


# --- teachers -------------------------------------------------------------------------

HIRED = D(2015, 9, 1)


def _teacher_id(world):
    return _once(world, "teacher_id", lambda: f.id_number(birth=D(1985, 3, 1), sex="F"))


def _teacher_register(world, actor, school):
    staff_services.teacher_create(
        actor=actor,
        school=school,
        id_number=_teacher_id(world),
        name="刘老师",
        kind="full_time",
        hired_on=HIRED,
    )


def _teacher_register_row(world, school):
    return "teachers", {
        "学校代码": school.code,
        "身份证号": _teacher_id(world),
        "姓名": "刘老师",
        "类别": "专任教师",
        "聘用日期": HIRED,
    }


def _teacher(world, side):
    return staff_services.teacher_create(
        actor=None,
        school=_school(world, side),
        id_number=f.id_number(birth=D(1980, 1, 1), sex="F"),
        name="王老师",
        kind="full_time",
        hired_on=HIRED,
    )


# --- training records --------------------------------------------------------------------

TRAINING = {
    "trainee_name": "周一",
    "kind": "upgrading",
    "occupation_code": "6-18-01-01",
    "occupation_name": "车工",
    "hours": 80,
    "started_on": D(2025, 3, 1),
    "ended_on": D(2025, 4, 30),
}


def _trainee_id(world):
    return _once(world, "trainee_id", lambda: f.id_number(birth=D(1990, 1, 1)))


def _training_register(world, actor, school):
    training_services.training_record_create(
        actor=actor, school=school, trainee_id_number=_trainee_id(world), **TRAINING
    )


def _training_register_row(world, school):
    return "training", {
        "学校代码": school.code,
        "学员姓名": TRAINING["trainee_name"],
        "学员身份证号": _trainee_id(world),
        "培训类型": "岗位技能提升培训",
        "职业编码": TRAINING["occupation_code"],
        "职业（工种）": TRAINING["occupation_name"],
        "学时": TRAINING["hours"],
        "开班日期": TRAINING["started_on"],
        "结业日期": TRAINING["ended_on"],
    }


def _training_record(world, side):
    return training_services.training_record_create(
        actor=None,
        school=_school(world, side),
        trainee_id_number=f.id_number(birth=D(1991, 2, 2)),
        **TRAINING,
    )


# --- enterprises and agreements ------------------------------------------------------------

NEW_ENTERPRISE = "重庆新登记汽车零部件有限公司"
BAD_CREDIT_CODE = "91500000MA5U000001"  # its check character is wrong


def _enterprise_code(world):
    return _once(world, "enterprise_code", lambda: f.credit_code("500103"))


def _enterprise_register(world, actor, district):
    cooperation_services.enterprise_create(
        actor=actor, credit_code=_enterprise_code(world), name=NEW_ENTERPRISE, district=district
    )


def _enterprise_register_row(world, district):
    return "enterprises", {
        "统一社会信用代码": _enterprise_code(world),
        "企业名称": NEW_ENTERPRISE,
        "区县代码": district.code,
    }


def _enterprise(world, side):
    district = _district(world, side)
    return cooperation_services.enterprise_create(
        actor=None,
        credit_code=f.credit_code(district.code),
        name=f"重庆{district.name}示例企业有限公司",
        district=district,
    )


def _partner(world):
    return _once(
        world,
        "partner",
        lambda: cooperation_services.enterprise_create(
            actor=None, credit_code=f.credit_code(), name="重庆合作汽车有限公司"
        ),
    )


AGREEMENT = {
    "kind": "order_class",
    "title": "示例汽车订单班",
    "started_on": D(2024, 9, 1),
    "ended_on": D(2027, 7, 1),
}


def _school_with_partner(world, side):
    _partner(world)
    return _school(world, side)


def _agreement_register(world, actor, school):
    cooperation_services.agreement_create(
        actor=actor, school=school, enterprise=_partner(world), **AGREEMENT
    )


def _agreement_register_row(world, school):
    return "agreements", {
        "学校代码": school.code,
        "企业统一社会信用代码": _partner(world).credit_code,
        "合作形式": "订单班",
        "项目名称": AGREEMENT["title"],
        "开始日期": AGREEMENT["started_on"],
        "结束日期": AGREEMENT["ended_on"],
    }


def _agreement(world, side):
    return cooperation_services.agreement_create(
        actor=None, school=_school(world, side), enterprise=_partner(world), **AGREEMENT
    )


# --- certificates -------------------------------------------------------------------------

SKILL = {
    "occupation_code": "6-18-01-01",
    "occupation_name": "车工",
    "level": 4,
    "issued_on": D(2025, 6, 30),
}
NEW_SKILL_NUMBER = "S500000202500000000101"


def _evaluator_registration(world, side):
    """A registration whose school is filed as an evaluation institution for 2025."""
    reg = _registration(world, side)
    school_services.designation_add(
        actor=None, school=reg.school, kind=Designation.EVALUATION_INSTITUTION, year=2025
    )
    return reg


def _skill_register(world, actor, reg):
    certificate_services.skill_certificate_create(
        actor=actor, person=reg.person, number=NEW_SKILL_NUMBER, evaluator=reg.school, **SKILL
    )


def _skill_register_row(world, reg):
    return "skill_certificates", {
        "证书编号": NEW_SKILL_NUMBER,
        "身份证号": reg.person.id_number,
        "姓名": reg.person.name,
        "职业编码": SKILL["occupation_code"],
        "职业（工种）": SKILL["occupation_name"],
        "等级": "四级/中级工",
        "发证日期": SKILL["issued_on"],
        "评价机构学校代码": reg.school.code,
    }


def _skill_certificate(world, side):
    reg = _evaluator_registration(world, side)
    return certificate_services.skill_certificate_create(
        actor=None,
        person=reg.person,
        number=f"S5000002025000000002{0 if side == 'own' else 1}0",
        evaluator=reg.school,
        **SKILL,
    )


GRADUATED_ON = D(2025, 6, 30)


def _graduand(world, side):
    """A 2022 intake (its study period over by June 2025), still in school."""
    return f.registration(
        _school(world, side),
        name="毕业生甲",
        id_number=f.id_number(birth=D(2006, 5, 1)),
        enrolled_on=D(2022, 9, 1),
    )


def _graduate_page(world, reg):
    return f"/registrations/{reg.pk}/graduate/", {
        "outcome": "graduated",
        "issued_on": GRADUATED_ON.isoformat(),
    }


def _graduate_row(world, reg):
    return "graduations", {
        "身份证号": reg.person.id_number,
        "学校代码": reg.school.code,
        "发证日期": GRADUATED_ON,
    }


# --- employment ----------------------------------------------------------------------------

OUTCOME = {
    "status": "employed",
    "employer_name": "重庆示例汽车有限公司",
    "recorded_on": D(2025, 8, 31),
}


def _graduated(world, side):
    cert = f.graduated_certificate(_school(world, side), None, name="就业生", birth=D(2006, 6, 1))
    return cert.registration


def _outcome_record(world, actor, reg):
    employment_services.outcome_record(actor=actor, registration=reg, **OUTCOME)


def _outcome_row(world, reg):
    return "employment", {
        "身份证号": reg.person.id_number,
        "学校代码": reg.school.code,
        "去向": "就业",
        "就业单位": OUTCOME["employer_name"],
        "统计日期": OUTCOME["recorded_on"],
    }


# --- certificates: revoke, reissue, exchange, online verification codes ---------------------


def _today():
    return timezone.localdate()


def _certificate(world, side):
    """A certificate issued on 2025-06-30; its holder is the graduate account's person on
    the own side (the graduate portal's door)."""
    cert = f.graduated_certificate(_school(world, side), None, name="持证人", birth=D(2006, 7, 1))
    if side == "own":
        world.graduate.person = cert.registration.person
        world.graduate.save(update_fields=["person"])
    return cert


def _completion(world, side):
    """A 结业证书 issued on 2025-06-30."""
    reg = _graduand(world, side)
    return certificate_services.graduate(
        actor=None, registration=reg, issued_on=GRADUATED_ON, outcome="completed"
    )


def _certificate_reason_page(action, reason):
    def page(world, cert):
        return f"/graduation-certificates/{cert.pk}/{action}/", {
            "reason": reason,
            "on": _today().isoformat(),
        }

    return page


def _code(world, side):
    cert = _certificate(world, side)
    return certificate_services.verification_code_create(actor=None, certificate=cert, days=30)


# --- API keys -----------------------------------------------------------------------------

API_KEY = {"name": "重庆市公安局", "scopes": ["verify"], "rate_per_minute": 600}


def _api_key(world, side):
    return public_services.api_key_create(actor=None, **API_KEY).api_key


# --- records of the workflows app (training revenue, teachers, curriculum, aid) -------------


def _record_page(url, school=True, **data):
    def page(world, target):
        values = {k: v(world, target) if callable(v) else v for k, v in data.items()}
        if school:
            values["school"] = target.pk
        return url, values

    return page


HIRING = {
    "post": "数控车工教师",
    "skill_post": True,
    "practical_weight": "0.6",
    "positions": 2,
    "announced_on": D(2025, 3, 1),
}


def _hiring(weight):
    def service(world, actor, school):
        records.hiring_create(actor=actor, school=school, **{**HIRING, "practical_weight": weight})

    return service


def _hiring_page(weight):
    return _record_page(
        "/teacher-hirings/new/",
        **{
            **HIRING,
            "skill_post": "on",
            "practical_weight": weight,
            "announced_on": "2025-03-01",
            "skill_level_required": "",
            "hired": 0,
        },
    )


def _curriculum(hours):
    def service(world, actor, school):
        records.curriculum_set(
            actor=actor, school=school, year=2025, labour_spirit_hours=hours, labour_course=True
        )

    return service


def _curriculum_page(hours):
    return _record_page(
        "/curriculum-records/new/",
        year=2025,
        labour_course="on",
        labour_spirit_hours=hours,
        note="",
    )


def _aid_programme(world, side):
    return records.aid_programme_create(
        actor=None,
        school=_school(world, side),
        year=2025,
        name="国家助学金",
        kind="grant",
        funder="中央财政",
        amount_per_person=2000,
    )


def _aid_student(world, programme):
    return world.reg_a if programme.school_id == world.school_a.pk else world.reg_b


def _aid_application(world, side):
    programme = _aid_programme(world, side)
    return aid.application_create(
        actor=world.user_a if side == "own" else world.user_b,
        programme=programme,
        registration=_aid_student(world, programme),
        amount_requested=Decimal("2000"),
        grounds="hardship",
        applied_on=D(2025, 3, 1),
    )


def _aid_batch(world, side):
    return _aid_application(world, side).programme


def _aid_apply(amount):
    def service(world, actor, p):
        aid.application_create(
            actor=actor,
            programme=p,
            registration=_aid_student(world, p),
            amount_requested=Decimal(amount),
            grounds="hardship",
            applied_on=D(2025, 3, 1),
        )

    def page(world, p):
        return f"/aid-programmes/{p.pk}/applications/new/", {
            "id_number": _aid_student(world, p).person.id_number,
            "enrolled_on": "",
            "amount_requested": amount,
            "grounds": "hardship",
            "grounds_note": "",
            "applied_on": "2025-03-01",
        }

    def row(world, p):
        return "aid_applications", {
            "学校代码": p.school.code,
            "资助项目": p.name,
            "项目年度": p.year,
            "身份证号": _aid_student(world, p).person.id_number,
            "入学日期": "",
            "申请金额（元）": amount,
            "申请理由": "家庭经济困难",
            "理由说明": "",
            "申请日期": "2025-03-01",
        }

    return service, page, row


# --- the workflows' filings, plans, rounds and adjustments (school acts) -------------------

BROCHURE = {
    "year": 2027,
    "title": "2027年招生简章",
    "total_quota": 300,
    "target_groups": "应届初中毕业生",
    "tracks": "full_time",
    "contact": "023-61234567",
}
INTERNSHIP = {
    "title": "数控专业跟岗实习",
    "enterprise": "重庆示例汽车有限公司",
    "province": "50",
    "location": "重庆市两江新区",
    "start_on": D(2027, 3, 1),
    "end_on": D(2027, 6, 30),
    "students": 30,
    "majors": "数控加工",
}


def _form_data(values: dict) -> dict:
    return {k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in values.items()}


def _school_user(world, side):
    return world.user_a if side == "own" else world.user_b


def _brochure(world, side):
    return workflow_services.brochure_create(
        actor=_school_user(world, side), school=_school(world, side), **BROCHURE
    )


def _internship(world, side):
    return workflow_services.internship_create(
        actor=_school_user(world, side), school=_school(world, side), **INTERNSHIP
    )


def _plan(world, side):
    return workflow_services.plan_create(
        actor=_school_user(world, side), school=_school(world, side), year=2027
    )


def _plan_major(plan):
    return plan.school.majors.order_by("pk").first()


def _partner_province():
    return policy_rules.cross_province_partners(_today())[0]


def _base_designation(world, side):
    """A current 市级思政课基地 at the side's school (the target of a withdrawal)."""
    return _once(
        world,
        f"base_{side}",
        lambda: registers.base_record(
            actor=world.municipal,
            kind="ideology_base",
            level="municipal",
            school=_school(world, side),
            designated_on=D(2024, 5, 1),
            document_no=f"渝人社〔2024〕{side}号",
        ),
    )


def _textbook(world, side):
    """The side's school's own 校本教材 (the target of a withdrawal)."""
    return _once(
        world,
        f"textbook_{side}",
        lambda: registers.textbook_record(
            actor=world.municipal,
            kind="school",
            title=f"校本教材{side}",
            school=_school(world, side),
            approved_on=D(2024, 3, 1),
        ),
    )


BASE = {
    "kind": "integrated_base",
    "level": "municipal",
    "designated_on": "2024-05-01",
    "document_no": "渝人社〔2024〕9号",
    "name": "",
}


def _round(world, side):
    """An open 优质院校 round of 2026; the school to designate is the target."""
    _once(
        world,
        "round",
        lambda: designations.round_create(actor=world.municipal, year=2026, kind="quality_school"),
    )
    return _school(world, side)


def _adjustable(world, side):
    return _school_major(world, side)


# --- quality -------------------------------------------------------------------------------

FINDING = {
    "found_on": D(2025, 5, 1),
    "area": "skill_level",
    "finding": "实训设备不足",
    "severity": "minor",
    "required_action": "补充实训设备",
    "deadline": D(2025, 9, 1),
}


def _finding_new(values):
    def service(world, actor, school):
        quality_services.finding_create(actor=actor, school=school, **values)

    def page(world, school):
        return "/supervision/new/", {**_form_data(values), "school": school.pk}

    return service, page


def _finding(world, side):
    return quality_services.finding_create(
        actor=world.municipal, school=_school(world, side), **FINDING
    )


def _finding_rectifying(world, side):
    finding = _finding(world, side)
    return quality_services.finding_transition(
        actor=_school_user(world, side), finding=finding, action="rectify", comment="已补充设备"
    )


def _finding_step(action, comment):
    def service(world, actor, finding):
        quality_services.finding_transition(
            actor=actor, finding=finding, action=action, comment=comment
        )

    def page(world, finding):
        return f"/supervision/{finding.pk}/{action}/", {"comment": comment}

    return service, page


REVIEW = {"year": 2024, "dimension": "skill_level", "score": "80", "basis": "督导材料"}


def _report(world, side):
    return core_services.create(
        None,
        AnnualReport,
        year=2024,
        title="2024年重庆市技工教育质量年度报告",
        html_path="2024/test.html",
        pdf_path="2024/test.pdf",
        pdf_sha256="0" * 64,
        generated_by=world.municipal,
    )


def _published_report(world, side):
    return quality_services.report_publish(actor=world.municipal, report=_report(world, side))


def _suspended(world, side):
    school = world.school_a2 if side == "own" else world.school_b
    licensing.enrolment_suspend(actor=world.municipal, school=school, reason="违规招生")
    return school


# --- reference data (the city's) --------------------------------------------------------------

MAJOR_LEVELS = ["intermediate", "advanced", "technician"]


# --- the workflows' transitions that carry an act, founding applications -------------------


def _founding_application(world, side):
    """An application of a school in its founding period (the school's own user)."""
    school = _school(world, side)
    School.objects.filter(pk=school.pk).update(status="founding")  # as 登记 in 筹建期
    school.refresh_from_db()
    return licensing.founding_create(
        actor=_school_user(world, side),
        school=school,
        founding_started_on=FOUNDING_STARTED,
        planned_students=800,
        summary="办学条件说明",
    )


FOUNDING_STARTED = D(2025, 3, 1)


def _tier_to_lower(world, side):
    """A 高级技校 whose tier the city bureau withdraws (退出) to 技工学校."""
    school = world.school_a2 if side == "own" else world.school_b
    School.objects.filter(pk=school.pk).update(tier="senior_school")  # as registered
    school.refresh_from_db()
    return school


def _upgradable(world, side):
    """The side's school as a 高级技校 (a 技师学院 has no tier above it)."""
    school = _school(world, side)
    School.objects.filter(pk=school.pk).update(tier="senior_school")
    school.refresh_from_db()
    return school


UPGRADE = {"stated_students": 1500, "stated_teachers": 80, "stated_majors": 10, "summary": "x"}


def _upgrade_application(world, side):
    return upgrades.upgrade_apply(
        actor=_school_user(world, side), school=_upgradable(world, side), **UPGRADE
    )


def _qualification_list(world, side):
    return workflow_services.qualification_list_create(actor=world.municipal, year=2027)


def _submitted_adjustment(world, side):
    """A school's application to suspend one of its majors, submitted to the city."""
    sm = _school_major(world, side)
    user = _school_user(world, side)
    item = catalogue.adjustment_create(
        actor=user, school=sm.school, action="suspend", school_major=sm, reason="就业率低"
    )
    workflow_services.transition(actor=user, item=item, action="submit", comment="")
    return item


# --- two-step verification (the actor's own device) and imports ---------------------------

TOTP_KEY = "3132333435363738393031323334353637383930"


def _unconfirmed_devices(world, side):
    """An unconfirmed device of every staff account, all with one key: the code a page
    posts does not depend on who posts it."""
    for user in (world.municipal, world.district_a, world.user_a):
        TOTPDevice.objects.create(user=user, name="手机", confirmed=False, key=TOTP_KEY)


def _totp_code():
    device = TOTPDevice(key=TOTP_KEY)
    return str(totp(device.bin_key, device.step, device.t0, device.digits)).zfill(device.digits)


def _teacher_file(world):
    _kind, row = _teacher_register_row(world, world.school_a)
    header = list(row)
    return xlsx([[row[h] for h in header]], header=header)


def _upload(world):
    return SimpleUploadedFile(
        "教师.xlsx",
        _teacher_file(world),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


EXEMPLARS = [
    Exemplar(
        "school.update",
        _school,
        lambda w, actor, s: school_services.school_update(
            actor=actor, school=s, address="重庆市示例路99号"
        ),
        page=_school_edit_page,
        row=_school_row,
        tables=("schools.School",),
    ),
    Exemplar(
        "school.register",
        _district,
        _school_register,
        row=_school_register_row,
        tables=("schools.School",),
    ),
    Exemplar(
        "school.suspend_enrolment",
        lambda w, side: w.school_a2 if side == "own" else w.school_b,
        lambda w, actor, s: licensing.enrolment_suspend(actor=actor, school=s, reason="违规招生"),
        page=lambda w, s: (f"/compliance/{s.pk}/suspend/", {"reason": "违规招生"}),
        tables=("schools.School",),
    ),
    Exemplar(
        "school.change_tier",
        _tier_to_lower,
        lambda w, actor, s: school_services.school_change_tier(
            actor=actor,
            school=s,
            tier="school",
            effective_on=D(2025, 9, 1),
            decision="市人社局决定退出",
        ),
        page=lambda w, s: (
            f"/schools/{s.pk}/tier/",
            {"tier": "school", "effective_on": "2025-09-01", "decision": "市人社局决定退出"},
        ),
        tables=("schools.School", "schools.TierChange"),
    ),
    Exemplar(
        "school.move_district",
        lambda w, side: w.school_a2 if side == "own" else w.school_b,
        lambda w, actor, s: school_services.school_move_district(
            actor=actor, school=s, district=_other_district(w, s), reason="校区搬迁"
        ),
        page=lambda w, s: (
            f"/schools/{s.pk}/district/",
            {"district": _other_district(w, s).pk, "reason": "校区搬迁"},
        ),
        tables=("schools.School",),
    ),
    Exemplar(
        "school_major.open",
        _school_for_new_major,
        _school_major_open("intermediate", "0102"),
        row=_school_major_open_row("intermediate", "0102"),
        tables=("schools.SchoolMajor",),
    ),
    Exemplar(
        "school_major.open",
        _technical_school,
        _school_major_open("technician", "0101"),
        row=_school_major_open_row("technician", "0101"),
        tables=("schools.SchoolMajor",),
        case="level not of the tier",
        roles=ALWAYS,
    ),
    Exemplar(
        "school_major.update",
        _school_major,
        lambda w, actor, sm: school_services.school_major_update(
            actor=actor, school_major=sm, opened_year=2019
        ),
        row=_exported("school_majors", {"开设年度": 2019}),
        tables=("schools.SchoolMajor",),
    ),
    Exemplar(
        "school_major.update",
        _school_major,
        lambda w, actor, sm: school_services.school_major_update(
            actor=actor, school_major=sm, opened_year=1800
        ),
        row=_exported("school_majors", {"开设年度": 1800}),
        tables=("schools.SchoolMajor",),
        case="opened in 1800",
        roles=ALWAYS,
    ),
    Exemplar(
        "registration.enrol",
        _school,
        _enrol,
        row=_enrol_row,
        tables=("students.Registration", "students.Person"),
    ),
    Exemplar(
        "registration.enrol",
        _school,
        _enrol_yunnan,
        row=_enrol_yunnan_row,
        tables=("students.Registration", "students.Person"),
        case="cross-province without an approved quota",
        roles=ALWAYS,
    ),
    Exemplar(
        "registration.correct",
        _registration,
        lambda w, actor, r: student_services.registration_update(
            actor=actor, registration=r, duration_months=48, reason="学制录错"
        ),
        page=_correction_page(duration_months=48),
        row=_exported("students", {"学制（月）": 48}),
        tables=("students.Registration",),
    ),
    Exemplar(
        "registration.correct",
        _registration,
        lambda w, actor, r: student_services.registration_update(
            actor=actor,
            registration=r,
            enrolled_on=datetime.date.today() + datetime.timedelta(days=3),
            reason="入学日期录错",
        ),
        page=_correction_page(
            enrolled_on=(datetime.date.today() + datetime.timedelta(days=3)).isoformat()
        ),
        tables=("students.Registration",),
        case="enrolment date after today",
        roles=ALWAYS,
    ),
    Exemplar(
        "person.correct",
        _registration,
        lambda w, actor, r: student_services.person_correct(
            actor=actor, person=r.person, name="更正名", reason="姓名录错"
        ),
        page=lambda w, r: (
            f"/students/{r.person.pk}/correct/",
            {"name": "更正名", "home_province": r.person.home_province, "reason": "姓名录错"},
        ),
        row=_exported("students", {"姓名": "更正名"}),
        tables=("students.Person",),
    ),
    Exemplar(
        "registration.change_status",
        _registration,
        lambda w, actor, r: student_services.registration_change_status(
            actor=actor,
            registration=r,
            status="suspended",
            changed_on=datetime.date.today(),
            reason="病休",
        ),
        page=_status_page,
        row=_status_row,
        tables=("students.Registration", "students.StatusChange"),
    ),
    Exemplar(
        "registration.transfer_out",
        _registration,
        lambda w, actor, r: student_services.registration_transfer_out(
            actor=actor,
            registration=r,
            to_school=w.school_a2,
            transfer_on=datetime.date.today(),
            reason="家庭迁居",
        ),
        page=_transfer_out_page,
        row=_transfer_out_row,
        tables=("students.Transfer",),
    ),
    Exemplar(
        "registration.transfer_out",
        _registration,
        lambda w, actor, r: student_services.registration_transfer_out(
            actor=actor,
            registration=r,
            to_school=w.school_a2,
            transfer_on=datetime.date.today(),
            reason="",
        ),
        page=lambda w, r: _transfer_out_page(w, r, reason=""),
        row=_row_with(_transfer_out_row, {"原因": ""}),
        tables=("students.Transfer",),
        case="no reason",
    ),
    Exemplar(
        "transfer.accept",
        _pending_transfer,
        lambda w, actor, t: student_services.transfer_accept(actor=actor, transfer=t),
        page=_transfer_page("accept"),
        row=_transfer_in_row,
        tables=("students.Transfer", "students.Registration", "students.StatusChange"),
    ),
    Exemplar(
        "transfer.refuse",
        _pending_transfer,
        lambda w, actor, t: student_services.transfer_refuse(
            actor=actor, transfer=t, reason="专业不对口"
        ),
        page=_transfer_page("refuse", "专业不对口"),
        tables=("students.Transfer",),
    ),
    Exemplar(
        "transfer.cancel",
        _sent_transfer,
        lambda w, actor, t: student_services.transfer_cancel(
            actor=actor, transfer=t, reason="误报"
        ),
        page=_transfer_page("cancel", "误报"),
        tables=("students.Transfer",),
    ),
    Exemplar(
        "registration.revert_change",
        _changed_registration,
        lambda w, actor, r: student_services.registration_revert_change(
            actor=actor, registration=r, reason="登记错误"
        ),
        page=_revert_page(),
        tables=("students.Registration", "students.StatusChange"),
    ),
    Exemplar(
        "registration.revert_change_by_bureau",
        _changed_registration,
        lambda w, actor, r: student_services.registration_revert_change_by_bureau(
            actor=actor, registration=r, reason="登记错误"
        ),
        page=_revert_page("bureau/"),
        tables=("students.Registration", "students.StatusChange"),
    ),
    Exemplar(
        "teacher.register",
        _school,
        _teacher_register,
        row=_teacher_register_row,
        tables=("staff.Teacher",),
    ),
    Exemplar(
        "teacher.update",
        _teacher,
        lambda w, actor, t: staff_services.teacher_update(actor=actor, teacher=t, name="王新名"),
        row=_exported("teachers", {"姓名": "王新名"}),
        tables=("staff.Teacher",),
    ),
    Exemplar(
        "teacher.update",
        _teacher,
        lambda w, actor, t: staff_services.teacher_update(
            actor=actor, teacher=t, left_on=D(2014, 7, 1)
        ),
        row=_exported("teachers", {"离职日期": D(2014, 7, 1)}),
        tables=("staff.Teacher",),
        case="left before hired",
        roles=ALWAYS,
    ),
    Exemplar(
        "training_record.register",
        _school,
        _training_register,
        row=_training_register_row,
        tables=("training.TrainingRecord",),
    ),
    Exemplar(
        "training_record.update",
        _training_record,
        lambda w, actor, t: training_services.training_record_update(
            actor=actor, record=t, hours=96
        ),
        row=_exported("training", {"学时": 96}),
        tables=("training.TrainingRecord",),
    ),
    Exemplar(
        "training_record.update",
        _training_record,
        lambda w, actor, t: training_services.training_record_update(
            actor=actor, record=t, ended_on=D(2025, 2, 1)
        ),
        row=_exported("training", {"结业日期": D(2025, 2, 1)}),
        tables=("training.TrainingRecord",),
        case="ended before started",
        roles=ALWAYS,
    ),
    Exemplar(
        "training_record.update",
        _training_record,
        lambda w, actor, t: training_services.training_record_update(
            actor=actor, record=t, hours=0
        ),
        row=_exported("training", {"学时": 0}),
        tables=("training.TrainingRecord",),
        case="no hours",
        roles=ALWAYS,
    ),
    Exemplar(
        "enterprise.register",
        _district,
        _enterprise_register,
        row=_enterprise_register_row,
        tables=("cooperation.Enterprise",),
    ),
    Exemplar(
        "enterprise.update",
        _enterprise,
        lambda w, actor, e: cooperation_services.enterprise_update(
            actor=actor, enterprise=e, name="重庆更名示例企业有限公司"
        ),
        row=_exported("enterprises", {"企业名称": "重庆更名示例企业有限公司"}),
        tables=("cooperation.Enterprise",),
    ),
    Exemplar(
        "agreement.register",
        _school_with_partner,
        _agreement_register,
        row=_agreement_register_row,
        tables=("cooperation.CooperationAgreement",),
    ),
    Exemplar(
        "agreement.update",
        _agreement,
        lambda w, actor, a: cooperation_services.agreement_update(
            actor=actor, agreement=a, ended_on=D(2028, 7, 1)
        ),
        row=_exported("agreements", {"结束日期": D(2028, 7, 1)}),
        tables=("cooperation.CooperationAgreement",),
    ),
    Exemplar(
        "agreement.update",
        _agreement,
        lambda w, actor, a: cooperation_services.agreement_update(
            actor=actor, agreement=a, ended_on=D(2024, 1, 1)
        ),
        row=_exported("agreements", {"结束日期": D(2024, 1, 1)}),
        tables=("cooperation.CooperationAgreement",),
        case="ended before started",
        roles=ALWAYS,
    ),
    Exemplar(
        "skill_certificate.register",
        _evaluator_registration,
        _skill_register,
        row=_skill_register_row,
        tables=("certificates.SkillCertificate", "students.Person"),
    ),
    Exemplar(
        "skill_certificate.register",
        _registration,
        _skill_register,
        row=_skill_register_row,
        tables=("certificates.SkillCertificate", "students.Person"),
        case="evaluator not filed",
        roles=ALWAYS,
    ),
    Exemplar(
        "skill_certificate.update",
        _skill_certificate,
        lambda w, actor, c: certificate_services.skill_certificate_update(
            actor=actor, certificate=c, occupation_name="数控车工"
        ),
        row=_exported("skill_certificates", {"职业（工种）": "数控车工"}),
        tables=("certificates.SkillCertificate",),
    ),
    Exemplar(
        "skill_certificate.update",
        _skill_certificate,
        lambda w, actor, c: certificate_services.skill_certificate_update(
            actor=actor, certificate=c, issued_on=FUTURE
        ),
        row=_exported(
            "skill_certificates",
            {"发证日期": FUTURE},
        ),
        tables=("certificates.SkillCertificate",),
        case="issued in the future",
        roles=ALWAYS,
    ),
    Exemplar(
        "certificate.graduate",
        _graduand,
        lambda w, actor, r: certificate_services.graduate(
            actor=actor, registration=r, issued_on=GRADUATED_ON
        ),
        page=_graduate_page,
        row=_graduate_row,
        tables=("certificates.GraduationCertificate", "students.StatusChange"),
    ),
    Exemplar(
        "certificate.graduate",
        _registration,
        lambda w, actor, r: certificate_services.graduate(
            actor=actor, registration=r, issued_on=GRADUATED_ON
        ),
        page=_graduate_page,
        row=_graduate_row,
        tables=("certificates.GraduationCertificate", "students.StatusChange"),
        case="study period not over",
        roles=ALWAYS,
    ),
    Exemplar(
        "employment.outcome_record",
        _graduated,
        _outcome_record,
        row=_outcome_row,
        tables=("employment.EmploymentOutcome",),
    ),
    Exemplar(
        "employment.outcome_record",
        _registration,
        _outcome_record,
        row=_outcome_row,
        tables=("employment.EmploymentOutcome",),
        case="not a graduate",
        roles=ALWAYS,
    ),
    Exemplar(
        "enterprise.register",
        _district,
        lambda w, actor, d: cooperation_services.enterprise_create(
            actor=actor, credit_code=BAD_CREDIT_CODE, name=NEW_ENTERPRISE, district=d
        ),
        row=_row_with(_enterprise_register_row, {"统一社会信用代码": BAD_CREDIT_CODE}),
        tables=("cooperation.Enterprise",),
        case="bad credit code",
        roles=ALWAYS,
    ),
    Exemplar(
        "teacher.register",
        _school,
        lambda w, actor, s: staff_services.teacher_create(
            actor=actor,
            school=s,
            id_number=_teacher_id(w),
            name="刘老师",
            kind="full_time",
            hired_on=HIRED,
            left_on=D(2014, 7, 1),
        ),
        row=_row_with(_teacher_register_row, {"离职日期": D(2014, 7, 1)}),
        tables=("staff.Teacher",),
        case="left before hired",
        roles=ALWAYS,
        sides=("own",),  # not "other" yet: teacher_create checks the dates before the scope
    ),
    Exemplar(
        "certificate.graduate",
        _graduand,
        lambda w, actor, r: certificate_services.graduate(
            actor=actor, registration=r, issued_on=FUTURE
        ),
        page=lambda w, r: (
            f"/registrations/{r.pk}/graduate/",
            {"outcome": "graduated", "issued_on": FUTURE.isoformat()},
        ),
        row=_row_with(_graduate_row, {"发证日期": FUTURE}),
        tables=("certificates.GraduationCertificate", "students.StatusChange"),
        case="issued after today",
        roles=ALWAYS,
    ),
    Exemplar(
        "registration.change_status",
        _registration,
        lambda w, actor, r: student_services.registration_change_status(
            actor=actor,
            registration=r,
            status="suspended",
            changed_on=D(2020, 1, 1),
            reason="病休",
        ),
        page=lambda w, r: (
            f"/registrations/{r.pk}/status/",
            {**_status_page(w, r)[1], "changed_on": "2020-01-01"},
        ),
        row=_row_with(_status_row, {"变更日期": D(2020, 1, 1)}),
        tables=("students.Registration", "students.StatusChange"),
        case="before the enrolment",
        roles=ALWAYS,
    ),
]
# more refused rules at the bulk doors
EXEMPLARS += [
    Exemplar(
        "training_record.register",
        _school,
        lambda w, actor, s: training_services.training_record_create(
            actor=actor,
            school=s,
            trainee_id_number=_trainee_id(w),
            **{**TRAINING, "ended_on": D(2025, 2, 1)},
        ),
        row=_row_with(_training_register_row, {"结业日期": D(2025, 2, 1)}),
        tables=("training.TrainingRecord",),
        case="ended before started",
        roles=ALWAYS,
        # not "other" yet: training_record_create checks the dates before the scope
        sides=("own",),
    ),
    Exemplar(
        "agreement.register",
        _school_with_partner,
        lambda w, actor, s: cooperation_services.agreement_create(
            actor=actor,
            school=s,
            enterprise=_partner(w),
            **{**AGREEMENT, "ended_on": D(2024, 1, 1)},
        ),
        row=_row_with(_agreement_register_row, {"结束日期": D(2024, 1, 1)}),
        tables=("cooperation.CooperationAgreement",),
        case="ended before started",
        roles=ALWAYS,
    ),
    Exemplar(
        "employment.outcome_record",
        _graduated,
        lambda w, actor, r: employment_services.outcome_record(
            actor=actor, registration=r, **{**OUTCOME, "recorded_on": D(2025, 6, 1)}
        ),
        row=_row_with(_outcome_row, {"统计日期": D(2025, 6, 1)}),
        tables=("employment.EmploymentOutcome",),
        case="recorded before leaving",
        roles=ALWAYS,
    ),
]

# the page-only acts
EXEMPLARS += [
    Exemplar(
        "certificate.revoke",
        _certificate,
        lambda w, actor, c: certificate_services.revoke(
            actor=actor, certificate=c, reason="信息有误", on=_today()
        ),
        page=_certificate_reason_page("revoke", "信息有误"),
        tables=("certificates.GraduationCertificate",),
    ),
    Exemplar(
        "certificate.reissue",
        _certificate,
        lambda w, actor, c: certificate_services.reissue(
            actor=actor, certificate=c, reason="证书遗失", on=_today()
        ),
        page=_certificate_reason_page("reissue", "证书遗失"),
        tables=("certificates.GraduationCertificate",),
    ),
    Exemplar(
        "certificate.reissue",
        _certificate,
        lambda w, actor, c: certificate_services.reissue(
            actor=actor, certificate=c, reason="证书遗失", on=D(2025, 1, 1)
        ),
        page=lambda w, c: (
            f"/graduation-certificates/{c.pk}/reissue/",
            {"reason": "证书遗失", "on": "2025-01-01"},
        ),
        tables=("certificates.GraduationCertificate",),
        case="before the issue",
        roles=ALWAYS,
    ),
    Exemplar(
        "certificate.exchange_completion",
        _completion,
        lambda w, actor, c: certificate_services.exchange_completion(
            actor=actor, certificate=c, issued_on=_today()
        ),
        page=lambda w, c: (
            f"/graduation-certificates/{c.pk}/exchange/",
            {"issued_on": _today().isoformat()},
        ),
        tables=("certificates.GraduationCertificate", "students.StatusChange"),
    ),
    Exemplar(
        "verification_code.create",
        _certificate,
        lambda w, actor, c: certificate_services.verification_code_create(
            actor=actor, certificate=c, days=30
        ),
        page=lambda w, c: (f"/graduation-certificates/{c.pk}/codes/", {"days": 30}),
        page_by_role={
            "graduate": lambda w, c: (f"/graduate/certificates/{c.pk}/codes/", {"days": 30})
        },
        tables=("certificates.VerificationCode",),
        roles=ROLES,
    ),
    Exemplar(
        "verification_code.create",
        _certificate,
        lambda w, actor, c: certificate_services.verification_code_create(
            actor=actor, certificate=c, days=365
        ),
        page=lambda w, c: (f"/graduation-certificates/{c.pk}/codes/", {"days": 365}),
        page_by_role={
            "graduate": lambda w, c: (f"/graduate/certificates/{c.pk}/codes/", {"days": 365})
        },
        tables=("certificates.VerificationCode",),
        case="a year",
        roles=(*ALWAYS, "graduate"),
    ),
    Exemplar(
        "verification_code.revoke",
        _code,
        lambda w, actor, code: certificate_services.verification_code_revoke(
            actor=actor, code=code
        ),
        page=lambda w, code: (
            f"/graduation-certificates/{code.certificate_id}/codes/{code.pk}/revoke/",
            {},
        ),
        page_by_role={"graduate": lambda w, code: (f"/graduate/codes/{code.pk}/revoke/", {})},
        tables=("certificates.VerificationCode",),
        roles=ROLES,
    ),
    Exemplar(
        "graduate_account.invite",
        lambda w, side: _certificate(w, side).registration,
        lambda w, actor, reg: graduate_services.graduate_account_invite(
            actor=actor, registration=reg
        ),
        page=lambda w, reg: (f"/registrations/{reg.pk}/graduate-invitation/", {}),
        tables=("graduates.GraduateInvitation",),
    ),
    Exemplar(
        "api_key.create",
        lambda w, side: None,
        lambda w, actor, _: public_services.api_key_create(actor=actor, **API_KEY),
        page=lambda w, _: ("/api-keys/new/", {**API_KEY, "note": ""}),
        tables=("core.ApiKey",),
        sides=("own",),
    ),
    Exemplar(
        "api_key.revoke",
        _api_key,
        lambda w, actor, k: public_services.api_key_revoke(actor=actor, api_key=k),
        page=lambda w, k: (f"/api-keys/{k.pk}/revoke/", {}),
        tables=("core.ApiKey",),
        sides=("own",),
    ),
    Exemplar(
        "other_revenue.register",
        _school,
        lambda w, actor, s: records.other_revenue_create(
            actor=actor, school=s, year=2025, amount=10000, description="培训包项目"
        ),
        page=_record_page(
            "/training-revenue/other/new/", year=2025, amount="10000", description="培训包项目"
        ),
        tables=("workflows.OtherTrainingRevenue",),
        school_fixed_on_page=True,
    ),
    Exemplar(
        "teacher_hiring.register",
        _school,
        _hiring("0.6"),
        page=_hiring_page("0.6"),
        tables=("workflows.TeacherHiring",),
        school_fixed_on_page=True,
    ),
    Exemplar(
        "teacher_hiring.register",
        _school,
        _hiring("0.3"),
        page=_hiring_page("0.3"),
        tables=("workflows.TeacherHiring",),
        case="practical test too light",
        roles=ALWAYS,
        school_fixed_on_page=True,
    ),
    Exemplar(
        "integrated_training.register",
        _teacher,
        lambda w, actor, t: records.training_create(
            actor=actor,
            teacher=t,
            title="一体化课程开发",
            organiser="重庆市人力资源和社会保障局",
            level="municipal",
            hours=40,
            started_on=D(2025, 7, 1),
            ended_on=D(2025, 7, 5),
        ),
        page=_record_page(
            "/integrated-trainings/new/",
            school=False,
            teacher=lambda w, t: t.pk,
            title="一体化课程开发",
            organiser="重庆市人力资源和社会保障局",
            level="municipal",
            hours=40,
            started_on="2025-07-01",
            ended_on="2025-07-05",
        ),
        tables=("workflows.IntegratedTraining",),
    ),
    Exemplar(
        "teacher_competition.register",
        _teacher,
        lambda w, actor, t: records.competition_create(
            actor=actor, teacher=t, name="全市教师职业能力大赛", level="municipal", year=2025
        ),
        page=_record_page(
            "/teacher-competitions/new/",
            school=False,
            teacher=lambda w, t: t.pk,
            name="全市教师职业能力大赛",
            level="municipal",
            year=2025,
            award="",
        ),
        tables=("workflows.TeacherCompetition",),
    ),
    Exemplar(
        "curriculum.set",
        _school,
        _curriculum(16),
        page=_curriculum_page("16"),
        tables=("workflows.CurriculumRecord",),
        school_fixed_on_page=True,
    ),
    Exemplar(
        "curriculum.set",
        _school,
        _curriculum(-1),
        page=_curriculum_page("-1"),
        tables=("workflows.CurriculumRecord",),
        case="negative hours",  # fewer than 16 are recorded (（五） is reported against)
        roles=ALWAYS,
        school_fixed_on_page=True,
    ),
    Exemplar(
        "aid_programme.create",
        _school,
        lambda w, actor, s: records.aid_programme_create(
            actor=actor,
            school=s,
            year=2025,
            name="国家助学金",
            kind="grant",
            funder="中央财政",
            amount_per_person=2000,
        ),
        page=_record_page(
            "/aid-programmes/new/",
            year=2025,
            name="国家助学金",
            kind="grant",
            funder="中央财政",
            amount_per_person="2000",
        ),
        tables=("workflows.AidProgramme",),
        school_fixed_on_page=True,
    ),
    Exemplar(
        "aid_recipient.add",
        _aid_programme,
        lambda w, actor, p: records.aid_recipient_add(
            actor=actor, programme=p, registration=_aid_student(w, p)
        ),
        page=lambda w, p: (
            f"/aid-programmes/{p.pk}/recipients/new/",
            {"id_number": _aid_student(w, p).person.id_number, "amount": "", "granted_on": ""},
        ),
        tables=("workflows.AidRecipient",),
    ),
    Exemplar(
        "aid_application.create",
        _aid_programme,
        _aid_apply("1500")[0],
        page=_aid_apply("1500")[1],
        row=_aid_apply("1500")[2],
        tables=("workflows.AidApplication",),
    ),
    Exemplar(
        "aid_application.create",
        _aid_programme,
        _aid_apply("2500")[0],
        page=_aid_apply("2500")[1],
        row=_aid_apply("2500")[2],
        tables=("workflows.AidApplication",),
        case="over the programme's standard",
        roles=ALWAYS,
    ),
    Exemplar(
        "aid_application.update",
        _aid_application,
        lambda w, actor, a: aid.application_update(
            actor=actor, application=a, amount_requested=Decimal("1000")
        ),
        page=lambda w, a: (
            f"/aid-applications/{a.pk}/edit/",
            {
                "amount_requested": "1000",
                "grounds": "hardship",
                "grounds_note": "",
                "applied_on": "2025-03-01",
            },
        ),
        row=_exported("aid_applications", {"申请金额（元）": 1000}),
        tables=("workflows.AidApplication",),
    ),
    Exemplar(
        "aid_application.submit_batch",
        _aid_batch,
        lambda w, actor, p: aid.applications_submit(actor=actor, programme=p),
        page=lambda w, p: (f"/aid-programmes/{p.pk}/applications/submit/", {}),
        tables=("workflows.Step",),
    ),
    Exemplar(
        "pay_supplement.calculate",
        _school,
        lambda w, actor, s: records.supplement_calculate(
            actor=actor, school=s, year=2024, rate=Decimal("0.1"), excellent=False
        ),
        page=lambda w, s: (f"/pay-supplements/{s.pk}/2024/calculate/", {"rate": "10"}),
        tables=("workflows.PaySupplementCalc",),
    ),
]
# the page-only acts of the workflows, quality and reference data
EXEMPLARS += [
    Exemplar(
        "brochure.file",
        _school,
        lambda w, actor, s: workflow_services.brochure_create(actor=actor, school=s, **BROCHURE),
        page=lambda w, s: ("/brochure-filings/new/", _form_data(BROCHURE)),
        tables=("workflows.BrochureFiling",),
        school_fixed_on_page=True,
    ),
    Exemplar(
        "brochure.update",
        _brochure,
        lambda w, actor, b: workflow_services.brochure_update(
            actor=actor, brochure=b, title="2027年招生简章（修订）"
        ),
        page=lambda w, b: (
            f"/brochure-filings/{b.pk}/edit/",
            _form_data({**BROCHURE, "title": "2027年招生简章（修订）"}),
        ),
        tables=("workflows.BrochureFiling",),
    ),
    Exemplar(
        "internship.file",
        _school,
        lambda w, actor, s: workflow_services.internship_create(
            actor=actor, school=s, **INTERNSHIP
        ),
        page=lambda w, s: ("/internship-filings/new/", _form_data(INTERNSHIP)),
        tables=("workflows.InternshipFiling",),
        school_fixed_on_page=True,
    ),
    Exemplar(
        "internship.update",
        _internship,
        lambda w, actor, i: workflow_services.internship_update(
            actor=actor, internship=i, students=40
        ),
        page=lambda w, i: (
            f"/internship-filings/{i.pk}/edit/",
            _form_data({**INTERNSHIP, "students": 40}),
        ),
        tables=("workflows.InternshipFiling",),
    ),
    Exemplar(
        "enrolment_plan.create",
        _school,
        lambda w, actor, s: workflow_services.plan_create(actor=actor, school=s, year=2027),
        page=lambda w, s: ("/enrolment-plans/new/", {"year": 2027}),
        tables=("workflows.EnrolmentPlan",),
        school_fixed_on_page=True,
    ),
    Exemplar(
        "enrolment_plan.set_line",
        _plan,
        lambda w, actor, p: workflow_services.plan_line_set(
            actor=actor, plan=p, school_major=_plan_major(p), quota=50
        ),
        page=lambda w, p: (f"/enrolment-plans/{p.pk}/edit/", {f"m{_plan_major(p).pk}": 50}),
        tables=("workflows.EnrolmentPlanLine",),
    ),
    Exemplar(
        "enrolment_plan.set_cross_province",
        _plan,
        lambda w, actor, p: workflow_services.plan_cross_province_set(
            actor=actor, plan=p, province=_partner_province(), quota=20
        ),
        page=lambda w, p: (
            f"/enrolment-plans/{p.pk}/edit/",
            {f"m{_plan_major(p).pk}": "", f"p{_partner_province()}": 20},
        ),
        tables=("workflows.CrossProvinceQuota",),
    ),
    Exemplar(
        "qualification_list.create",
        lambda w, side: None,
        lambda w, actor, _: workflow_services.qualification_list_create(actor=actor, year=2027),
        page=lambda w, _: ("/qualification-lists/new/", {"year": 2027}),
        tables=("workflows.QualificationList",),
        sides=("own",),
    ),
    Exemplar(
        "founding.apply",
        _school,
        lambda w, actor, s: licensing.founding_create(
            actor=actor,
            school=s,
            founding_started_on=D(2025, 1, 1),
            planned_students=800,
            summary="办学条件说明",
        ),
        page=lambda w, s: (
            "/founding-applications/new/",
            {
                "founding_started_on": "2025-01-01",
                "planned_students": 800,
                "summary": "办学条件说明",
            },
        ),
        tables=("workflows.FoundingApplication",),
        case="an operating school",
        school_fixed_on_page=True,
    ),
    Exemplar(
        "designation_round.create",
        lambda w, side: None,
        lambda w, actor, _: designations.round_create(
            actor=actor, year=2026, kind="quality_school"
        ),
        page=lambda w, _: (
            "/designation-rounds/new/",
            {"year": 2026, "kind": "quality_school", "note": ""},
        ),
        tables=("workflows.DesignationRound",),
        sides=("own",),
    ),
    Exemplar(
        "designation_round.designate",
        _round,
        lambda w, actor, s: designations.designate(
            actor=actor, designation_round=w.round, school=s
        ),
        page=lambda w, s: (f"/designation-rounds/{w.round.pk}/designate/", {"key": s.pk}),
        tables=("schools.SchoolDesignation",),
    ),
    Exemplar(
        "base_designation.record",
        _school,
        lambda w, actor, s: registers.base_record(
            actor=actor, school=s, **{**BASE, "designated_on": D(2024, 5, 1)}
        ),
        page=_record_page("/teacher-bases/new/", **BASE),
        tables=("workflows.BaseDesignation",),
    ),
    Exemplar(
        "base_designation.withdraw",
        _base_designation,
        lambda w, actor, b: registers.base_withdraw(
            actor=actor, designation=b, withdrawn_on=D(2025, 1, 1), reason="复核不合格"
        ),
        page=lambda w, b: (
            f"/teacher-bases/{b.pk}/withdraw/",
            {"withdrawn_on": "2025-01-01", "reason": "复核不合格"},
        ),
        tables=("workflows.BaseDesignation",),
    ),
    Exemplar(
        "textbook.record",
        _school,
        lambda w, actor, s: registers.textbook_record(
            actor=actor, kind="school", title="钳工技能", school=s, approved_on=D(2024, 3, 1)
        ),
        page=_record_page(
            "/textbooks/new/", kind="school", title="钳工技能", approved_on="2024-03-01"
        ),
        tables=("workflows.Textbook",),
        school_fixed_on_page=True,
    ),
    Exemplar(
        "textbook.withdraw",
        _textbook,
        lambda w, actor, t: registers.textbook_withdraw(
            actor=actor, textbook=t, withdrawn_on=D(2025, 1, 1), reason="内容过时"
        ),
        page=lambda w, t: (
            f"/textbooks/{t.pk}/withdraw/",
            {"withdrawn_on": "2025-01-01", "reason": "内容过时"},
        ),
        tables=("workflows.Textbook",),
    ),
    Exemplar(
        "major_adjustment.create",
        _adjustable,
        lambda w, actor, sm: catalogue.adjustment_create(
            actor=actor, school=sm.school, action="suspend", school_major=sm, reason="就业率低"
        ),
        page=lambda w, sm: (
            "/major-adjustments/new/",
            {"action": "suspend", "school_major": sm.pk, "level": "", "reason": "就业率低"},
        ),
        tables=("workflows.MajorAdjustment",),
    ),
    Exemplar(
        "quality.finding_create",
        _school,
        *_finding_new(FINDING),
        tables=("quality.Finding",),
    ),
    Exemplar(
        "quality.finding_create",
        _school,
        *_finding_new({**FINDING, "deadline": D(2025, 4, 1)}),
        tables=("quality.Finding",),
        case="deadline before the visit",
        roles=ALWAYS,
    ),
    Exemplar(
        "quality.finding_rectify",
        _finding,
        *_finding_step("rectify", "已补充设备"),
        tables=("quality.Finding", "quality.FindingStep"),
    ),
    Exemplar(
        "quality.finding_return",
        _finding_rectifying,
        *_finding_step("return", "整改不到位"),
        tables=("quality.Finding", "quality.FindingStep"),
    ),
    Exemplar(
        "quality.finding_close",
        _finding_rectifying,
        *_finding_step("close", "设备已到位"),
        tables=("quality.Finding", "quality.FindingStep"),
    ),
    Exemplar(
        "quality.review_set",
        _school,
        lambda w, actor, s: quality_services.review_set(
            actor=actor, school=s, **{**REVIEW, "score": Decimal(REVIEW["score"])}
        ),
        page=lambda w, s: ("/quality/reviews/new/", {**REVIEW, "school": s.pk}),
        tables=("quality.QualityReview",),
    ),
    Exemplar(
        "quality.scores_compute",
        lambda w, side: None,
        lambda w, actor, _: quality_services.scores_compute(actor=actor, year=2024),
        page=lambda w, _: ("/quality/compute/", {"year": 2024}),
        tables=("quality.QualityScore",),
        sides=("own",),
    ),
    Exemplar(
        "annual_report.publish",
        _report,
        lambda w, actor, r: quality_services.report_publish(actor=actor, report=r),
        page=lambda w, r: (f"/quality/reports/{r.pk}/publish/", {}),
        tables=("quality.AnnualReport",),
        sides=("own",),
    ),
    Exemplar(
        "annual_report.withdraw",
        _published_report,
        lambda w, actor, r: quality_services.report_withdraw(actor=actor, report=r),
        page=lambda w, r: (f"/quality/reports/{r.pk}/withdraw/", {}),
        tables=("quality.AnnualReport",),
        sides=("own",),
    ),
    Exemplar(
        "school.restore_enrolment",
        _suspended,
        lambda w, actor, s: licensing.enrolment_restore(actor=actor, school=s, reason="整改完成"),
        page=lambda w, s: (f"/compliance/{s.pk}/restore/", {"reason": "整改完成"}),
        tables=("schools.School",),
    ),
    Exemplar(
        "industry_chain.create",
        lambda w, side: f.chain().cluster,
        lambda w, actor, c: reference_services.industry_chain_create(
            actor=actor, cluster=c, code="C99", name="新型储能"
        ),
        page=lambda w, c: (
            f"/industry-chains/add/?year={c.year}",
            {"cluster": c.pk, "code": "C99", "name": "新型储能"},
        ),
        tables=("reference.IndustryChain",),
        sides=("own",),
    ),
    Exemplar(
        "industry_chain.update",
        lambda w, side: f.chain(),
        lambda w, actor, c: reference_services.industry_chain_update(
            actor=actor, chain=c, name="智能网联汽车", cluster=c.cluster
        ),
        page=lambda w, c: (
            f"/industry-chains/{c.pk}/edit/",
            {"cluster": c.cluster_id, "name": "智能网联汽车"},
        ),
        tables=("reference.IndustryChain",),
        sides=("own",),
    ),
    Exemplar(
        "industry_taxonomy.copy_year",
        lambda w, side: f.chain().cluster,
        lambda w, actor, c: reference_services.taxonomy_copy_year(
            actor=actor, from_year=c.year, to_year=2099
        ),
        page=lambda w, c: (
            "/industry-chains/copy-year/",
            {"from_year": c.year, "to_year": 2099},
        ),
        tables=("reference.IndustryChain", "reference.IndustryCluster"),
        sides=("own",),
    ),
    Exemplar(
        "major.update",
        lambda w, side: f.major(),
        lambda w, actor, m: reference_services.major_update(
            actor=actor, major=m, name="机床切削加工", category="机械类", levels=MAJOR_LEVELS
        ),
        page=lambda w, m: (
            f"/majors/{m.pk}/edit/",
            {"name": "机床切削加工", "category": "机械类", "levels": MAJOR_LEVELS},
        ),
        tables=("reference.Major",),
        sides=("own",),
    ),
    Exemplar(
        "platform_setting.adjust",
        lambda w, side: "workflows.review_days",
        lambda w, actor, name: reference_services.platform_setting_adjust(
            actor=actor, values={name: 20}, start=timezone.localdate(), reason="市局通知"
        ),
        page=lambda w, name: (
            f"/platform-settings/{name}/edit/",
            {f"value__{name}": "20", "start": timezone.localdate(), "reason": "市局通知"},
        ),
        tables=("reference.ParameterAdjustment",),
        sides=("own",),
    ),
]
# the acts behind a workflow transition, founding, two-step verification, imports
EXEMPLARS += [
    Exemplar(
        "tier_upgrade.apply",
        _upgradable,
        lambda w, actor, s: upgrades.upgrade_apply(actor=actor, school=s, **UPGRADE),
        page=lambda w, s: ("/tier-upgrades/new/", UPGRADE),
        tables=("workflows.TierUpgradeApplication",),
        school_fixed_on_page=True,
    ),
    Exemplar(
        "tier_upgrade.update",
        _upgrade_application,
        lambda w, actor, a: upgrades.upgrade_update(actor=actor, application=a, stated_teachers=90),
        page=lambda w, a: (f"/tier-upgrades/{a.pk}/edit/", {**UPGRADE, "stated_teachers": 90}),
        tables=("workflows.TierUpgradeApplication",),
    ),
    Exemplar(
        "founding.update",
        _founding_application,
        lambda w, actor, a: licensing.founding_update(
            actor=actor, application=a, planned_students=1000
        ),
        page=lambda w, a: (
            f"/founding-applications/{a.pk}/edit/",
            {
                "founding_started_on": FOUNDING_STARTED.isoformat(),
                "planned_students": 1000,
                "summary": "办学条件说明",
            },
        ),
        tables=("workflows.FoundingApplication",),
    ),
    Exemplar(
        "qualification_list.compute",
        _qualification_list,
        lambda w, actor, ql: workflow_services.qualification_entries_compute(
            actor=actor, qualification_list=ql
        ),
        page=lambda w, ql: (f"/workflows/qualification/{ql.pk}/recompute/", {"comment": ""}),
        tables=("workflows.QualificationEntry",),
        sides=("own",),
    ),
    Exemplar(
        "major_adjustment.carry_out",
        _submitted_adjustment,
        # the act is the approval's effect: called on its own, on a submitted adjustment,
        # MajorAdjustment.clean refuses the change it has just made (the major is no
        # longer 招生中) — it runs as the transition workflow.major_adjustment.approve
        lambda w, actor, a: workflow_services.transition(
            actor=actor, item=a, action="approve", comment=""
        ),
        page=lambda w, a: (f"/workflows/major_adjustment/{a.pk}/approve/", {"comment": ""}),
        tables=("schools.SchoolMajor", "workflows.MajorAdjustment"),
    ),
    Exemplar(
        "totp.start",
        lambda w, side: None,
        lambda w, actor, _: totp_services.totp_device_start(actor=actor),
        page=lambda w, _: ("/accounts/otp/setup/", {}),
        tables=("otp_totp.TOTPDevice",),
        sides=("own",),
    ),
    Exemplar(
        "totp.confirm",
        _unconfirmed_devices,
        lambda w, actor, _: totp_services.totp_device_confirm(actor=actor, token=_totp_code()),
        page=lambda w, _: ("/accounts/otp/setup/", {"token": _totp_code()}),
        tables=("otp_totp.TOTPDevice",),
        sides=("own",),
    ),
    Exemplar(
        "import.submit",
        lambda w, side: None,
        lambda w, actor, _: job_services.import_job_submit(
            actor=actor, kind="teachers", upload=_upload(w), mode="all"
        ),
        page=lambda w, _: ("/imports/teachers/", {"mode": "all", "file": _upload(w)}),
        tables=("jobs.ImportJob",),
        sides=("own",),
    ),
]
# accounts down the hierarchy (issue 15): the target is an account of the side's school


def _clerk(world, side, *, active=True):
    def make():
        from tests import factories as f

        u = f.user("school", school=_school(world, side), username=f"clerk_{side}_{active}")
        if not active:
            type(u).objects.filter(pk=u.pk).update(is_active=False)
            u.refresh_from_db()
        return u

    return _once(world, f"clerk_{side}_{active}", make)


def _new_account(school) -> dict:
    return {
        "username": "xinzhanghao",
        "display_name": "新学籍员",
        "role": "school",
        "school": school,
        "duties": ["records"],
    }


EXEMPLARS += [
    Exemplar(
        "account.create",
        _school,
        lambda w, actor, s: account_services.account_create(actor=actor, **_new_account(s)),
        page=lambda w, s: (
            "/accounts/manage/new/",
            {**_new_account(s.pk), "duties": "records"},
        ),
        tables=("core.User",),
        school_fixed_on_page=True,
    ),
    Exemplar(
        "account.set_duties",
        _clerk,
        lambda w, actor, u: account_services.account_set_duties(
            actor=actor, account=u, duties=["records"]
        ),
        page=lambda w, u: (f"/accounts/manage/{u.pk}/duties/", {"duties": "records"}),
        tables=("core.User",),
    ),
    Exemplar(
        "account.disable",
        _clerk,
        lambda w, actor, u: account_services.account_disable(actor=actor, account=u, reason="调岗"),
        page=lambda w, u: (f"/accounts/manage/{u.pk}/disable/", {"reason": "调岗"}),
        tables=("core.User",),
    ),
    Exemplar(
        "account.enable",
        lambda w, side: _clerk(w, side, active=False),
        lambda w, actor, u: account_services.account_enable(actor=actor, account=u),
        page=lambda w, u: (f"/accounts/manage/{u.pk}/enable/", {}),
        tables=("core.User",),
    ),
    Exemplar(
        "account.reset_password",
        _clerk,
        lambda w, actor, u: account_services.account_reset_password(actor=actor, account=u),
        page=lambda w, u: (f"/accounts/manage/{u.pk}/reset/", {}),
        tables=("accounts.PasswordLink",),
    ),
    Exemplar(
        "account.set_sso_id",
        _clerk,
        lambda w, actor, u: account_services.account_set_sso_id(
            actor=actor, account=u, sso_id="GZ-00042"
        ),
        page=lambda w, u: (f"/accounts/manage/{u.pk}/sso-id/", {"sso_id": "GZ-00042"}),
        tables=("accounts.SsoIdentity",),
    ),
    Exemplar(
        "totp.require_for_role",
        lambda w, side: None,
        lambda w, actor, _: totp_services.totp_require_for_role(
            actor=actor, role="school", required=True
        ),
        page=lambda w, _: ("/accounts/manage/totp/", {"role": "school", "required": "1"}),
        tables=("security.RoleSecurity",),
        sides=("own",),
    ),
]
# --- online enrolment (issue 16): the staff pages' and the import's doors --------------


def _enrolment(w):
    """This year's open season; school_a and school_b qualified on a published list, each
    with an approved plan line of 5 places for its 中级工班 major (set-up only)."""

    def make():
        from types import SimpleNamespace

        from jigong.admissions.models import Season
        from jigong.workflows.models import (
            EnrolmentPlan,
            EnrolmentPlanLine,
            QualificationEntry,
            QualificationList,
        )

        today = timezone.localdate()
        season = Season.objects.create(
            year=today.year,
            opens_on=today - datetime.timedelta(days=10),
            closes_on=today + datetime.timedelta(days=30),
        )
        ql = QualificationList.objects.create(year=today.year, state="published")
        lines = {}
        for school in (w.school_a, w.school_b):
            sm = school.majors.filter(level="intermediate").first()
            plan = EnrolmentPlan.objects.create(school=school, year=today.year, state="approved")
            EnrolmentPlanLine.objects.create(plan=plan, school_major=sm, quota=5)
            QualificationEntry.objects.create(
                qualification_list=ql,
                school=school,
                school_code=school.code,
                school_name=school.name,
                tier=school.tier,
                district_name=school.district.name,
                school_status=school.status,
                brochure_approved=True,
                qualified=True,
            )
            lines[school.pk] = sm
        return SimpleNamespace(season=season, lines=lines)

    return _once(w, "enrolment", make)


def _enrolling_school(w, side):
    _enrolment(w)
    return _school(w, side)


def _applicant_id(w):
    return _once(w, "applicant_id", lambda: f.id_number(birth=D(2009, 3, 1)))


def _enter(w, actor, s):
    e = _enrolment(w)
    return admission_services.application_enter(
        actor=actor,
        school=s,
        season=e.season,
        id_number=_applicant_id(w),
        name="现场报",
        phone="13800000000",
        category="junior_graduate",
        schooling="junior",
        choices=[{"school_major": e.lines[s.pk], "track": "full_time"}],
    )


EXEMPLARS += [
    Exemplar(
        "admission.enter",
        _enrolling_school,
        _enter,
        page=lambda w, s: (
            "/admissions/enter/",
            {
                "id_number": _applicant_id(w),
                "name": "现场报",
                "phone": "13800000000",
                "category": "junior_graduate",
                "schooling": "junior",
                "choice1_school_major": _enrolment(w).lines[s.pk].pk,
                "choice1_track": "full_time",
            },
        ),
        row=lambda w, s: (
            "admission_applications",
            {
                "招生年度": _enrolment(w).season.year,
                "学校代码": s.code,
                "身份证号": _applicant_id(w),
                "姓名": "现场报",
                "联系电话": "13800000000",
                "报名类别": "应届初中毕业生",
                "前置学历": "初中",
                "志愿1专业代码": _enrolment(w).lines[s.pk].major.code,
                "志愿1班级层次": "中级工班",
                "志愿1学习形式": "全日制",
            },
        ),
        tables=("admissions.Application", "admissions.Choice"),
        school_fixed_on_page=True,
    ),
    Exemplar(
        "admission.season_set",
        lambda w, side: None,
        lambda w, actor, _: admission_services.season_set(
            actor=actor, year=2099, opens_on=D(2099, 3, 1), closes_on=D(2099, 6, 30), max_choices=2
        ),
        page=lambda w, _: (
            "/admissions/season/",
            {"year": 2099, "opens_on": "2099-03-01", "closes_on": "2099-06-30", "max_choices": 2},
        ),
        tables=("admissions.Season",),
        sides=("own",),
    ),
]


def _submitted_choice(w, side):
    """An online application's choice of the side's school, submitted (set-up only)."""
    e = _enrolment(w)
    school = _school(w, side)

    def make():
        app = admission_services.application_submit(
            actor=None,
            season=e.season,
            id_number=f.id_number(birth=D(2009, 3, 1)),
            name="待录取",
            phone="13800000001",
            category="junior_graduate",
            schooling="junior",
            choices=[{"school_major": e.lines[school.pk], "track": "full_time"}],
        )
        return app.choices.get()

    return _once(w, f"submitted_choice_{side}", make)


def _confirmed_school(w, side):
    """The side's school with one confirmed admission (admitted by its own account)."""
    choice = _submitted_choice(w, side)
    school = _school(w, side)

    def make():
        admission_services.choice_admit(actor=None, choice=choice)
        admission_services.admission_confirm(
            actor=None, application=choice.application, choice=choice
        )
        return school

    return _once(w, f"confirmed_school_{side}", make)


def _admitted_choice(w, side):
    """The side's school's admission, not yet confirmed (set-up only)."""
    choice = _submitted_choice(w, side)

    def make():
        admission_services.choice_admit(actor=None, choice=choice)
        return choice

    return _once(w, f"admitted_choice_{side}", make)


def _decision_row(decision, reason=""):
    return lambda w, c: (
        "admission_decisions",
        {
            "报名号": c.application.reference,
            "志愿序号": c.rank,
            "录取决定": decision,
            "原因": reason,
        },
    )


def _decide_page(action, reason=""):
    return lambda w, c: (
        f"/admissions/choices/{c.pk}/decide/",
        {"action": action, "reason": reason},
    )


EXEMPLARS += [
    Exemplar(
        "admission.admit",
        _submitted_choice,
        lambda w, actor, c: admission_services.choice_admit(actor=actor, choice=c),
        page=_decide_page("admit"),
        row=_decision_row("已录取", ""),
        tables=("admissions.Choice",),
    ),
    Exemplar(
        "admission.waitlist",
        _submitted_choice,
        lambda w, actor, c: admission_services.choice_waitlist(actor=actor, choice=c, reason=""),
        page=_decide_page("waitlist"),
        row=_decision_row("候补", ""),
        tables=("admissions.Choice",),
    ),
    Exemplar(
        "admission.refuse",
        _submitted_choice,
        lambda w, actor, c: admission_services.choice_refuse(
            actor=actor, choice=c, reason="专业名额已满"
        ),
        page=_decide_page("refuse", "专业名额已满"),
        row=_decision_row("未录取", "专业名额已满"),
        tables=("admissions.Choice",),
    ),
    Exemplar(
        "admission.enrol_cohort",
        _confirmed_school,
        lambda w, actor, s: admission_services.cohort_enrol(
            actor=actor, school=s, enrolled_on=timezone.localdate()
        ),
        page=lambda w, s: ("/admissions/register/", {"enrolled_on": timezone.localdate()}),
        tables=("students.Registration",),
        school_fixed_on_page=True,
    ),
    Exemplar(
        "admission.revoke",
        _admitted_choice,
        lambda w, actor, c: admission_undo.choice_revoke(
            actor=actor, choice=c, reason="体检不符合专业要求"
        ),
        page=_decide_page("revoke", "体检不符合专业要求"),
        tables=("admissions.Choice",),
    ),
]


BY_ID = {e.id: e for e in EXEMPLARS}
assert len(BY_ID) == len(EXEMPLARS), "two exemplars of one act need different cases"
# A door an exemplar reaches that the act's registry entry does not name (the registry
# is then wrong: docs/architecture.md's table and the matrix read it). May only shrink.
UNDECLARED: frozenset = frozenset()

# Acts that have no exemplar here yet (may only shrink).
PENDING = frozenset(
    {
        # no page and no import door: the back office (admin) or the command line only
        "alliance.add_member",
        "alliance.register",
        "audit_log.purge",
        "pairing.create",
        "quality_major.add",
        "query_log.purge",
        "reference.load",
        "school_designation.add",
        # the command line only (files, not rows): tests/abuse/test_keys.py tries them
        "signing_key.create",
        "signing_key.revoke",
        "signing_key.rotate",
        # anonymous doors: no role and no target in a scope, the proof of identity (or the
        # school's link) is the authority; tests/graduates/test_self_service.py tries them
        "graduate_account.accept_invitation",
        "graduate_account.recover",
        "graduate_account.register",
        # single sign-on's door only: the identity provider's signed 身份证号 claim is the
        # authority (no role, no scope); tests/sso/test_oidc_login.py tries it
        "graduate_account.open_by_sso",
        # the link is the authority (no role, no scope): tests/accounts tries it
        "account.password_by_link",
        # online enrolment's anonymous doors (issue 16): no role and no target in a scope;
        # the public form (under the challenge and limits of /verify/) and the proof of
        # reference + ID number are the authority; tests/admissions/test_public_apply.py
        # and test_public_status.py try them through /enrol/apply/ and /enrol/status/
        "admission.apply",
        "admission.confirm",
        # the applicant's withdrawal on /enrol/status/ under the same proof as confirm:
        # tests/admissions/test_undo.py tries it there
        "admission.withdraw",
        # one's own sessions only (the target is the actor's own): tests/accounts/test_pages
        "session.end",
        "session.end_others",
        # pages
        # submitted on the page as a job (report_job_submit), built by the worker: a PDF
        "annual_report.generate",
        "file.submit",
        # the page is reached only by a session that passed two-step verification (the
        # middleware sends any other to /accounts/otp/verify/), and the code it posts is
        # then spent
        "totp.remove",
    }
)


def _fingerprint(tables) -> tuple:
    counts = tuple(apps.get_model(t).objects.count() for t in tables)
    return counts, AuditLog.objects.count()


def _trial(fn) -> Verdict:
    """Run one attempt and roll it back, whatever it did."""
    try:
        with transaction.atomic():
            verdict = fn()
            raise _Rollback(verdict)
    except _Rollback as r:
        return r.args[0]


def _by_service(ex, world, actor, target) -> Verdict:
    def attempt():
        before = _fingerprint(ex.tables)
        try:
            ex.service(world, actor, target)
        except PermissionDenied as exc:
            assert _fingerprint(ex.tables) == before
            return Verdict(False, (str(exc),), scope=True)
        except ValidationError as exc:
            return Verdict(False, tuple(exc.messages))
        assert _fingerprint(ex.tables) != before, f"{ex.id}: the service wrote nothing"
        return Verdict(True)

    return _trial(attempt)


def _by_page(page, ex, world, client, actor, target) -> Verdict:
    url, data = page(world, target)

    # the service's trial was rolled back, not the instance (enabling TOTP moved its
    # session epoch): log in as stored. A log-in writes its own audit row: before the count
    actor.refresh_from_db()
    client.force_login(actor)

    def attempt():
        before = _fingerprint(ex.tables)
        r = client.post(url, data, follow=True)
        text = r.content.decode()
        changed = _fingerprint(ex.tables) != before
        if r.status_code in (403, 404):
            assert not changed
            return Verdict(False, (text,), scope=True)
        assert r.status_code == 200, (url, r.status_code)
        if not changed:
            return Verdict(False, (text,))
        return Verdict(True)

    return _trial(attempt)


def _by_import(ex, world, actor, target) -> Verdict:
    kind, row = ex.row(world, target)
    header = list(row)
    data = xlsx([[row[h] for h in header]], header=header)

    def attempt():
        before = _fingerprint(ex.tables)
        r = run_import(kind, data, filename="x.xlsx", user=actor, mode="all")
        if r.ok:
            assert r.created + r.updated == 1, f"{ex.id}: the row changed nothing ({r.summary()})"
            return Verdict(True)
        assert _fingerprint(ex.tables) == before
        text = tuple(str(e) for e in r.errors) + tuple(r.file_errors)
        scoped = any("范围" in t or "无权" in t for t in text) or not r.errors
        return Verdict(False, text, scope=scoped)

    return _trial(attempt)


def _doors(ex) -> list[str]:
    pages = ex.page is not None or bool(ex.page_by_role)
    return [door for door, given in (("page", pages), ("import", ex.row is not None)) if given]


def test_every_act_with_a_door_has_an_exemplar_or_is_pending():
    offered = {a.code for a in acts.acts() if not a.code.startswith("workflow.")}
    covered = {e.act for e in EXEMPLARS}
    missing = offered - covered - PENDING
    assert not missing, f"acts without a cross-channel exemplar: {sorted(missing)}"
    assert not (covered & PENDING), f"acts with an exemplar still pending: {covered & PENDING}"
    assert covered <= offered, f"exemplars of unregistered acts: {covered - offered}"
    assert not (PENDING - offered), f"pending acts that are not registered: {PENDING - offered}"


def test_every_door_an_exemplar_reaches_is_declared_by_its_act():
    undeclared = {
        (e.act, door)
        for e in EXEMPLARS
        for door in _doors(e)
        if door not in acts.get(e.act).channels
    }
    assert undeclared == UNDECLARED, (
        f"doors the registry does not name: {sorted(undeclared - UNDECLARED)}; "
        f"declared now (leave UNDECLARED): {sorted(UNDECLARED - undeclared)}"
    )


def test_every_exemplar_has_a_door_and_the_three_staff_roles():
    for e in EXEMPLARS:
        assert _doors(e), f"{e.id}: no page and no row"
        assert set(ALWAYS) <= set(e.roles), f"{e.id}: roles {e.roles}"


CASES = [
    pytest.param(ex.id, role, side, id=f"{ex.id}-{role}-{side}")
    for ex in EXEMPLARS
    for role in ex.roles
    for side in ex.sides
]


@pytest.mark.parametrize(("exemplar", "role", "side"), CASES)
def test_same_verdict_and_message_on_every_door(world, client, exemplar, role, side):
    ex = BY_ID[exemplar]
    spec = acts.get(ex.act)
    actor = getattr(world, role)
    target = ex.target(world, side)
    expected = _by_service(ex, world, actor, target)
    if actor.role not in spec.roles:
        assert not expected.ok and expected.scope, (ex.id, role, expected)
    doors = {}
    page = ex.page_by_role.get(role, ex.page)
    if ex.school_fixed_on_page and actor.role == "school" and side == "other":
        page = None  # the form offers no school: the page cannot name another school's
    if page is not None:
        doors["page"] = _by_page(page, ex, world, client, actor, target)
    if ex.row is not None:
        doors["import"] = _by_import(ex, world, actor, target)
    for door, got in doors.items():
        assert got.ok == expected.ok, (
            f"{ex.id} by {role} on {side}: service {expected}, {door} {got}"
        )
        if not expected.ok and not expected.scope:
            # a rule's refusal reads the same on every door
            for message in expected.messages:
                assert any(message in text for text in got.messages), (door, message, got)
