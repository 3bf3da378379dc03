from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.common.i18n import localized
from services.common.models import TimeStampedModel
from services.dynamic_forms.fields import field_type_name
from services.dynamic_forms.validation import validate_form_schema
from services.identity.models import Assurance

from .eligibility import RULE_KINDS, validate_eligibility_rules
from .fees import fee_rule_questions, fee_rule_text, validate_fee_rule


def department_queue(code: str) -> str:
    """Return the Celery queue of the department with this code: its intake work runs there."""
    return f"dept.{code}"


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
        return department_queue(self.code)


class NamedEntry(models.Model):
    """A catalogue term with a code and names in both languages, listed in ``position`` order."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "code"]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


class Category(NamedEntry):
    """A kind of service residents browse by; ``Service.category`` holds its code."""

    class Meta(NamedEntry.Meta):
        verbose_name = _("category")
        verbose_name_plural = _("categories")


class LifeEvent(NamedEntry):
    """A moment in life that needs several services, e.g. having a baby or losing a job."""

    class Meta(NamedEntry.Meta):
        verbose_name = _("life event")
        verbose_name_plural = _("life events")


class DocumentType(NamedEntry):
    """A kind of document a service requires, e.g. the household register; form questions name it by code."""

    class Meta(NamedEntry.Meta):
        verbose_name = _("document type")
        verbose_name_plural = _("document types")


class ServiceQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Service(TimeStampedModel):
    """A public service residents apply for; its form is a JSON Schema (see services.dynamic_forms)."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="services")
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    category = models.SlugField(
        _("category"),
        max_length=40,
        blank=True,
        db_index=True,
        help_text=_("e.g. family, work, health; routing rules may use it."),
    )
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    summary_zh = models.TextField(_("summary (Chinese)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    keywords_zh = models.TextField(
        _("search words (Chinese)"), blank=True, help_text=_("Other words residents search with, e.g. 失业 下岗.")
    )
    keywords_en = models.TextField(
        _("search words (English)"), blank=True, help_text=_("Other words residents search with, e.g. jobless.")
    )
    life_events = models.ManyToManyField(LifeEvent, blank=True, related_name="services", verbose_name=_("life events"))
    document_types = models.ManyToManyField(
        DocumentType, blank=True, related_name="services", verbose_name=_("required documents")
    )
    eligibility_rules = models.JSONField(
        _("eligibility rules"), default=list, blank=True, validators=[validate_eligibility_rules]
    )
    # The form as it is now; saving it publishes a new FormVersion when it changed (catalogue.actions).
    form_schema = models.JSONField(_("form schema"), default=dict, validators=[validate_form_schema])
    processing_days = models.PositiveSmallIntegerField(
        _("legal processing time (working days)"), default=20, validators=[MinValueValidator(1)]
    )
    fee_rule = models.JSONField(
        _("fee rule"),
        default=dict,
        blank=True,
        validators=[validate_fee_rule],
        help_text=_(
            'Empty for a free service, or e.g. {"amount_fen": 2000, "per": "copies", "waived_if": '
            '[{"kind": "answer", "field": "low_income", "equals": true}]} (amounts in fen: ¥20.00 is 2000).'
        ),
    )
    is_active = models.BooleanField(_("open for applications"), default=True, db_index=True)
    # The least sure the portal must be of who applies: an email account, or a verified real-name identity.
    assurance = models.CharField(
        _("sign-in needed to apply"), max_length=20, choices=Assurance.choices, default=Assurance.EMAIL
    )

    objects = ServiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["department__code", "slug"]

    def __str__(self):
        return self.title

    def clean(self):
        properties = self.form_schema.get("properties", {}) if isinstance(self.form_schema, dict) else {}
        if isinstance(self.eligibility_rules, list):
            unknown = [
                rule["field"]
                for rule in self.eligibility_rules
                if isinstance(rule, dict)
                and getattr(RULE_KINDS.get(str(rule.get("kind"))), "needs_answer", False)
                and rule.get("field") not in properties
            ]
            if unknown:
                raise ValidationError(
                    {"eligibility_rules": _("These rules look at questions the form does not ask: %(names)s")
                     % {"names": ", ".join(map(str, unknown))}}
                )  # fmt: skip
        if isinstance(self.fee_rule, dict) and self.fee_rule:
            self._clean_fee_rule(properties)
        codes = {prop["x-document-type"] for prop in properties.values() if field_type_name(prop) == "document"}
        missing = codes - set(DocumentType.objects.filter(code__in=codes).values_list("code", flat=True))
        if missing:
            raise ValidationError(
                {"form_schema": _("Unknown document types: %(codes)s") % {"codes": ", ".join(sorted(missing))}}
            )

    def _clean_fee_rule(self, properties: dict) -> None:
        try:
            validate_fee_rule(self.fee_rule)
        except ValidationError:
            return  # the field's own validator reports it
        unknown = [name for name in fee_rule_questions(self.fee_rule) if name not in properties]
        per = self.fee_rule.get("per")
        if unknown or (per and field_type_name(properties[per]) != "integer"):
            raise ValidationError(
                {"fee_rule": _("The fee rule needs questions the form asks (per: a whole number): %(names)s")
                 % {"names": ", ".join(map(str, unknown or [per]))}}
            )  # fmt: skip

    def get_absolute_url(self):
        return reverse("catalogue:service", kwargs={"slug": self.slug})

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def summary(self) -> str:
        return localized(self, "summary")

    @property
    def fee_text(self) -> str:
        """The fee rule in words, in the current language."""
        return fee_rule_text(rule=self.fee_rule, properties=self.form_schema.get("properties", {}))


class FormVersion(models.Model):
    """A published form of a service; drafts and applications keep the version they were filled with."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="form_versions")
    number = models.PositiveIntegerField(_("version"))
    schema = models.JSONField(_("form schema"), validators=[validate_form_schema])
    published_at = models.DateTimeField(_("published at"), default=timezone.now)

    class Meta:
        verbose_name = _("form version")
        verbose_name_plural = _("form versions")
        ordering = ["service", "-number"]
        constraints = [models.UniqueConstraint(fields=["service", "number"], name="unique_form_version")]

    def __str__(self):
        return f"{self.service} · v{self.number}"
