"""/imports/ — include with ``path("imports/", include("jigong.jobs.import_urls"))``: the
kinds, templates and exports (``core.import_views``) and the upload that queues an
import job (``jobs.views.import_upload``)."""

from django.urls import path

from jigong.core import import_views as v
from jigong.jobs.views import import_upload

app_name = "imports"

urlpatterns = [
    path("", v.index, name="index"),
    path("<slug:kind>/", import_upload, name="upload"),
    path("<slug:kind>/template.xlsx", v.template_download, name="template"),
    path("<slug:kind>/export.<str:fmt>", v.export_download, name="export"),
]
