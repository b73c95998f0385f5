from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "jigong.certificates"
    label = "certificates"
    verbose_name = _("证书")

    def ready(self):
        from jigong.certificates import key_acts  # noqa: F401  registers the key acts
