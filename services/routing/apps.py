from django.apps import AppConfig, apps
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _

from services.common.kept import forget_kept

# What the routing workers keep a copy of for a while (services.common.kept): an edit drops the copies.
KEPT_CONFIGURATION = ("routing.RoutingRule", "routing.RoutingCondition", "routing.Team", "catalogue.Department")


def _forget_routing_config(sender, **kwargs) -> None:
    forget_kept()


class RoutingConfig(AppConfig):
    name = "services.routing"
    verbose_name = _("Routing")

    def ready(self):
        for label in KEPT_CONFIGURATION:
            model = apps.get_model(label)
            post_save.connect(_forget_routing_config, sender=model, dispatch_uid=f"routing-forget-saved-{label}")
            post_delete.connect(_forget_routing_config, sender=model, dispatch_uid=f"routing-forget-deleted-{label}")
