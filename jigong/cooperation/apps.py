from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CooperationConfig(AppConfig):
    name = "jigong.cooperation"
    label = "cooperation"
    verbose_name = _("校企合作")

    def ready(self):
        from jigong.cooperation import lookups  # noqa: F401  (the imports' look-ups: Context.lookup)
