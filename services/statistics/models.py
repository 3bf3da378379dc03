from django.db import models
from django.utils.translation import gettext_lazy as _


class CityMonth(models.Model):
    """The city view's summary: per month, service and applicant's district, counts of applications, rebuilt from
    the applications by a periodic task (``city_figures_refresh``) so that the city view never scans them. Counts
    only: no row names a person."""

    month = models.DateField(_("month"))  # its first day
    service = models.ForeignKey("catalogue.Service", on_delete=models.CASCADE, related_name="+")
    district = models.CharField(_("district"), max_length=20, blank=True)  # the applicant's district, "" unknown
    submitted = models.PositiveIntegerField(_("submitted"), default=0)  # submitted this month
    withdrawn = models.PositiveIntegerField(_("withdrawn"), default=0)  # of those, withdrawn since
    returned = models.PositiveIntegerField(_("asked for information"), default=0)  # of those, asked at least once
    decided = models.PositiveIntegerField(_("decided"), default=0)  # decided this month
    on_time = models.PositiveIntegerField(_("decided by the due date"), default=0)  # of those, by the due date
    refreshed_at = models.DateTimeField(_("refreshed at"))

    class Meta:
        verbose_name = _("city figures of a month")
        verbose_name_plural = _("city figures of months")
        constraints = [models.UniqueConstraint(fields=["month", "service", "district"], name="city_month_unique")]
        # The role above departments: a city supervisor holds this permission (the "City supervisors" group).
        permissions = [("view_city", _("Can see the city view (aggregates of every department)"))]

    def __str__(self):
        return f"{self.month:%Y-%m} · {self.service_id} · {self.district or '-'}"
