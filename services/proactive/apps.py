from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProactiveConfig(AppConfig):
    name = "services.proactive"
    label = "proactive"
    verbose_name = _("Proactive services")

    def ready(self):
        # The outbox's events of the trigger types reach the rules (services/events/reactions.py).
        from services.events.reactions import listener_register  # the registry is filled once the apps are loaded

        from .actions import rules_react  # imports models: only once the apps are loaded
        from .triggers import TRIGGERS  # names the trigger types; its resolvers import models

        listener_register(types=TRIGGERS, listener=rules_react)
