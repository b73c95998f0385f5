from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchoolsConfig(AppConfig):
    name = "jigong.schools"
    label = "schools"
    verbose_name = _("学校")

    def ready(self):
        from jigong.schools import lookups  # noqa: F401  (the imports' look-ups: Context.lookup)
