"""The file handed back after a refused import (issue 19 point 8).

All-or-nothing writes nothing when a row is refused, so its file is the whole upload
with the bad rows marked: fixed and imported again, it writes every row. The valid-rows
mode wrote the others, so its file holds the refused rows only. Each page says which."""

import datetime
import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from jigong.jobs import services as job_services
from jigong.students.models import Registration
from tests import factories as f
from tests.imports.conftest import as_rows
from tests.imports.helpers import xlsx

ERRORS = "错误说明"


def _submit(world, rows, mode):
    header, data = as_rows(rows)
    up = SimpleUploadedFile("学籍.xlsx", xlsx(data, header=header))
    job = job_services.import_job_submit(actor=world.user_a, kind="students", upload=up, mode=mode)
    job.refresh_from_db()
    return job


def _download(client, job) -> list[dict]:
    r = client.get(f"/jobs/imports/{job.pk}/report.xlsx")
    assert r.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    header = values[0]
    return [dict(zip(header, row, strict=True)) for row in values[1:]]


def _three_rows(student_row):
    ids = [f.id_number(birth=datetime.date(2008, 3, d)) for d in (4, 5, 6)]
    rows = [
        student_row(id_number=ids[0], name="钱一"),
        student_row(id_number=ids[1], name="孙二", 专业代码="9999"),  # no such major
        student_row(id_number=ids[2], name="李三"),
    ]
    return ids, rows


def test_all_mode_hands_back_the_whole_file_and_its_fix_writes_every_row(
    client, world, student_row
):
    ids, rows = _three_rows(student_row)
    before = Registration.objects.count()
    job = _submit(world, rows, "all")
    assert (job.committed, job.refused) == (False, 1)
    assert Registration.objects.count() == before  # all or nothing: nothing written

    client.force_login(world.user_a)
    back = _download(client, job)
    assert [r["身份证号"] for r in back] == ids  # every row, in the file's order
    assert not back[0][ERRORS] and not back[2][ERRORS]  # the good rows unmarked
    assert "专业代码" in back[1][ERRORS] and "9999" in back[1][ERRORS]

    page = client.get(f"/jobs/imports/{job.pk}/").content.decode()
    assert "整份文件" in page and "未写入任何数据" in page
    assert "下载被拒绝的行" not in page

    # the school fixes the marked row in that file and imports it again as it is
    wb = openpyxl.Workbook()
    ws = wb.active
    header = list(back[0])
    ws.append(header)
    for r in back:
        if r[ERRORS]:
            r["专业代码"] = "0101"
        ws.append([r[h] for h in header])
    buf = io.BytesIO()
    wb.save(buf)
    fixed = SimpleUploadedFile("学籍（已修改）.xlsx", buf.getvalue())
    again = job_services.import_job_submit(
        actor=world.user_a, kind="students", upload=fixed, mode="all"
    )
    again.refresh_from_db()
    assert (again.committed, again.created, again.refused) == (True, 3, 0), again.summary
    assert Registration.objects.count() == before + 3
    names = set(
        Registration.objects.filter(school=world.school_a).values_list("person__name", flat=True)
    )
    assert {"钱一", "孙二", "李三"} <= names


def test_valid_only_hands_back_the_refused_rows_only_and_says_so(client, world, student_row):
    ids, rows = _three_rows(student_row)
    job = _submit(world, rows, "valid_only")
    assert (job.committed, job.created, job.refused) == (True, 2, 1)

    client.force_login(world.user_a)
    page = client.get(f"/jobs/imports/{job.pk}/").content.decode()
    assert "只含被拒绝的行" in page and "整份文件" not in page

    back = _download(client, job)
    assert [r["身份证号"] for r in back] == [ids[1]]
    assert "专业代码" in back[0][ERRORS]


def test_the_whole_file_is_sealed_at_rest(world, student_row):
    ids, rows = _three_rows(student_row)
    job = _submit(world, rows, "all")
    blob = job_services.media_path(job.report_path).read_bytes()
    assert blob[:2] != b"PK"  # not a plain .xlsx (zip) on disk
    for number in ids:  # good rows' numbers too, now that the file holds them
        assert number.encode() not in blob
