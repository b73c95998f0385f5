from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferenceConfig(AppConfig):
    name = "jigong.reference"
    label = "reference"
    verbose_name = _("参考数据")

    def ready(self):
        from jigong.reference import (
            lookups,  # noqa: F401  (the imports' look-ups: Context.lookup)
            platform,
        )

        platform.install()  # the bureau's adjustments of platform values
