"""Registration day as a background job (issue 16, “progress on long work, nothing
lost”): /admissions/register/ queues the cohort's enrolment for ``jigong worker`` and
goes to the job's page; the act is still all or nothing, run as the clerk who asked,
its role, duty and scope asked at submit and again when the job runs. A second submit
while one is queued or running goes to that job and enrols nobody twice."""

import re

import pytest
from django_tasks_db.models import DBTaskResult

from jigong.admissions import register_job, services
from jigong.admissions.models import ChoiceState
from jigong.core.models import AuditLog
from jigong.jobs.models import FileJob, JobState
from jigong.students.models import Registration
from tests import factories as f
from tests.admissions import staff_world as sw

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world):
    return sw.build(world, quota=5)


@pytest.fixture
def queue(settings):
    """The worker's queue (django-tasks-db): a job stays queued until it is run."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _confirmed(w, name):
    app = sw.apply(w, name=name)
    c = sw.choice_at(app, w.school_a)
    services.choice_admit(actor=w.user_a, choice=c)
    services.admission_confirm(actor=None, application=app, choice=c)
    return app, c


def _submit(client, w, user=None):
    client.force_login(user or w.user_a)
    return client.post("/admissions/register/", {"enrolled_on": w.today.isoformat()})


def _job_url(response) -> str:
    assert response.status_code == 302, response.status_code
    assert re.fullmatch(r"/jobs/files/\d+/", response["Location"]), response["Location"]
    return response["Location"]


def _run_queued():
    """Run the queued tasks as ``jigong worker`` would, oldest first."""
    from django.utils.module_loading import import_string

    for t in DBTaskResult.objects.filter(status="READY").order_by("enqueued_at"):
        task = import_string(t.task_path)
        task.call(*t.args_kwargs["args"], **t.args_kwargs["kwargs"])
        DBTaskResult.objects.filter(pk=t.pk).update(status="SUCCESSFUL")


def test_the_page_queues_the_cohort_and_its_job_page_shows_the_outcome(client, w):
    _app, c = _confirmed(w, "注册甲")
    _confirmed(w, "注册乙")
    url = _job_url(_submit(client, w))
    job = FileJob.objects.get()
    assert job.user == w.user_a and job.school == w.school_a
    html = client.get(url).content.decode()
    assert "已为2名新生注册学籍" in html and 'data-testid="file-summary"' in html
    assert (job.__class__.objects.get().done, FileJob.objects.get().total) == (2, 2)
    status = client.get(url + "status.json").json()
    assert status["state"] == JobState.DONE and "已为2名新生注册学籍" in status["text"]
    c.refresh_from_db()
    assert c.state == ChoiceState.ENROLLED and c.registration.school == w.school_a
    # the act ran as the clerk who asked: its audit row names them
    row = AuditLog.objects.get(act="admission.enrol_cohort", object_type="admissions.choice")
    assert row.actor == w.user_a
    # the way back: the roster the cohort joined
    assert "/registrations/" in html


def test_a_refused_cohort_fails_the_job_naming_the_applicant_and_writes_nothing(client, w):
    _confirmed(w, "正常生")
    app, c = _confirmed(w, "重复生")
    f.registration(w.school_b, id_number=app.id_number, name="重复生")
    before = Registration.objects.count()
    url = _job_url(_submit(client, w))
    html = client.get(url).content.decode()
    failed = html.split('data-testid="file-failed"')[1].split("</div>")[0]
    assert "未注册任何学籍" in failed
    assert "重*生" in failed and app.reference in failed and "已有在校的全日制学籍" in failed
    assert app.id_number not in html and app.id_number not in FileJob.objects.get().error
    assert FileJob.objects.get().state == JobState.FAILED
    assert Registration.objects.count() == before
    c.refresh_from_db()
    assert c.state == ChoiceState.CONFIRMED


def test_a_second_submit_while_the_job_waits_goes_to_it_and_nobody_is_enrolled_twice(
    client, w, queue
):
    _confirmed(w, "排队甲")
    _confirmed(w, "排队乙")
    first = _job_url(_submit(client, w))
    assert "排队中" in client.get(first).content.decode()
    again = _submit(client, w)
    assert _job_url(again) == first  # the job already queued, not a second one
    page = client.get(first).content.decode()
    assert "本校新生注册学籍任务已在进行" in page
    assert FileJob.objects.count() == 1 and DBTaskResult.objects.count() == 1
    before = Registration.objects.count()
    _run_queued()
    assert Registration.objects.count() == before + 2
    job = FileJob.objects.get()
    assert job.state == JobState.DONE
    # the same task delivered twice (a worker restarted after it ran): left alone
    from jigong.admissions.register_job import enrol_cohort_job

    enrol_cohort_job.call(job.pk)
    assert Registration.objects.count() == before + 2
    # once done, nothing is left to enrol: the page says so and queues nothing
    r = _submit(client, w)
    assert r.status_code == 200 and "没有待注册学籍的已确认录取" in r.content.decode()
    assert FileJob.objects.count() == 1


def test_role_duty_and_scope_are_asked_at_submit_and_again_when_the_job_runs(client, w, queue):
    _app, c = _confirmed(w, "职责生")
    # at submit: the 招生-only clerk, the bureaus
    for who in (w.clerk_enrol, w.municipal, w.district_a):
        assert _submit(client, w, who).status_code == 403
    assert not FileJob.objects.exists()
    # queued by a clerk with the duty 学籍, who loses it before the worker runs the job
    _job_url(_submit(client, w, w.clerk_records))
    w.clerk_records.duties = ["enrolment"]
    w.clerk_records.save(update_fields=["duties"])
    before = Registration.objects.count()
    _run_queued()
    job = FileJob.objects.get()
    assert job.state == JobState.FAILED and "学籍" in job.error and "职责" in job.error
    assert Registration.objects.count() == before
    c.refresh_from_db()
    assert c.state == ChoiceState.CONFIRMED


@pytest.mark.django_db(transaction=True)
def test_two_clerks_submitting_at_once_queue_one_job(w, queue):
    from tests.admissions.test_concurrency import at_once

    _confirmed(w, "同时甲")
    got = []

    def submit(who):
        return lambda: got.append(
            register_job.register_job_submit(
                actor=who, school=w.school_a, enrolled_on=w.today, season=w.season
            )
        )

    assert at_once([submit(w.user_a), submit(w.clerk_records)]) == ["ok", "ok"]
    assert FileJob.objects.count() == 1 and DBTaskResult.objects.count() == 1
    assert sorted(new for _job, new in got) == [False, True]
    assert got[0][0].pk == got[1][0].pk
