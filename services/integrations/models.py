"""The departments' own case systems acting on applications: who they are, how they prove it, what they sent."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from services.common.ids import uuid7
from services.common.models import TimeStampedModel
from services.events.models import new_secret


def token_digest(token: str) -> str:
    """The stored form of a system's API token (the token itself is shown once and never kept)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return "sys_" + secrets.token_urlsafe(32)


class DepartmentSystem(TimeStampedModel):
    """A department's own case system: it acts on the department's applications as its own staff account (so the
    timeline and the audit log name it), through the API with a token or through signed inbound calls."""

    public_id = models.UUIDField(_("public id"), default=uuid7, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100)
    department = models.ForeignKey(
        "catalogue.Department", on_delete=models.PROTECT, related_name="systems", verbose_name=_("department")
    )
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="department_system",
        verbose_name=_("account it acts as"),
    )
    handles_applications = models.BooleanField(
        _("handled in its own system"),
        default=False,
        help_text=_("The department's applications are delivered to this system and not offered in the admin queue."),
    )
    token_digest = models.CharField(_("API token (SHA-256)"), max_length=64, unique=True, null=True, editable=False)
    # Inbound calls are signed as outbound ones are (Standard Webhooks); two secrets are valid during a rotation.
    inbound_secret = models.CharField(_("inbound signing secret"), max_length=100, default=new_secret)
    previous_inbound_secret = models.CharField(_("previous inbound signing secret"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department system")
        verbose_name_plural = _("department systems")
        ordering = ["name"]

    def __str__(self):
        return self.name


class InboundCall(models.Model):
    """A call a system made, kept by its event id: the same id again gets the same answer and changes nothing."""

    system = models.ForeignKey(DepartmentSystem, on_delete=models.CASCADE, related_name="calls")
    event_id = models.CharField(_("event id"), max_length=100)
    action = models.CharField(_("action"), max_length=30)
    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="+", verbose_name=_("application")
    )
    status = models.CharField(_("status after"), max_length=24)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("inbound call")
        verbose_name_plural = _("inbound calls")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["system", "event_id"], name="inbound_call_once")]

    def __str__(self):
        return f"{self.system} {self.event_id}"
