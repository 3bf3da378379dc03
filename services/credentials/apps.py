from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CredentialsConfig(AppConfig):
    name = "services.credentials"
    verbose_name = _("E-licences and certificates")
