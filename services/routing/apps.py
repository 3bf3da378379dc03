from django.apps import AppConfig, apps
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _

# What the routing workers keep a copy of for a while (selectors._kept_for_a_while): an edit drops the copies.
KEPT_CONFIGURATION = ("routing.RoutingRule", "routing.RoutingCondition", "routing.Team", "routing.CalendarDay",
                      "catalogue.Department")  # fmt: skip


def _forget_routing_config(sender, **kwargs) -> None:
    from .selectors import routing_config_forget

    routing_config_forget()


class RoutingConfig(AppConfig):
    name = "services.routing"
    verbose_name = _("Routing")

    def ready(self):
        for label in KEPT_CONFIGURATION:
            model = apps.get_model(label)
            post_save.connect(_forget_routing_config, sender=model, dispatch_uid=f"routing-forget-saved-{label}")
            post_delete.connect(_forget_routing_config, sender=model, dispatch_uid=f"routing-forget-deleted-{label}")
