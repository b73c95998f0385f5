"""/imports/ — include with ``path("imports/", include("jigong.core.import_urls"))``."""

from django.urls import path

from jigong.core import import_views as v

app_name = "imports"

urlpatterns = [
    path("", v.index, name="index"),
    path("<slug:kind>/", v.upload, name="upload"),
    path("<slug:kind>/template.xlsx", v.template_download, name="template"),
    path("<slug:kind>/export.<str:fmt>", v.export_download, name="export"),
]
