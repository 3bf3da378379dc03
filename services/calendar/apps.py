from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _

from services.common.kept import forget_kept


def _forget_kept(sender, **kwargs) -> None:
    forget_kept()


class CalendarConfig(AppConfig):
    name = "services.calendar"
    verbose_name = _("Working-day calendar")

    def ready(self):
        # The routing workers keep the calendar for a while (working_calendar): an edit drops the copy at once.
        model = self.get_model("CalendarDay")
        post_save.connect(_forget_kept, sender=model, dispatch_uid="calendar-forget-saved")
        post_delete.connect(_forget_kept, sender=model, dispatch_uid="calendar-forget-deleted")
