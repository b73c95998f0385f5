"""“生成年度报告” queues the build: the page lists the job's state and links the report
when it is done; a refused year is a failed job with the Chinese reason. Municipal
bureau only."""

import pytest
from django.core.exceptions import PermissionDenied

from jigong.jobs.models import ReportJob
from jigong.quality.jobs import report_job_submit
from jigong.quality.models import AnnualReport
from tests.quality.conftest import _fresh_indicator_cache, qworld  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_generate_queues_a_job_and_links_the_report(client, qworld):  # noqa: F811
    client.force_login(qworld.municipal)
    r = client.post("/quality/reports/", {"year": 2024})
    assert r.status_code == 302
    job = ReportJob.objects.get()
    report = AnnualReport.objects.get()
    assert (job.state, job.report, job.user, job.year) == ("done", report, qworld.municipal, 2024)
    page = client.get(r["Location"]).content.decode()
    assert "已提交生成任务" in page and "已完成" in page
    assert f"/quality/reports/{report.pk}/pdf/" in page and "job_status.js" in page
    assert client.get(f"/jobs/reports/{job.pk}/status.json").json()["state"] == "done"


def test_a_year_without_data_fails_with_the_reason(client, qworld):  # noqa: F811
    client.force_login(qworld.municipal)
    r = client.post("/quality/reports/", {"year": 2012}, follow=True)
    job = ReportJob.objects.get()
    assert job.state == "failed" and "没有在校生" in job.error
    page = r.content.decode()
    assert "失败" in page and "没有在校生" in page and not AnnualReport.objects.exists()
    r = client.post("/quality/reports/", {"year": 2099}, follow=True)  # refused at once
    assert "未来" in r.content.decode() and ReportJob.objects.count() == 1


def test_report_jobs_are_municipal_only(client, qworld):  # noqa: F811
    with pytest.raises(PermissionDenied):
        report_job_submit(actor=qworld.user_a, year=2024)
    job = report_job_submit(actor=qworld.municipal, year=2012)
    for other in (qworld.user_a, qworld.district_a):
        client.force_login(other)
        assert client.get(f"/jobs/reports/{job.pk}/status.json").status_code == 404
        assert "report-jobs" not in client.get("/quality/reports/").content.decode()


def test_a_requeued_build_says_so_on_the_page(client, qworld):  # noqa: F811
    """A build whose worker died and that another worker re-queued (tests/jobs/
    test_adoption.py) tells the bureau so, on the page and in the status JSON."""
    import datetime

    from django.utils import timezone

    job = report_job_submit(actor=qworld.municipal, year=2024)
    at = timezone.make_aware(datetime.datetime(2026, 11, 29, 9, 30, 5))
    ReportJob.objects.filter(pk=job.pk).update(requeued_by="b", requeued_from="a", requeued_at=at)
    client.force_login(qworld.municipal)
    page = client.get("/quality/reports/").content.decode()
    line = "任务因处理进程中断，已由 b 重新排队（原进程 a，2026-11-29 09:30:05）"
    assert 'data-testid="report-job-requeued"' in page and line in page
    assert client.get(f"/jobs/reports/{job.pk}/status.json").json()["requeued"] == line
