"""Proactive services (免申即享): rules that offer or grant a service's benefit to the residents who qualify, when
an event happens or on a periodic check, and the entitlements they make, one per rule, person and period."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from services.common.ids import uuid7
from services.common.models import TimeStampedModel

from .triggers import TRIGGERS


class Trigger(models.TextChoices):
    EVENT = "event", _("An event")
    PERIODIC = "periodic", _("A daily check of every resident")


class Mode(models.TextChoices):
    OFFER = "offer", _("Offer: the resident confirms with one tap")
    GRANT = "grant", _("Grant without applying (免申即享)")


class Period(models.TextChoices):
    ONCE = "once", _("Once per person")
    YEAR = "year", _("Once per person and year")
    SUBJECT = "subject", _("Once per person and triggering event's subject (e.g. each birth)")


class RuleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft (dry run only)")
    ACTIVE = "active", _("Active")


class ProactiveRule(TimeStampedModel):
    """When a service's benefit comes to the residents who meet its eligibility rules, and how."""

    service = models.ForeignKey(
        "catalogue.Service", on_delete=models.CASCADE, related_name="proactive_rules", verbose_name=_("service")
    )
    name = models.CharField(_("name"), max_length=200)
    trigger = models.CharField(_("trigger"), max_length=10, choices=Trigger.choices, default=Trigger.EVENT)
    event_type = models.CharField(
        _("event type"), max_length=100, blank=True, choices=[(type, label) for type, (label, _r) in TRIGGERS.items()]
    )
    # {"service": "unemployment-benefit", "status": "approved"}: the event's data must hold these values (a list:
    # one of them).
    event_conditions = models.JSONField(_("conditions on the event's data"), default=dict, blank=True)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.OFFER)
    period = models.CharField(_("once per"), max_length=10, choices=Period.choices, default=Period.ONCE)
    status = models.CharField(_("status"), max_length=10, choices=RuleStatus.choices, default=RuleStatus.DRAFT)
    activated_at = models.DateTimeField(_("switched on at"), null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("switched on by"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("proactive rule")
        verbose_name_plural = _("proactive rules")
        ordering = ["service", "name"]
        indexes = [models.Index(fields=["status", "trigger", "event_type"], name="proactive_rule_trigger")]

    def __str__(self):
        return self.name

    def clean(self):
        if self.trigger == Trigger.EVENT and not self.event_type:
            raise ValidationError({"event_type": _("Choose the event that triggers the rule.")})
        if self.trigger == Trigger.PERIODIC and self.event_type:
            raise ValidationError({"event_type": _("A periodic check has no event: leave it empty.")})
        if not isinstance(self.event_conditions, dict) or any(
            not isinstance(value, (str, int, bool, list)) for value in self.event_conditions.values()
        ):
            raise ValidationError(
                {"event_conditions": _('Conditions are a JSON object of values, e.g. {"status": "approved"}.')}
            )
        if self.trigger == Trigger.PERIODIC and self.period == Period.SUBJECT:
            raise ValidationError({"period": _("A periodic check has no event subject: choose once or per year.")})


class EntitlementStatus(models.TextChoices):
    OFFERED = "offered", _("Offered")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")
    GRANTED = "granted", _("Granted")


class Entitlement(TimeStampedModel):
    """A benefit a rule found a person entitled to: offered to them, or granted; with the facts it rested on."""

    public_id = models.UUIDField(_("public id"), default=uuid7, unique=True, editable=False)
    rule = models.ForeignKey(
        ProactiveRule, on_delete=models.PROTECT, related_name="entitlements", verbose_name=_("rule")
    )
    service = models.ForeignKey(
        "catalogue.Service", on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="entitlements", verbose_name=_("person")
    )
    period = models.CharField(_("period"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=EntitlementStatus.choices)
    # What it rested on: the profile facts and answers the rules saw, each rule's reason, the triggering event.
    facts = models.JSONField(_("facts it was based on"), default=dict)
    application = models.ForeignKey(
        "applications.Application", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("application"),
    )  # fmt: skip
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("answered by"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("entitlement")
        verbose_name_plural = _("entitlements")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["rule", "person", "period"], name="entitlement_once_per_period")]
        indexes = [models.Index(fields=["person", "status"], name="entitlement_person_status")]

    def __str__(self):
        return f"{self.service} · {self.get_status_display()}"


class OptOut(TimeStampedModel):
    """A resident who turned proactive offers (and grants without applying) off."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="proactive_opt_out", verbose_name=_("user")
    )

    class Meta:
        verbose_name = _("proactive offers turned off")
        verbose_name_plural = _("proactive offers turned off")

    def __str__(self):
        return str(self.user)
