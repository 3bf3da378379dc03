from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from services.applications.models import Priority
from services.catalogue.models import Department
from services.common.i18n import localized
from services.common.ids import uuid7
from services.common.models import TimeStampedModel

from .conditions import CONDITIONS, condition_choices


class Team(TimeStampedModel):
    """A caseworkers' queue inside a department, e.g. a district office, where routed applications land."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="teams", verbose_name=_("department")
    )
    code = models.SlugField(_("code"), max_length=40)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="teams",
        verbose_name=_("caseworkers"),
        help_text=_("Only caseworkers of the department receive applications."),
    )
    auto_assign = models.BooleanField(
        _("assign automatically"),
        default=False,
        help_text=_("After the intake checks, give each application to the team's least-loaded caseworker."),
    )

    class Meta:
        verbose_name = _("team queue")
        verbose_name_plural = _("team queues")
        ordering = ["department__code", "code"]
        constraints = [models.UniqueConstraint(fields=["department", "code"], name="unique_team_code")]

    def __str__(self):
        return f"{self.department} · {self.name}"

    @property
    def name(self) -> str:
        return localized(self, "name")


class RoutingRule(TimeStampedModel):
    """Where applications go: the first active rule, by position, whose every condition holds decides."""

    position = models.PositiveIntegerField(_("position"), default=100, help_text=_("Lower positions are tried first."))
    name = models.CharField(_("name"), max_length=100)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="rules", verbose_name=_("target queue"))
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["position", "id"]

    def __str__(self):
        return self.name


class RoutingCondition(models.Model):
    """One condition of a rule; its kind is an entry of the conditions registry."""

    rule = models.ForeignKey(RoutingRule, on_delete=models.CASCADE, related_name="conditions")
    kind = models.CharField(_("condition"), max_length=30, choices=condition_choices)
    question = models.CharField(
        _("question"), max_length=80, blank=True, help_text=_("For answer conditions: the question's name.")
    )
    value = models.CharField(
        _("value"),
        max_length=500,
        help_text=_("Comma-separated for lists; true/false, a number or text for answers."),
    )

    class Meta:
        verbose_name = _("condition")
        verbose_name_plural = _("conditions")
        ordering = ["id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.question} {self.value}".replace("  ", " ")

    def clean(self):
        condition = CONDITIONS.get(self.kind)
        if condition is None:
            return  # the choice field reports it
        if condition.needs_question and not self.question:
            raise ValidationError({"question": _("Name the question whose answer is compared.")})
        try:
            condition.parse(self.value)
        except ValidationError as exc:
            raise ValidationError({"value": exc.messages}) from exc


class Bundle(TimeStampedModel):
    """A life event ("new baby", "lost my job"): one form and one submission for several services."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    summary_zh = models.TextField(_("summary (Chinese)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    services = models.ManyToManyField(
        "catalogue.Service", through="BundleService", related_name="bundles", verbose_name=_("services")
    )
    is_active = models.BooleanField(_("open for applications"), default=True)

    class Meta:
        verbose_name = _("life-event bundle")
        verbose_name_plural = _("life-event bundles")
        ordering = ["slug"]

    def __str__(self):
        return self.title

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def summary(self) -> str:
        return localized(self, "summary")


class BundleService(models.Model):
    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="items")
    service = models.ForeignKey("catalogue.Service", on_delete=models.PROTECT, verbose_name=_("service"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("service of the bundle")
        verbose_name_plural = _("services of the bundle")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["bundle", "service"], name="unique_bundle_service")]

    def __str__(self):
        return str(self.service)


class BundleSubmission(TimeStampedModel):
    """One resident's submission of a bundle; each service's part is its own application."""

    public_id = models.UUIDField(_("public id"), default=uuid7, unique=True, editable=False)
    bundle = models.ForeignKey(Bundle, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("bundle"))
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="bundle_submissions",
        verbose_name=_("applicant"),
    )

    class Meta:
        verbose_name = _("bundle submission")
        verbose_name_plural = _("bundle submissions")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.bundle} · {self.applicant}"


class PeriodicRun(models.Model):
    """When a periodic job (the routing sweep, the overdue check) last ran and what it did, for the dashboard."""

    name = models.CharField(_("job"), max_length=50, unique=True)
    finished_at = models.DateTimeField(_("last run"))
    result = models.JSONField(_("result"), default=dict)

    class Meta:
        verbose_name = _("periodic run")
        verbose_name_plural = _("periodic runs")

    def __str__(self):
        return self.name


class Backlog(Department):
    """The routing dashboard's entry in the admin (a proxy: no table of its own)."""

    class Meta:
        proxy = True
        verbose_name = _("routing dashboard")
        verbose_name_plural = _("routing dashboard")
