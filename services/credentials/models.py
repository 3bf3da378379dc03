"""E-licences and certificates (电子证照): the types services issue, each credential issued once and reused as
evidence, and the departments' signing keys."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.common.i18n import localized
from services.common.ids import uuid7
from services.common.models import TimeStampedModel


class CredentialType(TimeStampedModel):
    """A kind of credential (家庭医生签约凭证, 就业登记证明): issued by its department when its service approves."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    department = models.ForeignKey(
        "catalogue.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("issuing department")
    )
    service = models.OneToOneField(
        "catalogue.Service",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credential_type",
        verbose_name=_("issued when this service approves"),
    )
    valid_days = models.PositiveIntegerField(
        _("valid for (days)"), null=True, blank=True, help_text=_("Empty: no end.")
    )
    claim_answers = models.JSONField(
        _("answers kept as claims"), default=list, blank=True, help_text=_("Names of the form's questions.")
    )

    class Meta:
        verbose_name = _("credential type")
        verbose_name_plural = _("credential types")
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


class State(models.TextChoices):
    ACTIVE = "active", _("Valid")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")  # never stored: an active credential past its end


def state_at(*, status: str, valid_until: dt.datetime | None, now: dt.datetime) -> State:
    """Return a credential's state at ``now``: its stored status, or expired once an active one is past its end."""
    if status == State.ACTIVE and valid_until is not None and valid_until <= now:
        return State.EXPIRED
    return State(status)


class Credential(TimeStampedModel):
    """A credential issued to a resident: its claims, validity and status, and its signed token (JWS)."""

    public_id = models.UUIDField(_("public id"), default=uuid7, unique=True, editable=False)
    type = models.ForeignKey(
        CredentialType, on_delete=models.PROTECT, related_name="credentials", verbose_name=_("type")
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credentials", verbose_name=_("holder")
    )
    department = models.ForeignKey(
        "catalogue.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("issuing department")
    )
    application = models.ForeignKey(
        "applications.Application",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="credentials",
        verbose_name=_("issued on"),
    )
    claims = models.JSONField(_("claims"), default=dict)
    valid_from = models.DateTimeField(_("valid from"), default=timezone.now)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=State.choices[:3], default=State.ACTIVE, db_index=True
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    supersedes = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="superseded_by",
        verbose_name=_("supersedes"),
    )  # fmt: skip
    token = models.TextField(_("signed token (JWS)"), editable=False)

    class Meta:
        verbose_name = _("credential")
        verbose_name_plural = _("credentials")
        ordering = ["-valid_from", "-id"]
        indexes = [models.Index(fields=["holder", "type", "status"], name="credential_holder_type")]

    def __str__(self):
        return f"{self.type} · {self.public_id}"

    def state(self, now: dt.datetime | None = None) -> State:
        """The credential's state now: its stored status, or expired once an active one is past its end."""
        return state_at(status=self.status, valid_until=self.valid_until, now=now or timezone.now())


class SigningKey(models.Model):
    """A department's key pair (ES256) that signs its credentials. The newest active key signs; every key stays
    published at the JWKS URL so credentials signed before a rotation still verify."""

    department = models.ForeignKey("catalogue.Department", on_delete=models.PROTECT, related_name="+")
    kid = models.CharField(_("key id"), max_length=64, unique=True)
    private_jwk = models.JSONField(_("private key (JWK)"))
    public_jwk = models.JSONField(_("public key (JWK)"))
    is_active = models.BooleanField(_("signs new credentials"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        ordering = ["department_id", "-id"]

    def __str__(self):
        return self.kid
