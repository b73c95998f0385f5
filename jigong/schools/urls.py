from django.urls import path

from jigong.schools import views

app_name = "schools"

urlpatterns = [
    *views.schools.urls(app_name),
    *views.school_majors.urls(app_name),
    path("schools/<int:pk>/edit/", views.school_edit, name="school_edit"),
    path("schools/<int:pk>/tier/", views.school_change_tier, name="school_change_tier"),
    path("schools/<int:pk>/district/", views.school_move_district, name="school_move_district"),
]
