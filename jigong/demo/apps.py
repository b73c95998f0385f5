from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo world and the commands that build it and start the platform beside it
    (``jigong demo``, ``jigong up``): the top layer, it may import every app."""

    name = "jigong.demo"
    label = "demo"
    verbose_name = _("演示数据")
