from django.urls import path

from jigong.graduates import views

app_name = "graduates"

urlpatterns = [
    path("", views.index, name="index"),
    path("certificates/<int:pk>/codes/", views.code_create, name="code_create"),
    path("codes/<int:pk>/revoke/", views.code_revoke, name="code_revoke"),
    path("certificates/<int:pk>/pdf/", views.certificate_pdf, name="certificate_pdf"),
]
