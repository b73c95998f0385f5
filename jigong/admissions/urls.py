"""The staff pages of online enrolment at /admissions/: a school's applications and
decisions, offline entry, registration day; the district's and the city's views."""

from django.urls import path  # noqa: F401

app_name = "admissions"

urlpatterns: list = []
