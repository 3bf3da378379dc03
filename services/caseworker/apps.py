from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkerConfig(AppConfig):
    name = "services.caseworker"
    verbose_name = _("Caseworker workspace")
