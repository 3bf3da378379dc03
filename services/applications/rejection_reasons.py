"""The reasons a service's applications may be rejected for, which caseworkers choose from (a model of this app,
imported by models.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from services.common.i18n import is_chinese, localized
from services.common.models import TimeStampedModel


class RejectionReason(TimeStampedModel):
    """A reason a service's applications may be rejected for, in both languages, for caseworkers to choose."""

    service = models.ForeignKey(
        "catalogue.Service", on_delete=models.CASCADE, related_name="rejection_reasons", verbose_name=_("service")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title_zh = models.CharField(_("title (Chinese)"), max_length=100)
    title_en = models.CharField(_("title (English)"), max_length=100)
    text_zh = models.TextField(_("text for the resident (Chinese)"))
    text_en = models.TextField(_("text for the resident (English)"))
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("rejection reason")
        verbose_name_plural = _("rejection reasons")
        ordering = ["service_id", "position", "id"]

    def __str__(self):
        return self.title

    @property
    def title(self) -> str:
        return localized(self, "title")

    def text_in(self, language: str) -> str:
        """Return the text for the resident in ``language`` (zh-hans or en)."""
        return self.text_zh if is_chinese(language) else self.text_en
