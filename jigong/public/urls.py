from django.urls import path

from jigong.public import accounts, keys, offline, views

app_name = "public"

urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("verify/qr/", offline.verify_qr, name="verify_qr"),
    path("verify/keys.json", offline.keys_json, name="verify_keys"),
    path("verify/code/", views.verify_code, name="verify_code"),
    path("verify/code/pdf/", views.verify_code_pdf, name="verify_code_pdf"),
    # graduates' self-service (issue 15)
    path("graduates/register/", accounts.register, name="graduate_register"),
    path("graduates/recover/", accounts.recover, name="graduate_recover"),
    path("graduates/invitation/<str:token>/", accounts.invitation, name="graduate_invitation"),
    # the department API's keys (municipal bureau)
    path("api-keys/new/", keys.api_key_create, name="apikey_create"),
    path("api-keys/<int:pk>/revoke/", keys.api_key_revoke, name="apikey_revoke"),
    *keys.api_keys.urls(app_name),
]
