import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
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


class Priority(models.IntegerChoices):
    NORMAL = 0, _("Normal")
    HIGH = 1, _("High")
    URGENT = 2, _("Urgent")


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

    def overdue(self, today):
        """Open applications past their due date whose legal clock is running (not waiting for the resident)."""
        return self.filter(status__in=(Status.ROUTED, Status.IN_REVIEW), due_date__lt=today)


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
    # The form the answers were filled with: set by application_create_draft, kept whatever the form becomes.
    form_version = models.ForeignKey(
        "catalogue.FormVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("form version"),
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    draft_reminder_sent_at = models.DateTimeField(_("draft reminder sent at"), null=True, blank=True)
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
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    team = models.ForeignKey(
        "routing.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("team queue"),
    )
    routing_rule = models.ForeignKey(
        "routing.RoutingRule",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("routed by rule"),
    )
    routed_at = models.DateTimeField(_("routed at"), null=True, blank=True)
    routing_failed_at = models.DateTimeField(_("routing failed at"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    clock_paused_at = models.DateTimeField(_("deadline paused since"), null=True, blank=True)
    paused_working_days = models.PositiveSmallIntegerField(_("working days paused"), default=0)
    overdue_notified_at = models.DateTimeField(_("overdue notice sent at"), null=True, blank=True)
    bundle_submission = models.ForeignKey(
        "routing.BundleSubmission",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("life-event bundle"),
    )
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
            models.Index(fields=["updated_at"], name="app_draft_updated", condition=Q(status="draft")),
            models.Index(fields=["status", "due_date"], name="app_due"),
            models.Index(fields=["routed_at"], name="app_routed_at"),
        ]

    def __str__(self):
        return self.reference or str(self.public_id)

    def get_absolute_url(self):
        return reverse("applications:detail", kwargs={"public_id": self.public_id})

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def draft_expires_on(self):
        """The day an untouched draft is deleted (settings.DRAFT_RETENTION_DAYS after it was last saved)."""
        return timezone.localdate(self.updated_at + dt.timedelta(days=settings.DRAFT_RETENTION_DAYS))

    @property
    def schema(self) -> dict:
        """The form the answers were filled with (the service's current form for a row made without one)."""
        return self.form_version.schema if self.form_version_id else self.service.form_schema


class ApplicationEvent(models.Model):
    """One entry of an application's timeline: a status change or a message."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    from_status = models.CharField(_("from"), max_length=24, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=24, choices=Status.choices, blank=True)
    message = models.TextField(_("message"), blank=True)
    # A system note (routing failed, overdue, intake checked...) is stored as a code and worded when shown.
    note = models.CharField(_("note"), max_length=30, blank=True)
    visible_to_resident = models.BooleanField(_("visible to the resident"), default=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("application event")
        verbose_name_plural = _("application events")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.application_id}: {self.from_status} → {self.to_status}"
