"""The caseworker workspace's own rows: bulk actions on many applications, run in the background."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from services.common.ids import uuid7
from services.common.models import TimeStampedModel


class BulkJob(TimeStampedModel):
    """A bulk action of the queue on more applications than a request should handle (above
    CASEWORKER_BULK_BACKGROUND_THRESHOLD): who asked for what, run item by item by a Celery task."""

    class Kind(models.TextChoices):
        ASSIGN = "assign", _("Assign the selected applications")
        RETRY_ROUTING = "retry_routing", _("Retry routing of the selected applications")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")

    public_id = models.UUIDField(_("public id"), default=uuid7, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The token of the form that asked: the same form posted twice finds this job instead of starting another.
    form_token = models.UUIDField(_("form token"), editable=False)
    kind = models.CharField(_("action"), max_length=20, choices=Kind.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The creator's language when asking: the only reader of the items' messages (see bulk_job_run).
    language = models.CharField(_("language"), max_length=10)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(_("applications"), default=0)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("bulk action")
        verbose_name_plural = _("bulk actions")
        constraints = [models.UniqueConstraint(fields=["created_by", "form_token"], name="bulkjob_once_per_form")]
        indexes = [models.Index(fields=["status", "updated_at"], name="bulkjob_unfinished")]  # the sweep

    def __str__(self):
        return f"{self.get_kind_display()} · {self.created_at:%Y-%m-%d %H:%M}"


class BulkJobItem(models.Model):
    """One application of a bulk action, with its result: done, or not done and why."""

    class Result(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DONE = "done", _("Done")
        FAILED = "failed", _("Not done")

    job = models.ForeignKey(BulkJob, on_delete=models.CASCADE, related_name="items")
    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE, related_name="+")
    result = models.CharField(_("result"), max_length=10, choices=Result.choices, default=Result.PENDING)
    message = models.CharField(_("why not"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("bulk action item")
        verbose_name_plural = _("bulk action items")
        constraints = [models.UniqueConstraint(fields=["job", "application"], name="bulkjobitem_once")]
        indexes = [models.Index(fields=["job", "result"], name="bulkjobitem_job_result")]

    def __str__(self):
        return f"{self.job_id} · {self.application_id} · {self.result}"
