import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.common.models import TimeStampedModel


class ScanStatus(models.TextChoices):
    PENDING = "pending", _("Being checked")
    CLEAN = "clean", _("Ready")
    INFECTED = "infected", _("Refused: harmful content")


class DocumentQuerySet(models.QuerySet):
    def owned_by(self, user):
        return self.filter(owner=user)

    def usable(self):
        """Documents that may still be attached to an application: not expired, not refused by the scan."""
        return self.exclude(scan_status=ScanStatus.INFECTED).exclude(expires_on__lt=timezone.localdate())


class Document(TimeStampedModel):
    """A file in a resident's wallet, kept in private storage under a random name."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="documents", verbose_name=_("owner")
    )
    document_type = models.ForeignKey(
        "catalogue.DocumentType", on_delete=models.PROTECT, related_name="documents", verbose_name=_("type")
    )
    stored_name = models.CharField(_("name in storage"), max_length=100, unique=True, editable=False)
    original_name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    pages = models.PositiveIntegerField(_("pages"), default=1)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    scan_status = models.CharField(_("virus check"), max_length=10, choices=ScanStatus.choices, db_index=True)
    scanned_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    scan_finding = models.CharField(_("finding"), max_length=200, blank=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="doc_owner_created")]
        # One copy of a file per owner: a second upload of the same bytes finds the first.
        constraints = [models.UniqueConstraint(fields=["owner", "sha256"], name="unique_document_per_owner")]

    def __str__(self):
        return self.original_name

    @property
    def is_expired(self) -> bool:
        return self.expires_on is not None and self.expires_on < timezone.localdate()
