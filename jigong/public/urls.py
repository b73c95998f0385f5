from django.urls import path

from jigong.public import views

app_name = "public"

urlpatterns = [
    path("verify/", views.verify, name="verify"),
]
