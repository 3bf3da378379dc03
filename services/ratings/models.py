"""Good-bad review (好差评): a resident's rating of one step of their application, and the supervisor's follow-up
of a bad one."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from services.applications.models import Status
from services.common.ids import uuid7
from services.common.models import TimeStampedModel

SCORE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]
BAD_SCORE = 2  # a score at or below this on any aspect is a bad rating (差评)


class Score(models.IntegerChoices):
    VERY_BAD = 1, _("1 – very dissatisfied")
    BAD = 2, _("2 – dissatisfied")
    FAIR = 3, _("3 – fair")
    GOOD = 4, _("4 – satisfied")
    VERY_GOOD = 5, _("5 – very satisfied")


class Rating(TimeStampedModel):
    """One resident's rating of one step (the application's status when rated): one per application and step."""

    public_id = models.UUIDField(_("public id"), default=uuid7, unique=True, editable=False)
    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="ratings", verbose_name=_("application")
    )
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ratings",
        verbose_name=_("rated by"),
    )
    step = models.CharField(_("step rated"), max_length=24, choices=Status.choices)
    speed = models.PositiveSmallIntegerField(_("speed"), choices=Score.choices, validators=SCORE_VALIDATORS)
    clarity = models.PositiveSmallIntegerField(_("clarity"), choices=Score.choices, validators=SCORE_VALIDATORS)
    attitude = models.PositiveSmallIntegerField(_("attitude"), choices=Score.choices, validators=SCORE_VALIDATORS)
    comment = models.TextField(_("comment"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["application", "step"], name="one_rating_per_application_step"),
            models.CheckConstraint(
                condition=models.Q(speed__gte=1, speed__lte=5, clarity__gte=1, clarity__lte=5)
                & models.Q(attitude__gte=1, attitude__lte=5),
                name="rating_scores_1_to_5",
            ),
        ]

    def __str__(self):
        return f"{self.application} · {self.get_step_display()} · {self.speed}/{self.clarity}/{self.attitude}"

    @property
    def lowest(self) -> int:
        return min(self.speed, self.clarity, self.attitude)

    @property
    def is_bad(self) -> bool:
        return self.lowest <= BAD_SCORE


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("Waiting for contact")
    CONTACTED = "contacted", _("Resident contacted")
    RESOLVED = "resolved", _("Resolved")


class FollowUpQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status=FollowUpStatus.RESOLVED)


class FollowUp(TimeStampedModel):
    """A bad rating's follow-up by the department's supervisor: contact within 1 working day, resolve within 5."""

    rating = models.OneToOneField(Rating, on_delete=models.CASCADE, related_name="follow_up", verbose_name=_("rating"))
    department = models.ForeignKey(
        "catalogue.Department", on_delete=models.PROTECT, related_name="follow_ups", verbose_name=_("department")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN, db_index=True
    )
    contact_due = models.DateField(_("contact the resident by"))
    resolve_due = models.DateField(_("resolve by"), db_index=True)
    contacted_at = models.DateTimeField(_("resident contacted at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    outcome = models.TextField(_("outcome, shown to the resident"), max_length=2000, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up of a bad rating")
        verbose_name_plural = _("follow-ups of bad ratings")
        ordering = ["resolve_due", "pk"]
        indexes = [models.Index(fields=["department", "status", "resolve_due"], name="followup_queue_idx")]

    def __str__(self):
        return str(self.rating.application)
