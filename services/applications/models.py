import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from services.common.models import TimeStampedModel


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ROUTED = "routed", _("Waiting for a caseworker")
    IN_REVIEW = "in_review", _("In review")
    AWAITING_INFORMATION = "awaiting_information", _("Waiting for your information")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = (Status.SUBMITTED, Status.ROUTED, Status.IN_REVIEW, Status.AWAITING_INFORMATION)


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    MOBILE = "mobile", _("Mobile app")


class ApplicationQuerySet(models.QuerySet):
    def for_applicant(self, user):
        return self.filter(applicant=user)

    def visible_to_staff(self, user):
        """Applications in the queues of the user's departments; all of them for a superuser."""
        if user.is_superuser:
            return self
        if not user.is_staff:
            return self.none()
        return self.filter(department__memberships__user=user)


class Application(TimeStampedModel):
    """A resident's application for one service, from draft to decision."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("reference"), max_length=20, unique=True, null=True, editable=False)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications", verbose_name=_("applicant")
    )
    service = models.ForeignKey(
        "catalogue.Service", on_delete=models.PROTECT, related_name="applications", verbose_name=_("service")
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.DRAFT)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    department = models.ForeignKey(
        "catalogue.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("department queue"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_applications",
        verbose_name=_("assigned caseworker"),
    )
    priority = models.PositiveSmallIntegerField(_("priority"), default=0)
    intake_flags = models.JSONField(_("intake flags"), default=list, blank=True)
    intake_checked_at = models.DateTimeField(_("intake checked at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["applicant", "-created_at"], name="app_applicant_created"),
            models.Index(fields=["department", "status", "submitted_at"], name="app_queue"),
            models.Index(fields=["submitted_at"], name="app_unrouted", condition=Q(status="submitted")),
        ]

    def __str__(self):
        return self.reference or str(self.public_id)

    def get_absolute_url(self):
        return reverse("applications:detail", kwargs={"public_id": self.public_id})

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ApplicationEvent(models.Model):
    """One entry of an application's timeline: a status change or a message."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    from_status = models.CharField(_("from"), max_length=24, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=24, choices=Status.choices, blank=True)
    message = models.TextField(_("message"), blank=True)
    visible_to_resident = models.BooleanField(_("visible to the resident"), default=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("application event")
        verbose_name_plural = _("application events")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.application_id}: {self.from_status} → {self.to_status}"
