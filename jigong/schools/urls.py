from django.urls import path

from jigong.schools import views

app_name = "schools"

urlpatterns = [
    *views.schools.urls(app_name),
    *views.school_majors.urls(app_name),
    path("schools/<int:pk>/edit/", views.school_edit, name="school_edit"),
]
