from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "jigong.security"
    label = "security"
    verbose_name = _("账号安全")

    def ready(self):
        from jigong.security import signals, totp_keys  # noqa: F401

        totp_keys.install()
