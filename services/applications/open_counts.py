"""The open applications counted (a model of this app, imported by models.py): what the supervisors' dashboard and
the routing dashboard read instead of counting the open applications themselves (services.applications.backlog)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OpenCount(models.Model):
    """How many open applications have one department, team, assignee, status and due date: the sum of ``n`` over a
    key's rows. A database trigger writes a row of +n and -n in the transaction of every change of an open
    application's key, so no submission waits on another's row; a periodic task adds a key's rows up into one."""

    # Not constraints: a count names, it does not hold, the department, team or caseworker (no lock on their rows).
    department = models.ForeignKey(
        "catalogue.Department",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        related_name="+",
    )
    team = models.ForeignKey(
        "routing.Team", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, null=True, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=24)
    due_date = models.DateField(_("due date"), null=True)
    n = models.IntegerField(_("applications"))

    class Meta:
        verbose_name = _("open applications counted")
        verbose_name_plural = _("open applications counted")
        indexes = [models.Index(fields=["department", "status"], name="open_count_department")]

    def __str__(self):
        return f"{self.department_id} · {self.status} · {self.n}"
