from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DynamicFormsConfig(AppConfig):
    name = "services.dynamic_forms"
    verbose_name = _("Forms")
