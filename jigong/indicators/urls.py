from django.urls import path

from jigong.indicators import views

app_name = "indicators"
urlpatterns = [path("dashboard/", views.dashboard, name="dashboard")]
