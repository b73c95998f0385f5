"""The staff portal's navigation; each register appears for the roles that may view it.

The menu is declared here once: (group, [(URL name, model label, label or None[,
roles])]). `menu_for(user)` keeps the entries a role can use: the model's rows are
viewable (`role_may(user, model, "view")`) and either hold the role's own rows (the
model's Scope has a path to the school, or the district) or the role has an act on the
model (jigong.core.acts); the city sees every register. A shared city register (区县,
产业链, 专业目录, 联盟) is thus not in a school's menu, though its pages still answer.
``roles`` narrows a tool page to the roles that do its work (or, an act's code, to who
may perform that act, duty included); an entry of a section whose duty the account
lacks (``jigong.core.sections``) is not shown; an entry without a model
(a tool page such as imports) is shown to the staff roles.
"""

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from jigong.core import acts, sections
from jigong.core.models import Role
from jigong.core.permissions import STAFF_ROLES, role_may

MENU = [
    (
        _("指标与目标"),
        [
            ("indicators:dashboard", None, _("目标看板")),
            ("quality:ranking", "quality.QualityScore", _("质量评价")),
            ("quality:finding_list", "quality.Finding", _("督导问题")),
            ("quality:report_list", "quality.AnnualReport", _("年度质量报告")),
        ],
    ),
    (
        _("院校"),
        [
            ("schools:school_list", "schools.School", None),
            ("schools:schoolmajor_list", "schools.SchoolMajor", None),
            ("staff:teacher_list", "staff.Teacher", None),
        ],
    ),
    (
        _("学生与学籍"),
        [
            ("students:person_list", "students.Person", _("学生")),
            ("students:registration_list", "students.Registration", _("学籍")),
        ],
    ),
    (
        _("招生与备案"),
        [
            ("workflows:enrolment_plan_list", "workflows.EnrolmentPlan", None),
            ("workflows:brochure_list", "workflows.BrochureFiling", None),
            ("workflows:internship_list", "workflows.InternshipFiling", None),
            ("workflows:qualification_list", "workflows.QualificationList", None),
            # online enrolment (issue 16): a school's clerk of 招生 decides; the bureaus read
            ("admissions:index", "admissions.Choice", _("招生报名"), "admission.admit"),
            (
                "admissions:overview",
                "admissions.Choice",
                _("招生录取情况"),
                {Role.DISTRICT, Role.MUNICIPAL},
            ),
        ],
    ),
    (
        _("办学管理"),
        [
            ("workflows:founding_list", "workflows.FoundingApplication", None),
            ("workflows:tier_upgrade_list", "workflows.TierUpgradeApplication", None),
            (
                "workflows:compliance",
                "schools.School",
                _("达标检查与招生暂停"),
                {Role.DISTRICT, Role.MUNICIPAL},  # the licensing authorities' page
            ),
            ("workflows:designation_round_list", "workflows.DesignationRound", None),
            (
                "workflows:base_designation_list",
                "workflows.BaseDesignation",
                _("研修基地与优秀院校"),
            ),
            ("workflows:textbook_list", "workflows.Textbook", _("教材登记")),
            ("workflows:major_adjustment_list", "workflows.MajorAdjustment", None),
            ("workflows:curriculum_list", "workflows.CurriculumRecord", None),
            ("workflows:aid_list", "workflows.AidProgramme", None),
            ("workflows:aid_application_list", "workflows.AidApplication", None),
        ],
    ),
    (
        _("师资与培训收入"),
        [
            ("workflows:hiring_list", "workflows.TeacherHiring", None),
            ("workflows:part_time_teachers", "staff.Teacher", _("企业兼职教师")),
            ("workflows:integrated_training_list", "workflows.IntegratedTraining", None),
            ("workflows:competition_list", "workflows.TeacherCompetition", None),
            ("workflows:training_revenue", "workflows.PaySupplementCalc", _("社会培训收入")),
            ("workflows:supplement_list", "workflows.PaySupplementCalc", None),
        ],
    ),
    (
        _("证书"),
        [
            ("certificates:graduationcertificate_list", "certificates.GraduationCertificate", None),
            ("certificates:skillcertificate_list", "certificates.SkillCertificate", None),
            ("public:apikey_list", "core.ApiKey", _("部门接口密钥")),
            ("certificates:querylog_list", "certificates.QueryLog", _("证书查询日志")),
        ],
    ),
    (
        _("培训与就业"),
        [
            ("training:trainingrecord_list", "training.TrainingRecord", None),
            ("employment:employmentoutcome_list", "employment.EmploymentOutcome", None),
        ],
    ),
    (
        _("校企合作"),
        [
            ("cooperation:enterprise_list", "cooperation.Enterprise", None),
            ("cooperation:agreement_list", "cooperation.CooperationAgreement", None),
            ("cooperation:alliance_list", "cooperation.Alliance", None),
            ("cooperation:pairing_list", "cooperation.Pairing", None),
        ],
    ),
    (
        _("基础数据"),
        [
            ("reference:district_list", "reference.District", None),
            ("reference:industrychain_list", "reference.IndustryChain", None),
            ("reference:major_list", "reference.Major", None),
            ("reference:platform_settings", "reference.ParameterAdjustment", _("平台设定")),
        ],
    ),
    (
        _("系统"),
        [
            ("imports:index", None, _("数据导入导出")),
            ("accounts:list", None, _("账号管理"), "account.create"),  # 管理员 (issue 15)
            ("security:sessions", None, _("登录会话")),
            ("auditlog_list", "core.AuditLog", None),
            ("help_policy_map", None, _("帮助：政策条款对照")),
        ],
    ),
]


def menu_for(user) -> list[dict]:
    """[{"label": group, "items": [{"label", "url", "model"}]}] for the registers the
    user's role may view; empty for anonymous users, department clients and graduates."""
    if user is None or not user.is_authenticated:
        return []
    groups = []
    for group, entries in MENU:
        items = []
        for url_name, label, title, *only in entries:
            model = apps.get_model(label) if label else None
            if only and isinstance(only[0], str):
                acts.autodiscover()
                if only[0] not in acts.REGISTRY or not acts.role_may(user, only[0]):
                    continue  # an act's page: who may perform it (role and duty)
            elif only and not (user.is_superuser or user.role in only[0]):
                continue
            if model is None:
                if not (user.is_superuser or user.role in STAFF_ROLES):
                    continue
            elif not (role_may(user, model, "view") and _of_use(user, model)):
                continue
            if sections.refused_section(user, url_name):
                continue  # a section of a duty the account lacks (issue 15)
            try:
                url = reverse(url_name)
            except NoReverseMatch:
                continue
            items.append(
                {
                    "label": str(title or model._meta.verbose_name_plural),
                    "url": url,
                    "model": label or url_name,
                }
            )
        if items:
            groups.append({"label": str(group), "items": items})
    return groups


_OWN_PATH = {Role.SCHOOL: "school", Role.DISTRICT: "district"}


def _of_use(user, model) -> bool:
    """The role works with the register: it holds the role's own rows, or the role has
    an act on it. The city and the back office use every register."""
    if user.is_superuser or user.role == Role.MUNICIPAL:
        return True
    own = _OWN_PATH.get(user.role)
    if own and getattr(getattr(model, "Scope", None), own, None):
        return True
    label = model._meta.label_lower
    return any(a.model == label and user.role in a.roles for a in acts.acts())
