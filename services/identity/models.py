from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from services.accounts.models import ResidentProfile
from services.common.models import TimeStampedModel


class Assurance(models.TextChoices):
    """How sure the portal is of who a person is, lowest first (a service states the least it needs)."""

    EMAIL = "email", _("Email account")
    REAL_NAME = "real_name", _("Verified real-name identity")


ASSURANCE_ORDER = list(Assurance.values)  # a level's rank is its index


class IdentityLink(TimeStampedModel):
    """An account's link to a person at an identity provider (issuer + subject), with what the provider vouched for.

    One person at a provider is one account; an account may be linked to several providers.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="identity_links")
    issuer = models.URLField(_("issuer"), max_length=255)
    subject = models.CharField(_("subject"), max_length=255)
    assurance = models.CharField(_("assurance level"), max_length=20, choices=Assurance.choices)
    # The attributes the provider vouched for at the last sign-in: name, resident ID number, date of birth, family.
    verified_attributes = models.JSONField(_("verified attributes"), default=dict)
    verified_at = models.DateTimeField(_("verified at"))

    class Meta:
        verbose_name = _("identity link")
        verbose_name_plural = _("identity links")
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="unique_identity_subject")]

    def __str__(self):
        return f"{self.issuer} · {self.subject}"


class IdNumberClaim(ResidentProfile):
    """A resident ID number typed into a profile and not verified (a claim: others may have typed it too), as staff
    see it to settle who holds it (identity.admin). The profile itself, seen through this app."""

    class Meta:
        proxy = True
        verbose_name = _("ID number claim")
        verbose_name_plural = _("ID number claims")
        permissions = [("resolve_idnumberclaim", _("Can settle who holds a claimed resident ID number"))]
