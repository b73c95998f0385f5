import io

import openpyxl
import pytest

from jigong.students.models import Registration

from .conftest import as_rows
from .helpers import xlsx


@pytest.fixture(autouse=True)
def _plain_static(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.DATA_DIR = tmp_path


@pytest.fixture
def client_a(client, world):
    client.force_login(world.user_a)
    return client


def test_index_lists_kinds(client_a):
    r = client_a.get("/imports/")
    assert r.status_code == 200
    assert "学生学籍" in r.content.decode() and "下载模板" in r.content.decode()


def test_upload_with_errors_shows_table_and_report(client_a, student_row, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    header, rows = as_rows([student_row(), student_row(id_number="123")])
    f = io.BytesIO(xlsx(rows, header=header))
    f.name = "学籍.xlsx"
    n = Registration.objects.count()
    r = client_a.post("/imports/students/", {"file": f, "mode": "all"})
    assert r.status_code == 302 and r["Location"].startswith("/jobs/imports/")
    r = client_a.get(r["Location"])
    page = r.content.decode()
    assert r.status_code == 200 and "未写入任何数据" in page and "身份证号" in page
    assert Registration.objects.count() == n
    job = r.context["job"]
    rep = client_a.get(f"/jobs/imports/{job.pk}/report.xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(rep.streaming_content)))
    # all-or-nothing wrote nothing: the whole file comes back, the good row kept (issue 19)
    assert wb.worksheets[0].max_row == 3
    status = client_a.get(f"/jobs/imports/{job.pk}/status.json").json()
    assert status["state"] == "done" and status["total"] == 2


def test_report_is_private(client_a, client, world, student_row, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    header, rows = as_rows([student_row(id_number="123")])
    f = io.BytesIO(xlsx(rows, header=header))
    f.name = "a.xlsx"
    r = client_a.post("/imports/students/", {"file": f, "mode": "all"}, follow=True)
    job = r.context["job"]
    client.force_login(world.user_b)
    assert client.get(f"/jobs/imports/{job.pk}/report.xlsx").status_code == 404


def test_valid_upload_and_downloads(client_a, student_row, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    header, rows = as_rows([student_row()])
    f = io.BytesIO(xlsx(rows, header=header))
    f.name = "a.xlsx"
    r = client_a.post("/imports/students/", {"file": f, "mode": "valid_only"}, follow=True)
    assert "新增1" in r.content.decode()
    t = client_a.get("/imports/students/template.xlsx")
    assert openpyxl.load_workbook(io.BytesIO(t.content)).worksheets[0].data_validations
    e = client_a.get("/imports/students/export.csv")
    assert e.status_code == 200


def test_anonymous_and_graduate_refused(client, world):
    assert client.get("/imports/students/").status_code == 302
    client.force_login(world.graduate)
    assert client.get("/imports/students/").status_code == 403
