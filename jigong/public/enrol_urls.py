"""The public pages of online enrolment at /enrol/ (no log-in): brochures, applying,
an application's status and the confirmation of an admission."""

from django.urls import path

from jigong.public import enrol as views

app_name = "enrol"

urlpatterns = [
    path("", views.index, name="index"),
    path("schools/<str:code>/", views.school, name="school"),
    path("apply/", views.apply, name="apply"),
    path("status/", views.status, name="status"),
]
