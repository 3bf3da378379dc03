from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "services.ratings"
    verbose_name = _("Ratings (good-bad review)")
    default_auto_field = "django.db.models.BigAutoField"
