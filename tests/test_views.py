"""The staff portal: log-in, home page per role, menu, register pages, edit pages."""

import datetime
from pathlib import Path

import pytest
from django.urls import reverse

from jigong.core.models import AuditLog
from jigong.core.navigation import menu_for
from jigong.core.pii import mask_id, mask_name
from jigong.core.viewsets import REGISTERS
from jigong.schools.models import School
from jigong.students.models import Registration, Status, StatusChange
from tests import factories as f

LIST_URLS = [
    "schools:school_list",
    "schools:schoolmajor_list",
    "students:person_list",
    "students:registration_list",
    "certificates:graduationcertificate_list",
    "certificates:skillcertificate_list",
    "training:trainingrecord_list",
    "employment:employmentoutcome_list",
    "cooperation:enterprise_list",
    "cooperation:agreement_list",
    "cooperation:alliance_list",
    "cooperation:pairing_list",
    "staff:teacher_list",
    "reference:district_list",
    "reference:industrychain_list",
    "reference:major_list",
]
STAFF = ["municipal", "district_a", "user_a"]


def unique_id(i: int) -> str:
    """A valid ID number unique within a test (one birth date per row)."""
    return f.id_number(birth=datetime.date(2006, 1, 1) + datetime.timedelta(days=i))


def login(client, user):
    client.force_login(user)
    return client


# --- masking ----------------------------------------------------------------------


def test_masks():
    assert mask_name("张小明") == "张*明"
    assert mask_name("李明") == "李*"
    assert mask_name("欧阳小明") == "欧**明"
    assert mask_id("50010320070501123X") == "5001**********123X"


# --- log-in, home, menu -------------------------------------------------------------


@pytest.mark.django_db
def test_login_page_is_chinese(client):
    r = client.get("/accounts/login/")
    assert r.status_code == 200
    text = r.content.decode()
    assert "工作人员登录" in text and "用户名" in text and "密码" in text
    assert "重庆市技工教育信息平台" in text


@pytest.mark.django_db
def test_login_and_logout(client, world):
    r = client.post("/accounts/login/", {"username": "city", "password": "Jigong-Test-2025"})
    assert r.status_code == 302 and r.url == reverse("home")
    assert "全市技工教育概况" in client.get("/").content.decode()
    assert client.get("/accounts/logout/").status_code == 405  # log-out is POST only
    r = client.post("/accounts/logout/")
    assert r.status_code == 302
    assert "landing" in client.get("/").content.decode()


@pytest.mark.django_db
def test_bad_password_message_is_chinese(client, world):
    r = client.post("/accounts/login/", {"username": "city", "password": "wrong"})
    assert r.status_code == 200
    assert "请输入一个正确的" in r.content.decode()


@pytest.mark.django_db
def test_lockout_after_five_failures(client, world):
    for _ in range(4):
        r = client.post("/accounts/login/", {"username": "city", "password": "wrong"})
        assert r.status_code == 200
    r = client.post("/accounts/login/", {"username": "city", "password": "wrong"})
    assert r.status_code == 429
    assert "已被锁定 30 分钟" in r.content.decode()
    # Even the right password is refused while locked.
    r = client.post("/accounts/login/", {"username": "city", "password": "Jigong-Test-2025"})
    assert r.status_code == 429


@pytest.mark.django_db
def test_password_change(client, world):
    login(client, world.user_a)
    assert "修改密码" in client.get("/accounts/password/change/").content.decode()
    r = client.post(
        "/accounts/password/change/",
        {
            "old_password": "Jigong-Test-2025",
            "new_password1": "Chongqing-Jigong-2026",
            "new_password2": "Chongqing-Jigong-2026",
        },
    )
    assert r.status_code == 302
    world.user_a.refresh_from_db()
    assert world.user_a.check_password("Chongqing-Jigong-2026")


@pytest.mark.django_db
def test_anonymous_landing(client):
    text = client.get("/").content.decode()
    for link in ('href="/verify/"', 'href="/reports/"', 'href="/qualifications/"'):
        assert link in text
    assert reverse("login") in text
    assert "https://" not in text.replace("https://github.com", "")  # no CDN


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who, marker, expected",
    [
        ("municipal", "home-municipal", ["全市技工教育概况", "渝中区", "万州区"]),
        ("district_a", "home-district", ["渝中区", "重庆甲技师学院", "重庆乙高级技工学校"]),
        ("user_a", "home-school", ["重庆甲技师学院", "在校生"]),
        ("department", "home-department", ["/api/v1/", "核验"]),
        ("graduate", "home-graduate", ["核验码", "本人"]),
    ],
)
def test_home_per_role(client, world, who, marker, expected):
    text = login(client, getattr(world, who)).get("/").content.decode()
    assert f'data-testid="{marker}"' in text
    for s in expected:
        assert s in text


@pytest.mark.django_db
def test_home_figures_are_scoped(client, world):
    text = login(client, world.district_a).get("/").content.decode()
    assert "万州丙技工学校" not in text
    text = login(client, world.user_a).get("/").content.decode()
    assert "重庆乙高级技工学校" not in text and "万州丙技工学校" not in text


@pytest.mark.django_db
def test_menu_for_roles(world):
    def labels(user):
        return {i["model"] for g in menu_for(user) for i in g["items"]}

    assert "core.AuditLog" in labels(world.municipal)
    assert "core.AuditLog" not in labels(world.district_a)
    assert "core.AuditLog" not in labels(world.user_a)
    assert "students.Registration" in labels(world.user_a)
    assert labels(world.department) == set()
    assert labels(world.graduate) == set()


@pytest.mark.django_db
def test_top_bar_shows_role_and_scope(client, world):
    text = login(client, world.user_a).get("/").content.decode()
    assert "学校管理员" in text and "重庆甲技师学院" in text
    text = login(client, world.district_a).get("/").content.decode()
    assert "区县人社局" in text and "渝中区" in text


# --- register pages -----------------------------------------------------------------


def test_every_register_is_declared():
    import jigong.urls  # noqa: F401  (loads the registers)

    declared = {r.url_name("list") for r in REGISTERS.values()}
    assert set(LIST_URLS) <= declared
    assert "auditlog_list" in declared


@pytest.mark.django_db
@pytest.mark.parametrize("who", STAFF)
@pytest.mark.parametrize("url_name", LIST_URLS)
def test_list_pages_answer_for_staff(client, world, who, url_name):
    r = login(client, getattr(world, who)).get(reverse(url_name))
    assert r.status_code == 200
    assert "重庆市技工教育信息平台" in r.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", LIST_URLS)
def test_list_pages_need_login(client, url_name):
    r = client.get(reverse(url_name))
    assert r.status_code == 302 and r.url.startswith(reverse("login"))


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["department", "graduate"])
@pytest.mark.parametrize("url_name", [*LIST_URLS, "auditlog_list"])
def test_list_pages_refused_to_non_staff(client, world, who, url_name):
    r = login(client, getattr(world, who)).get(reverse(url_name))
    assert r.status_code == 403
    assert "无权" in r.content.decode()


@pytest.mark.django_db
def test_registration_list_masks_and_detail_shows_full(client, world):
    login(client, world.user_a)
    person = world.reg_a.person
    text = client.get(reverse("students:registration_list")).content.decode()
    assert "李明" in text  # the school's own students: names whole (issue 19)
    assert mask_id(person.id_number) in text and person.id_number not in text
    text = client.get(reverse("students:registration_detail", args=[world.reg_a.pk])).content
    text = text.decode()
    assert "李明" in text and person.id_number in text


@pytest.mark.django_db
def test_person_detail_lists_only_in_scope_registrations(client, world):
    # The same person also studies part-time at school B: school A must not see that row.
    other = f.registration(
        world.school_b,
        name="李明",
        id_number=world.reg_a.person.id_number,
        track="part_time",
        source="enterprise_employee",
        duration_months=12,
        entry_point="senior",
    )
    assert other.person_id == world.reg_a.person_id
    login(client, world.user_a)
    text = client.get(reverse("students:person_detail", args=[world.reg_a.person_id])).content
    assert "万州丙技工学校" not in text.decode()
    login(client, world.user_b)
    text = client.get(reverse("students:person_detail", args=[world.reg_a.person_id])).content
    assert "重庆甲技师学院" not in text.decode()


@pytest.mark.django_db
def test_search_and_filters(client, world):
    login(client, world.municipal)
    url = reverse("students:registration_list")
    text = client.get(url, {"q": "赵强"}).content.decode()
    assert "赵*" in text and "李*" not in text
    text = client.get(url, {"school": world.school_a.pk}).content.decode()
    assert "李*" in text and "赵*" not in text and "王*" not in text
    text = client.get(url, {"enrolled_on_after": "2030-01-01"}).content.decode()
    assert "没有符合条件的记录" in text
    text = client.get(reverse("schools:school_list"), {"tier": "school"}).content.decode()
    assert "万州丙技工学校" in text and "重庆甲技师学院" not in text


@pytest.mark.django_db
def test_filter_choices_are_scoped(client, world):
    """A school user's filter drop-down lists only its own school, and a forged
    filter value for another school is refused (the list stays in scope)."""
    login(client, world.user_a)
    url = reverse("students:registration_list")
    text = client.get(url).content.decode()
    assert "万州丙技工学校" not in text and "重庆乙高级技工学校" not in text
    text = client.get(url, {"school": world.school_b.pk}).content.decode()
    assert "赵" not in text and "李明" in text


@pytest.mark.django_db
def test_pagination(client, world):
    for i in range(30):
        f.registration(world.school_a, name=f"张{i:02d}明", id_number=unique_id(i))
    login(client, world.user_a)
    url = reverse("students:registration_list")
    text = client.get(url).content.decode()
    assert "共 31 条" in text and "第 1 / 2 页" in text
    text = client.get(url, {"page": 2}).content.decode()
    assert "第 2 / 2 页" in text


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", [*LIST_URLS, "auditlog_list"])
def test_list_pages_bounded_queries(client, world, url_name, django_assert_max_num_queries):
    for i in range(12):
        f.registration(world.school_a, name=f"张{i:02d}明", id_number=unique_id(i))
    login(client, world.municipal)
    with django_assert_max_num_queries(14):
        assert client.get(reverse(url_name)).status_code == 200


# --- audit log ---------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["district_a", "user_a"])
def test_audit_log_refused_for_non_municipal(client, world, who):
    login(client, getattr(world, who))
    assert client.get(reverse("auditlog_list")).status_code == 403
    row = AuditLog.objects.first()
    assert client.get(reverse("auditlog_detail", args=[row.pk])).status_code == 404


@pytest.mark.django_db
def test_audit_log_search(client, world):
    f.registration(world.school_b, actor=world.user_b, name="孙悟", id_number=f.id_number())
    login(client, world.municipal)
    url = reverse("auditlog_list")
    assert client.get(url).status_code == 200
    text = client.get(url, {"actor": world.user_b.pk}).content.decode()
    assert "孙悟" in text and "李明" not in text
    text = client.get(url, {"object_type": "schools.school"}).content.decode()
    assert "重庆甲技师学院" in text and "孙悟" not in text
    text = client.get(url, {"school": world.school_a.pk}).content.decode()
    assert "李明" in text and "赵强" not in text
    today = datetime.date.today()
    text = client.get(url, {"at_after": (today + datetime.timedelta(days=1)).isoformat()})
    assert "没有符合条件的记录" in text.content.decode()
    row = AuditLog.objects.filter(actor=world.user_b).first()
    text = client.get(reverse("auditlog_detail", args=[row.pk])).content.decode()
    assert "孙悟" in text


# --- edit pages --------------------------------------------------------------------


@pytest.mark.django_db
def test_school_edit(client, world):
    login(client, world.user_a)
    url = reverse("schools:school_edit", args=[world.school_a.pk])
    assert client.get(url).status_code == 200
    before = AuditLog.objects.count()
    r = client.post(
        url,
        {
            "name": "重庆甲技师学院",
            "sponsor": "重庆市人力资源和社会保障局",
            "address": "渝中区解放碑1号",
            "founded_on": "1980-09-01",
            "campus_network_coverage": "0.95",
        },
    )
    assert r.status_code == 302
    world.school_a.refresh_from_db()
    assert world.school_a.address == "渝中区解放碑1号"
    log = AuditLog.objects.latest("id")
    assert AuditLog.objects.count() == before + 1
    assert log.actor == world.user_a and log.after["address"] == "渝中区解放碑1号"


@pytest.mark.django_db
def test_school_edit_service_error_shown_next_to_field(client, world):
    login(client, world.user_a)
    url = reverse("schools:school_edit", args=[world.school_a.pk])
    before = AuditLog.objects.count()
    r = client.post(
        url,
        {
            "name": "万州丙技工学校",  # taken by another school
            "sponsor": "x",
            "campus_network_coverage": "1",
        },
    )
    assert r.status_code == 200
    text = r.content.decode()
    assert 'data-field="name"' in text and "已存在" in text
    world.school_a.refresh_from_db()
    assert world.school_a.name == "重庆甲技师学院"
    assert AuditLog.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["user_a", "district_b"])
def test_school_edit_out_of_scope_is_404(client, world, who):
    login(client, getattr(world, who))
    url = reverse("schools:school_edit", args=[world.school_a2.pk])
    assert client.get(url).status_code == 404
    before = AuditLog.objects.count()
    r = client.post(url, {"name": "改名", "sponsor": "x", "campus_network_coverage": "1"})
    assert r.status_code == 404
    assert School.objects.get(pk=world.school_a2.pk).name == "重庆乙高级技工学校"
    assert AuditLog.objects.count() == before


@pytest.mark.django_db
def test_status_change(client, world):
    login(client, world.user_a)
    url = reverse("students:registration_status", args=[world.reg_a.pk])
    detail = client.get(reverse("students:registration_detail", args=[world.reg_a.pk]))
    assert url in detail.content.decode()  # the detail page offers 学籍异动
    assert client.get(url).status_code == 200
    change = {"status": "suspended", "changed_on": "2025-03-01", "reason": "病休"}
    r = client.post(url, change)  # the confirmation step shows the change, writes nothing
    assert r.status_code == 200 and 'data-testid="confirm-form"' in r.content.decode()
    assert Registration.objects.get(pk=world.reg_a.pk).status == Status.ENROLLED
    r = client.post(url, {**change, "confirm": "1"})
    assert r.status_code == 302
    world.reg_a.refresh_from_db()
    assert world.reg_a.status == Status.SUSPENDED
    change = StatusChange.objects.get(registration=world.reg_a)
    assert change.reason == "病休"
    assert AuditLog.objects.filter(actor=world.user_a, object_type="students.statuschange").exists()


@pytest.mark.django_db
def test_bad_status_change_shows_chinese_error(client, world):
    login(client, world.user_a)
    url = reverse("students:registration_status", args=[world.reg_a.pk])
    before = (AuditLog.objects.count(), StatusChange.objects.count())
    r = client.post(url, {"status": "resumed", "changed_on": "2025-03-01"})
    assert r.status_code == 200
    text = r.content.decode()
    assert 'data-field="status"' in text
    assert "学籍状态“在校”不能变更为“复学”" in text
    r = client.post(url, {"status": "suspended", "changed_on": "2020-01-01"})
    text = r.content.decode()
    assert 'data-field="changed_on"' in text and "早于" in text
    assert (AuditLog.objects.count(), StatusChange.objects.count()) == before
    assert Registration.objects.get(pk=world.reg_a.pk).status == Status.ENROLLED


@pytest.mark.django_db
def test_unknown_counterpart_school_code(client, world):
    login(client, world.user_a)
    url = reverse("students:registration_status", args=[world.reg_a.pk])
    r = client.post(
        url, {"status": "transferred_out", "changed_on": "2025-03-01", "counterpart_school": "X9"}
    )
    assert "学校“X9”：未在学校名录中找到，请输入学校名称或代码后从列表中选择" in r.content.decode()
    assert not StatusChange.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["user_a", "district_a"])
def test_status_change_out_of_scope_is_404(client, world, who):
    login(client, getattr(world, who))
    url = reverse("students:registration_status", args=[world.reg_b.pk])
    assert client.get(url).status_code == 404
    before = AuditLog.objects.count()
    r = client.post(url, {"status": "withdrawn", "changed_on": "2025-03-01"})
    assert r.status_code == 404
    assert Registration.objects.get(pk=world.reg_b.pk).status == Status.ENROLLED
    assert not StatusChange.objects.exists()
    assert AuditLog.objects.count() == before


# --- static assets ----------------------------------------------------------------


def test_templates_reference_no_remote_assets():
    import jigong

    root = Path(jigong.__file__).parent / "templates"
    for path in root.rglob("*.html"):
        text = path.read_text()
        assert "http://" not in text and "https://" not in text and "//cdn" not in text, path


def test_vendored_tabler_recorded():
    import jigong

    vendor = Path(jigong.__file__).parent / "static" / "vendor"
    assert (vendor / "tabler" / "tabler.min.css").stat().st_size > 100_000
    assert (vendor / "tabler" / "tabler.min.js").stat().st_size > 10_000
    versions = (vendor / "VERSIONS.md").read_text()
    assert "@tabler/core" in versions and "sha512-" in versions


# --- back office ------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_registers_every_model_and_audit_log_is_read_only(client, world):
    from django.apps import apps
    from django.contrib import admin

    ours = [m for m in apps.get_models() if m.__module__.startswith("jigong.")]
    missing = [m._meta.label for m in ours if m not in admin.site._registry]
    assert not missing
    root = f.user("municipal", username="root")
    root.is_superuser = root.is_staff = True
    root.save()
    login(client, root)
    for model in ours:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, model
    row = AuditLog.objects.first()
    change = reverse("admin:core_auditlog_change", args=[row.pk])
    assert client.post(change, {"message": "x"}).status_code == 403
    assert client.get(reverse("admin:core_auditlog_add")).status_code == 403


@pytest.mark.django_db
def test_admin_save_is_audited(client, world):
    root = f.user("municipal", username="root")
    root.is_superuser = root.is_staff = True
    root.save()
    login(client, root)
    school = world.school_a
    url = reverse("admin:schools_school_change", args=[school.pk])
    data = {
        "code": school.code,
        "name": school.name,
        "tier": school.tier,
        "district": school.district_id,
        "ownership": school.ownership,
        "sponsor": school.sponsor,
        "credit_code": school.credit_code,
        "status": school.status,
        "founded_on": "",
        "address": "后台修改的地址",
        "campus_network_coverage": "1",
    }
    r = client.post(url, data)
    assert r.status_code == 302, r.content.decode()[:2000]
    school.refresh_from_db()
    assert school.address == "后台修改的地址"
    log = AuditLog.objects.latest("id")
    assert log.actor == root and log.after == {"address": "后台修改的地址"}


@pytest.mark.django_db
def test_home_figures_use_latest_year_with_data_in_scope(world):
    import datetime

    from jigong.indicators.overview import home_summary
    from jigong.training.services import training_record_create
    from tests import factories as f

    for school, year, n in ((world.school_a, 2024, 2), (world.school_b, 2025, 3)):
        for i in range(n):
            training_record_create(
                actor=None,
                school=school,
                trainee_name=f"学员{i}",
                trainee_id_number=f.id_number(birth=datetime.date(1990, 1, 1)),
                occupation_code="6-18-01-01",
                occupation_name="车工",
                kind="upgrading",
                hours=40,
                started_on=datetime.date(year, 3, 1),
                ended_on=datetime.date(year, 3, 20),
                revenue=500,
            )
    city = home_summary(user=world.municipal)
    assert (city["year"], city["training"]) == (2025, 3)
    own = home_summary(user=world.user_a)
    assert (own["year"], own["training"]) == (2024, 2)


@pytest.mark.django_db
def test_school_table_counts_each_register_separately(world):
    import datetime

    from jigong.indicators.overview import school_table
    from jigong.training.services import training_record_create
    from tests import factories as f

    f.registration(world.school_a, name="周二", id_number=f.id_number(sex="F"))
    for i in range(3):
        training_record_create(
            actor=None,
            school=world.school_a,
            trainee_name=f"学员{i}",
            trainee_id_number=f.id_number(birth=datetime.date(1990, 1, 1)),
            occupation_code="6-18-01-01",
            occupation_name="车工",
            kind="upgrading",
            hours=40,
            started_on=datetime.date(2025, 3, 1),
            ended_on=datetime.date(2025, 3, 20),
            revenue=500,
        )
    rows = {s.name: (s.in_school, s.training) for s in school_table(user=world.district_a)}
    assert rows == {world.school_a.name: (2, 3), world.school_a2.name: (1, 0)}
