from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CircumstancesConfig(AppConfig):
    name = "services.circumstances"
    verbose_name = _("Changes of circumstances")
