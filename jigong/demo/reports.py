"""The demo's annual quality report: built and published by the worker once the world is
built, so the public /reports/ list is not empty on a fresh demo (issue 19). It runs as
the demo's city account, through the acts ``annual_report.generate`` and
``annual_report.publish`` (audited like a bureau user's)."""

try:  # Django 6: the built-in framework; the backport before that
    from django.tasks import task
except ImportError:
    from django_tasks import task

from jigong.demo.generate import LAST_YEAR

CITY = "city"  # the demo's municipal account (generate.World.build_users)


@task()
def publish_demo_reports(username: str = CITY, years: list[int] | None = None) -> dict:
    """Build and publish the city's report of each year (default: the demo's last)."""
    from jigong.core.models import Role, User
    from jigong.quality.services import report_generate, report_publish

    actor = User.objects.filter(username=username, role=Role.MUNICIPAL, is_active=True).first()
    if actor is None:
        return {"published": [], "skipped": f"no active municipal account {username!r}"}
    published = []
    for year in years or [LAST_YEAR]:
        report = report_generate(actor=actor, year=year)
        report_publish(actor=actor, report=report)
        published.append(report.pk)
    return {"published": published}


def reports_queued() -> bool:
    """Queue the demo's report for the worker; not with a backend that would build it
    here and now (the tests' immediate one: seconds of Chromium per demo build)."""
    from django_tasks_db import DatabaseBackend

    if not isinstance(publish_demo_reports.get_backend(), DatabaseBackend):
        return False
    publish_demo_reports.enqueue()
    return True
