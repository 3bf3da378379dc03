"""The decisions and submissions of past days, counted (models of this app, imported by models.py): what the public
statistics and the supervisors' dashboard read instead of the applications (services.applications.decisions)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DecisionDay(models.Model):
    """How many decisions of one service, made on one past day, took the same working days and kept (or missed) the
    due date; rebuilt from the applications by a periodic task (``decision_days_refresh``). Counts only."""

    day = models.DateField(_("day of decision"))
    service = models.ForeignKey("catalogue.Service", on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey("catalogue.Department", on_delete=models.CASCADE, null=True, related_name="+")
    working_days = models.PositiveIntegerField(_("working days"))
    on_time = models.BooleanField(_("decided by the due date"))
    n = models.PositiveIntegerField(_("decisions"))
    # The moment up to which the rebuild counted (every row of a rebuild has the same; the day it falls on is counted
    # up to then): decisions from then on are counted from the applications themselves, so the figures never wait
    # for the next rebuild.
    until = models.DateTimeField(_("counted until"))

    class Meta:
        verbose_name = _("decisions of a day")
        verbose_name_plural = _("decisions of days")
        indexes = [models.Index(fields=["day"], name="decision_day")]

    def __str__(self):
        return f"{self.day} · {self.service_id} · {self.n}"


class SubmissionDay(models.Model):
    """How many applications of one service were submitted on one past day; rebuilt with the decisions' summary
    (``decision_days_refresh``), so this month's submissions are read from it and today's applications."""

    day = models.DateField(_("day of submission"))
    service = models.ForeignKey("catalogue.Service", on_delete=models.CASCADE, related_name="+")
    n = models.PositiveIntegerField(_("applications"))
    until = models.DateTimeField(_("counted until"))  # as DecisionDay's: submissions from then on are counted live

    class Meta:
        verbose_name = _("submissions of a day")
        verbose_name_plural = _("submissions of days")
        indexes = [models.Index(fields=["day"], name="submission_day")]

    def __str__(self):
        return f"{self.day} · {self.service_id} · {self.n}"
