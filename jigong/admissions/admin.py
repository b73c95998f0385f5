from django.contrib import admin

from jigong.admissions.models import Application, Choice, Season
from jigong.core.admin import ReadOnlyAdmin

for model in (Season, Application, Choice):
    admin.site.register(model, ReadOnlyAdmin)
