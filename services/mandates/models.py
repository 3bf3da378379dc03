import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.common.ids import uuid7
from services.common.models import TimeStampedModel


class MandateQuerySet(models.QuerySet):
    def in_force(self, today: dt.date | None = None):
        """Mandates active today: granted or approved, started, not ended, not revoked."""
        today = today or timezone.localdate()
        return self.filter(status=Mandate.Status.ACTIVE, valid_from__lte=today).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=today)
        )


class Mandate(TimeStampedModel):
    """The right of one person (grantee, the agent) to act for another (grantor, the person applications are
    for), on a basis, within a scope, for a time. 代办."""

    class Basis(models.TextChoices):
        PARENT = "parent_of_minor", _("Parent of a minor child")
        GUARDIAN = "guardian", _("Guardian")
        POWER_OF_ATTORNEY = "power_of_attorney", _("Power of attorney")

    class Access(models.TextChoices):
        READ = "read", _("See the applications")
        APPLY = "apply", _("Apply and act")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Waiting to be accepted or approved")
        ACTIVE = "active", _("Active")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")

    public_id = models.UUIDField(_("public id"), default=uuid7, unique=True, editable=False)
    grantor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mandates_granted", verbose_name=_("for")
    )
    grantee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mandates_held",
        null=True,
        blank=True,
        verbose_name=_("agent"),
    )
    basis = models.CharField(_("basis"), max_length=20, choices=Basis.choices)
    access = models.CharField(_("access"), max_length=10, choices=Access.choices, default=Access.APPLY)
    # The scope: every service, or only the services and departments listed.
    all_services = models.BooleanField(_("all services"), default=True)
    services = models.ManyToManyField("catalogue.Service", blank=True, verbose_name=_("services"))
    departments = models.ManyToManyField("catalogue.Department", blank=True, verbose_name=_("departments"))
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    evidence = models.ForeignKey(
        "documents.Document", on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("evidence")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    # A grant waits for its agent to accept it through a one-time link: only its hash is kept.
    invitation_hash = models.CharField(max_length=64, blank=True, db_index=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = MandateQuerySet.as_manager()

    class Meta:
        verbose_name = _("mandate")
        verbose_name_plural = _("mandates")
        constraints = [models.CheckConstraint(condition=~Q(grantor=F("grantee")), name="mandate_not_to_oneself")]
        indexes = [models.Index(fields=["grantee", "grantor", "status"])]

    def __str__(self):
        return f"{self.grantee} → {self.grantor} ({self.basis})"

    @property
    def effective_status(self) -> str:
        """The status as of today: an active mandate past its end date has expired by itself."""
        if self.status == self.Status.ACTIVE and self.valid_until and self.valid_until < timezone.localdate():
            return self.Status.EXPIRED
        return self.status

    def get_effective_status_display(self) -> str:
        return self.Status(self.effective_status).label
