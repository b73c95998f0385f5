from django.urls import path

from jigong.jobs import views

app_name = "jobs"
urlpatterns = [
    path("imports/", views.import_list, name="import_list"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/status.json", views.import_status_json, name="import_status"),
    path("imports/<int:pk>/report.xlsx", views.import_report, name="import_report"),
    path("files/<int:pk>/", views.file_detail, name="file_detail"),
    path("files/<int:pk>/status.json", views.file_status_json, name="file_status"),
    path("files/<int:pk>/download/", views.file_download, name="file_download"),
    path("reports/<int:pk>/status.json", views.report_status_json, name="report_status"),
]
