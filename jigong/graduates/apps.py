from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GraduatesConfig(AppConfig):
    name = "jigong.graduates"
    label = "graduates"
    verbose_name = _("毕业生")
    default_auto_field = "django.db.models.BigAutoField"
