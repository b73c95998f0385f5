from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "jigong.indicators"
    label = "indicators"
    verbose_name = _("指标与目标")

    def ready(self):
        from jigong.indicators import cache

        cache.connect()
