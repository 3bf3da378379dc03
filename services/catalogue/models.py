from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from services.common.i18n import localized
from services.common.models import TimeStampedModel
from services.dynamic_forms.validation import validate_form_schema


class Department(TimeStampedModel):
    """A government department; its intake work runs on its own Celery queue ``dept.<code>``."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    reference_prefix = models.CharField(
        _("reference prefix"),
        max_length=3,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{3}$", _("Three capital letters, e.g. HLT."))],
    )
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    contact_email = models.EmailField(_("contact email"), blank=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def celery_queue(self) -> str:
        return f"dept.{self.code}"


class ServiceQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Service(TimeStampedModel):
    """A public service residents apply for; its form is a JSON Schema (see services.dynamic_forms)."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="services")
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    summary_zh = models.TextField(_("summary (Chinese)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    form_schema = models.JSONField(_("form schema"), default=dict, validators=[validate_form_schema])
    processing_days = models.PositiveSmallIntegerField(
        _("legal processing time (working days)"), default=20, validators=[MinValueValidator(1)]
    )
    fee_yuan = models.DecimalField(_("fee (yuan)"), max_digits=8, decimal_places=2, default=0)
    is_active = models.BooleanField(_("open for applications"), default=True, db_index=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["department__code", "slug"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("catalogue:service", kwargs={"slug": self.slug})

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def summary(self) -> str:
        return localized(self, "summary")
