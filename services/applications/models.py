import datetime as dt
import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.catalogue.fees import yuan
from services.common.ids import uuid7
from services.common.models import TimeStampedModel
from services.mandates.selectors import mandate_covering_q, mandate_grantor_ids


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ROUTED = "routed", _("Waiting for a caseworker")
    IN_REVIEW = "in_review", _("In review")
    AWAITING_INFORMATION = "awaiting_information", _("Waiting for the resident's information")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# The labels above are the staff's words; where the resident's own words differ, they are here.
RESIDENT_STATUS_LABELS = {Status.AWAITING_INFORMATION: _("Waiting for your information")}


def resident_status_label(status: str) -> str:
    """Return the status's label as the resident reads it, in the active language."""
    return str(RESIDENT_STATUS_LABELS.get(status) or Status(status).label)


OPEN_STATUSES = (Status.SUBMITTED, Status.ROUTED, Status.IN_REVIEW, Status.AWAITING_INFORMATION)
CLOCK_RUNNING = (Status.ROUTED, Status.IN_REVIEW)  # the legal time limit counts (not paused for the resident)
DECIDED = (Status.APPROVED, Status.REJECTED)
OPEN = Q(status__in=OPEN_STATUSES)
# The queue's order: by due date, the most urgent first on a day, then first come first served (the id makes it
# total, so a page never repeats or skips a row). The queue's indexes hold the same order after their filter columns.
QUEUE_ORDER = ["due_date", "-priority", "submitted_at", "pk"]
QUEUE_INDEX_ORDER = ["due_date", "-priority", "submitted_at", "id"]
REFERENCE = re.compile(r"[A-Z]{3}-\d{4}-\d{6,}")
RESIDENT_ID = re.compile(r"\d{17}[\dX]")


# The overdue rule, for the database; Application.is_overdue is the same rule for a row already read (a queue page
# asks it of 50 rows): change both together (tests/applications/test_deadline_flag.py holds them to each other).
def overdue_q(today: dt.date) -> Q:
    """Return the filter of overdue applications: legal clock running (not paused for the resident), due date past."""
    return Q(status__in=CLOCK_RUNNING, due_date__lt=today)


class FeeStatus(models.TextChoices):
    NONE = "none", _("No fee")
    DUE = "due", _("To pay")
    PAID = "paid", _("Paid")
    WAIVED = "waived", _("Waived")


# The payment gate: a submitted application is routed only once its fee is paid or waived (or it has none). The
# submission, the routing task and the routing sweep all ask this rule (Application.awaits_payment for a loaded row).
AWAITING_PAYMENT = Q(status=Status.SUBMITTED, fee_status=FeeStatus.DUE)


class EventNote(models.TextChoices):
    """A system note of the staff timeline, stored as its code and worded in the reader's language when shown."""

    INTAKE_CHECKED = "intake_checked", _("Intake checks done.")
    ROUTING_FAILED = "routing_failed", _("Routing failed after its retries; staff can retry it.")
    ROUTING_RETRIED = "routing_retried", _("Routing retried.")
    OVERDUE = "overdue", _("Past its due date: the department's supervisors were notified.")
    ASSIGNED = "assigned", _("Assigned to")
    FEE_PAID = "fee_paid", _("Fee paid.")


class Priority(models.IntegerChoices):
    NORMAL = 0, _("Normal")
    HIGH = 1, _("High")
    URGENT = 2, _("Urgent")


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    MOBILE = "mobile", _("Mobile app")


class ApplicationQuerySet(models.QuerySet):
    def for_applicant(self, user):
        return self.filter(applicant=user)

    def visible_to_resident(self, user):
        """The user's own applications and those of the people they act for, within each mandate's scope
        (services.mandates: the one rule of acting for another). For finding one application by its id; a list
        takes ``for_applicant`` and ``acted_for`` (this condition has no index to walk)."""
        return self.filter(Q(applicant=user) | Q(mandate_covering_q(grantee=user)))

    def acted_for(self, user):
        """The applications of the people the user acts for, within each mandate's scope (none for most users)."""
        grantors = mandate_grantor_ids(grantee=user)
        return self.filter(applicant__in=grantors).filter(mandate_covering_q(grantee=user)) if grantors else self.none()

    def visible_to_staff(self, scope):
        """Applications in the queues of the departments a staff ``scope`` (services.accounts.permissions) reaches:
        every department's for an administrator, none for anyone else."""
        departments = scope.departments()
        if departments is None:
            return self
        # The departments as a list, not a join: then the planner walks a department's queue index in order.
        return self.filter(department_id__in=list(departments)) if departments else self.none()

    def overdue(self, today):
        """Open applications past their due date whose legal clock is running (not waiting for the resident)."""
        return self.filter(overdue_q(today))

    def open(self):
        """Applications not yet decided or withdrawn (submitted ones are not in a department's queue yet)."""
        return self.filter(status__in=OPEN_STATUSES)

    def search(self, term: str):
        """Find by reference, resident ID number (both exact) or the start of the applicant's legal name."""
        term = term.strip()
        if REFERENCE.fullmatch(term.upper()):
            return self.filter(reference=term.upper())
        if RESIDENT_ID.fullmatch(term.upper()):
            return self.filter(applicant__profile__id_number=term.upper())
        return self.filter(applicant__profile__legal_name__startswith=term)


class Application(TimeStampedModel):
    """A resident's application for one service, from draft to decision."""

    public_id = models.UUIDField(_("public id"), default=uuid7, unique=True, editable=False)
    reference = models.CharField(_("reference"), max_length=20, unique=True, null=True, editable=False)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        db_index=False,  # app_applicant_created leads with it
        related_name="applications",
        verbose_name=_("applicant"),
    )
    service = models.ForeignKey(
        "catalogue.Service", on_delete=models.PROTECT, related_name="applications", verbose_name=_("service")
    )
    # The form the answers were filled with: set by application_create_draft, kept whatever the form becomes.
    form_version = models.ForeignKey(
        "catalogue.FormVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("form version"),
    )
    # Made by an agent for the applicant (the legal subject): who, under which mandate, and that mandate as it was.
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications_made_for_others",
        verbose_name=_("made by (agent)"),
    )
    mandate = models.ForeignKey(
        "mandates.Mandate", on_delete=models.SET_NULL, null=True, blank=True, related_name="applications"
    )
    mandate_snapshot = models.JSONField(_("mandate when made"), default=dict, blank=True)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    draft_reminder_sent_at = models.DateTimeField(_("draft reminder sent at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.DRAFT)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    department = models.ForeignKey(
        "catalogue.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,  # app_dept_status_due leads with it
        related_name="applications",
        verbose_name=_("department queue"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_applications",
        verbose_name=_("assigned caseworker"),
    )
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    team = models.ForeignKey(
        "routing.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("team queue"),
    )
    routing_rule = models.ForeignKey(
        "routing.RoutingRule",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("routed by rule"),
    )
    routed_at = models.DateTimeField(_("routed at"), null=True, blank=True)
    routing_failed_at = models.DateTimeField(_("routing failed at"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    clock_paused_at = models.DateTimeField(_("deadline paused since"), null=True, blank=True)
    paused_working_days = models.PositiveSmallIntegerField(_("working days paused"), default=0)
    overdue_notified_at = models.DateTimeField(_("overdue notice sent at"), null=True, blank=True)
    bundle_submission = models.ForeignKey(
        "routing.BundleSubmission",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("life-event bundle"),
    )
    intake_flags = models.JSONField(_("intake flags"), default=list, blank=True)
    intake_checked_at = models.DateTimeField(_("intake checked at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # The fee quoted at submission (services.catalogue.fees) in fen, before any waiver, and whether it is due, paid
    # or waived.
    fee_fen = models.PositiveIntegerField(_("fee (fen)"), default=0)
    fee_status = models.CharField(_("fee"), max_length=10, choices=FeeStatus.choices, default=FeeStatus.NONE)
    fee_paid_at = models.DateTimeField(_("fee paid at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    # Goes up with every move: a staff page posts the version it showed, and a move from a stale page is refused.
    version = models.PositiveIntegerField(_("version"), default=0)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["applicant", "-created_at"], name="app_applicant_created"),
            # The caseworker's queue, in its order (QUEUE_ORDER): a department's, a team's, a caseworker's own, and for
            # administrators every department's open applications. Partial (open ones only), so the walk in due-date
            # order never steps over the many decided ones due long ago, and in the full order, so a page is the
            # first rows of the index with no sort. A department's applications of one status (a decided one
            # chosen in the queue, the dashboards' counts) use app_dept_status_due, which also serves the
            # department's foreign key (hence db_index=False on it).
            models.Index(fields=["department", *QUEUE_INDEX_ORDER], name="app_dept_queue", condition=OPEN),
            models.Index(fields=["team", *QUEUE_INDEX_ORDER], name="app_team_queue", condition=OPEN),
            models.Index(fields=["assignee", "department", "due_date"], name="app_assignee_queue", condition=OPEN),
            models.Index(fields=QUEUE_INDEX_ORDER, name="app_open_queue", condition=OPEN),
            models.Index(fields=["department", "status", "due_date"], name="app_dept_status_due"),
            # The queue's "All" (every status) of a department, and of every department for administrators, by due
            # date (the rest of the order then sorts one due date's rows, not the table).
            models.Index(fields=["department", "due_date"], name="app_dept_due"),
            models.Index(fields=["due_date"], name="app_due_date"),
            models.Index(fields=["department", "decided_at"], name="app_dept_decided"),
            # Today's decisions (the rest are in DecisionDay), with every column counted; this month's submissions.
            models.Index(
                fields=["decided_at"],
                name="app_decided_at",
                condition=Q(status__in=DECIDED),
                include=["service", "department", "submitted_at", "due_date"],
            ),
            models.Index(fields=["submitted_at", "service"], name="app_submitted_service"),
            models.Index(fields=["submitted_at"], name="app_unrouted", condition=Q(status="submitted")),
            # Drafts only: a resident's, last saved first (the home page's "continue your draft"), and every one
            # for the draft sweeps. Ordered by the last save alone, PostgreSQL walked every resident's drafts back
            # from the newest to find one resident's (46 ms among 9,807 drafts at a million applications).
            models.Index(fields=["applicant", "-updated_at"], name="app_applicant_drafts", condition=Q(status="draft")),
            # The overdue sweep (status in CLOCK_RUNNING, past due, not yet notified) and one status across departments.
            models.Index(fields=["status", "due_date"], name="app_due"),
            models.Index(fields=["routed_at"], name="app_routed_at"),
        ]

    def __str__(self):
        return self.reference or str(self.public_id)

    def get_absolute_url(self):
        return reverse("applications:detail", kwargs={"public_id": self.public_id})

    @property
    def resident_status(self) -> str:
        return resident_status_label(self.status)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: dt.date) -> bool:
        """Return whether overdue_q holds for this row on ``today``, read off its fields."""
        return self.status in CLOCK_RUNNING and self.due_date is not None and self.due_date < today

    @property
    def awaits_payment(self) -> bool:
        """Whether AWAITING_PAYMENT holds for this row: submitted, its fee not yet paid."""
        return self.status == Status.SUBMITTED and self.fee_status == FeeStatus.DUE

    @property
    def fee_yuan(self) -> str:
        return yuan(self.fee_fen)

    @property
    def draft_expires_on(self):
        """The day an untouched draft is deleted (settings.DRAFT_RETENTION_DAYS after it was last saved)."""
        return timezone.localdate(self.updated_at + dt.timedelta(days=settings.DRAFT_RETENTION_DAYS))

    @property
    def schema(self) -> dict:
        """The form the answers were filled with (the service's current form for a row made without one)."""
        return self.form_version.schema if self.form_version_id else self.service.form_schema


class ApplicationEvent(models.Model):
    """One entry of an application's timeline: a status change or a message."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    from_status = models.CharField(_("from"), max_length=24, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=24, choices=Status.choices, blank=True)
    message = models.TextField(_("message"), blank=True)
    # A system note (routing failed, overdue, intake checked...) is stored as a code and worded when shown.
    note = models.CharField(_("note"), max_length=30, choices=EventNote.choices, blank=True)
    visible_to_resident = models.BooleanField(_("visible to the resident"), default=True)
    announced = models.BooleanField(_("announced"), default=True, db_default=True)  # False: routing tells of it
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("application event")
        verbose_name_plural = _("application events")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.application_id}: {self.from_status} → {self.to_status}"

    @property
    def resident_status(self) -> str:
        return resident_status_label(self.to_status)


class InformationRequest(TimeStampedModel):
    """A caseworker's question to the resident, listing everything missing at once, and the resident's answer."""

    public_id = models.UUIDField(_("public id"), default=uuid7, unique=True, editable=False)
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="information_requests", verbose_name=_("application")
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("asked by")
    )
    # The event that asked (its timeline entry shows what was asked for).
    event = models.OneToOneField(
        ApplicationEvent, on_delete=models.CASCADE, null=True, blank=True, related_name="information_request"
    )
    message = models.TextField(_("message to the resident"), blank=True)
    # Document types are stored as such and worded in the reader's language; anything else as the caseworker wrote it.
    document_types = models.ManyToManyField(
        "catalogue.DocumentType", blank=True, related_name="+", verbose_name=_("documents asked for")
    )
    items = models.JSONField(_("anything else asked for"), default=list)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    documents = models.ManyToManyField(
        "documents.Document", blank=True, related_name="information_requests", verbose_name=_("documents sent")
    )

    class Meta:
        verbose_name = _("information request")
        verbose_name_plural = _("information requests")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.application} · {self.created_at:%Y-%m-%d}"

    def item_names(self) -> list[str]:
        """Return everything asked for, in the active language: the document types' names, then the other items."""
        return [document_type.name for document_type in self.document_types.all()] + list(self.items)


class ApplicationDocument(models.Model):
    """A wallet document attached to an application: the same document can serve many applications."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="document_links")
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="application_links")
    attached_at = models.DateTimeField(_("attached at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attached document")
        verbose_name_plural = _("attached documents")
        ordering = ["attached_at", "id"]
        constraints = [models.UniqueConstraint(fields=["application", "document"], name="unique_attachment")]

    def __str__(self):
        return f"{self.application} · {self.document}"


# Models of this app in modules of their own (this one is at the size limit): Django registers them on this import.
from .decision_days import DecisionDay, SubmissionDay  # noqa: E402, F401
from .open_counts import OpenCount  # noqa: E402, F401
from .rejection_reasons import RejectionReason  # noqa: E402, F401
