from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.common.ids import uuid7
from services.common.models import TimeStampedModel


class ScanStatus(models.TextChoices):
    """Where an upload is: stored and sniffed, then virus-checked and cleaned in the documents queue (``pending``),
    then ``clean`` (ready: it may be opened) or refused (``infected`` by the virus check, ``refused`` by the cleaning,
    with its ``refusal``)."""

    PENDING = "pending", _("Being checked")
    CLEAN = "clean", _("Ready")
    INFECTED = "infected", _("Refused: harmful content")
    REFUSED = "refused", _("Refused")


class Refusal(models.TextChoices):
    """Why the documents queue refused a file (worded for the resident by inspection.refusal_message)."""

    TOO_MANY_PIXELS = "too_many_pixels", _("Too many pixels")
    DAMAGED = "damaged", _("Damaged")
    PROTECTED = "protected", _("Protected with a password")
    ACTIVE = "active", _("Scripts, actions or attached files")
    HARMFUL = "harmful", _("Harmful content")


# What each refusal says, worded when shown (in the reader's language), naming the file.
REFUSAL_MESSAGES = {
    Refusal.TOO_MANY_PIXELS: _("“%(name)s” has too many pixels. Take the photo at a lower resolution."),
    Refusal.DAMAGED: _("“%(name)s” is damaged or incomplete and cannot be opened. Save it again."),
    Refusal.PROTECTED: _("“%(name)s” is protected with a password. Upload a copy without one."),
    Refusal.ACTIVE: _("“%(name)s” contains scripts, actions or attached files. Print it to a new PDF and upload that."),
    Refusal.HARMFUL: _("“%(name)s” was refused by the virus check and deleted."),
}


def refusal_message(code: str, name: str) -> str:
    """Return what the refusal ``code`` means for the file ``name``, in the active language."""
    return str(REFUSAL_MESSAGES[code]) % {"name": name}


class DocumentQuerySet(models.QuerySet):
    def owned_by(self, user):
        return self.filter(owner=user)

    def usable(self):
        """Documents that may still be attached to an application: not expired, not refused by the scan."""
        refused = [ScanStatus.INFECTED, ScanStatus.REFUSED]
        return self.exclude(scan_status__in=refused).exclude(expires_on__lt=timezone.localdate())


class Document(TimeStampedModel):
    """A file in a resident's wallet, kept in private storage under a random name."""

    public_id = models.UUIDField(_("public id"), default=uuid7, unique=True, editable=False)
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
    sha256 = models.CharField(_("SHA-256"), max_length=64)  # of the bytes as uploaded: the same file is kept once
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    scan_status = models.CharField(_("virus check"), max_length=10, choices=ScanStatus.choices, db_index=True)
    scanned_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    scan_finding = models.CharField(_("finding"), max_length=200, blank=True)
    refusal = models.CharField(_("refused because"), max_length=20, choices=Refusal.choices, blank=True)

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
    def is_refused(self) -> bool:
        return self.scan_status in (ScanStatus.INFECTED, ScanStatus.REFUSED)

    @property
    def refusal_text(self) -> str:
        """Why the document was refused, in the active language ("" when it was not)."""
        if not self.is_refused:
            return ""
        return refusal_message(self.refusal or Refusal.HARMFUL, self.original_name)  # rows before the code: a virus

    @property
    def is_expired(self) -> bool:
        return self.expires_on is not None and self.expires_on < timezone.localdate()
