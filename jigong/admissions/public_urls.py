"""The public pages of online enrolment at /enrol/ (no log-in): brochures, applying,
an application's status and the confirmation of an admission."""

from django.urls import path  # noqa: F401

app_name = "enrol"

urlpatterns: list = []
