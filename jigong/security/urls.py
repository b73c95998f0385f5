from django.urls import path

from jigong.security import views

app_name = "security"

urlpatterns = [
    path("accounts/otp/setup/", views.otp_setup, name="otp_setup"),
    path("accounts/otp/verify/", views.otp_verify, name="otp_verify"),
    path("accounts/otp/disable/", views.otp_disable, name="otp_disable"),
    path("accounts/sessions/", views.session_list, name="sessions"),
    path("accounts/sessions/<int:pk>/end/", views.session_end, name="session_end"),
    path("accounts/sessions/end-others/", views.session_end_others, name="session_end_others"),
]
