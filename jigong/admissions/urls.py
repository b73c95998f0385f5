"""The staff pages of online enrolment at /admissions/: a school's applications and
decisions, offline entry, registration day; the district's and the city's views."""

from django.urls import path

from jigong.admissions import overview, views

app_name = "admissions"

urlpatterns: list = [
    path("", views.index, name="index"),
    path("choices/<int:pk>/decide/", views.decide, name="decide"),
    path("admit/", views.batch_admit, name="batch_admit"),
    path("enter/", views.enter, name="enter"),
    path("register/", views.register, name="register"),
    path("overview/", overview.page, name="overview"),
    path("season/", views.season, name="season"),
]
