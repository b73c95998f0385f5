from django.urls import path

from jigong.accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/manage/", views.account_list, name="list"),
    path("accounts/manage/new/", views.account_create, name="create"),
    path("accounts/manage/<int:pk>/", views.account_detail, name="detail"),
    path("accounts/manage/<int:pk>/duties/", views.account_duties, name="duties"),
    path("accounts/manage/<int:pk>/disable/", views.account_disable, name="disable"),
    path("accounts/manage/<int:pk>/enable/", views.account_enable, name="enable"),
    path("accounts/manage/<int:pk>/reset/", views.account_reset, name="reset"),
    path("accounts/manage/<int:pk>/sso-id/", views.account_sso_id, name="sso_id"),
    path("accounts/manage/totp/", views.role_security, name="role_security"),
    path("accounts/password-link/<str:token>/", views.password_link, name="password_link"),
]
