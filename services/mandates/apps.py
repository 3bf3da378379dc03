from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MandatesConfig(AppConfig):
    name = "services.mandates"
    label = "mandates"
    verbose_name = _("Mandates")

    def ready(self):
        # A verified sign-in whose provider names the person's minor children makes the parent's mandates.
        from services.identity.hooks import on_identity_verified  # the registry is filled once the apps are loaded

        from .actions import mandate_parent_from_family_claim  # imports models: only once the apps are loaded

        on_identity_verified(mandate_parent_from_family_claim)
