"""Changes of circumstances (一次告知): a resident tells the portal once, and each department with a case for them
acknowledges it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from services.common.ids import uuid7
from services.common.models import TimeStampedModel


class Kind(models.TextChoices):
    ADDRESS = "address", _("New address")
    PHONE = "phone", _("New mobile number")
    BIRTH = "birth", _("A birth in the family")
    JOB = "job", _("A new job")
    DEATH = "death", _("A death in the family")


class Change(TimeStampedModel):
    """A change in a person's circumstances, reported once by them (or by an agent under a mandate): its facts (codes
    and dates, worded at display time), the day it took effect and, where the kind needs it, its evidence."""

    public_id = models.UUIDField(_("public id"), default=uuid7, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        db_index=False,  # change_user_created leads with it
        related_name="circumstance_changes",
        verbose_name=_("person"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    facts = models.JSONField(_("facts"), default=dict)
    effective_date = models.DateField(_("effective date"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("reported by")
    )
    mandate = models.ForeignKey(
        "mandates.Mandate", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("under mandate"),
    )  # fmt: skip
    evidence = models.ForeignKey(
        "documents.Document", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("evidence"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("change of circumstances")
        verbose_name_plural = _("changes of circumstances")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="change_user_created")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.effective_date}"


class AckStatus(models.TextChoices):
    PENDING = "pending", _("Not yet acknowledged")
    APPLIED = "applied", _("Applied")
    NEEDS_ACTION = "needs_action", _("Needs action from you")
    NOT_RELEVANT = "not_relevant", _("Not relevant to this department")


class Acknowledgement(TimeStampedModel):
    """Where one change stands at one department that had a case for the person when it was reported: pending until
    the department's staff (or its system) say applied, needs action or not relevant; escalated when it waits too
    long (CIRCUMSTANCES_ESCALATE_AFTER_WORKING_DAYS)."""

    change = models.ForeignKey(
        Change, on_delete=models.CASCADE, related_name="acknowledgements", verbose_name=_("change")
    )
    department = models.ForeignKey(
        "catalogue.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    # Why the department got it: "application" (an open one) and/or "credential" (an active one).
    reasons = models.JSONField(_("why it was told"), default=list)
    status = models.CharField(_("status"), max_length=12, choices=AckStatus.choices, default=AckStatus.PENDING)
    note = models.CharField(_("note for the resident"), max_length=500, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("acknowledged by"),
    )  # fmt: skip
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("change acknowledgement")
        verbose_name_plural = _("change acknowledgements")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["change", "department"], name="ack_once_per_department")]
        indexes = [
            models.Index(fields=["department", "status", "created_at"], name="ack_department_status"),
            # The daily escalation sweep: pending ones not yet escalated, oldest first.
            models.Index(
                fields=["created_at"], name="ack_unescalated", condition=Q(status="pending", escalated_at=None)
            ),
        ]

    def __str__(self):
        return f"{self.change} → {self.department_id}: {self.status}"
