from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "services.accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from .privacy import discover  # here, not at the top: the apps' personal_data modules need the models loaded

        discover()
