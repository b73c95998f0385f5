from django.urls import path

from jigong.graduates import views

app_name = "graduates"

urlpatterns = [
    path("", views.index, name="index"),
    path("certificates/<int:pk>/codes/", views.code_create, name="code_create"),
    path("codes/<int:pk>/revoke/", views.code_revoke, name="code_revoke"),
    path("certificates/<int:pk>/pdf/", views.certificate_pdf, name="certificate_pdf"),
]

# Mounted at the site's root (jigong/urls.py): the school's side, on a 学籍's page.
school_urlpatterns = (
    [
        path(
            "registrations/<int:pk>/graduate-invitation/",
            views.invitation_create,
            name="invitation_create",
        ),
    ],
    "graduate_accounts",
)
