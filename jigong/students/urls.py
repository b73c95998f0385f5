from django.urls import path

from jigong.students import corrections, views

app_name = "students"

urlpatterns = [
    *views.students.urls(app_name),
    *views.registrations.urls(app_name),
    path(
        "registrations/<int:pk>/correct/",
        corrections.registration_correct,
        name="registration_correct",
    ),
    path("students/<int:pk>/correct/", corrections.person_correct, name="person_correct"),
    path("registrations/<int:pk>/status/", views.registration_status, name="registration_status"),
    path("registrations/<int:pk>/revert/", views.registration_revert, name="registration_revert"),
    path(
        "registrations/<int:pk>/revert/bureau/",
        views.registration_revert,
        {"bureau": True},
        name="registration_revert_bureau",
    ),
    path("transfers/", views.transfer_list, name="transfer_list"),
    path("transfers/<int:pk>/", views.transfer_detail, name="transfer_detail"),
]
