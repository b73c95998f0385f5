"""/imports/ — include with ``path("imports/", include("jigong.core.import_urls"))``."""

from django.urls import path

from jigong.core import import_views as v

app_name = "imports"

urlpatterns = [
    path("", v.index, name="index"),
    path("progress/<str:token>/", v.progress, name="progress"),
    path("report/<str:token>.xlsx", v.report, name="report"),
    path("<slug:kind>/", v.upload, name="upload"),
    path("<slug:kind>/template.xlsx", v.template_download, name="template"),
    path("<slug:kind>/export.<str:fmt>", v.export_download, name="export"),
]
