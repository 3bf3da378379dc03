"""Housekeeping of drafts: the reminder before an untouched draft is deleted, and the deletion."""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Application, Status
from .notifications import notify_draft_deadline

logger = logging.getLogger(__name__)


def application_drafts_remind(*, now: dt.datetime | None = None) -> int:
    """Tell each resident whose draft will be deleted in DRAFT_REMINDER_DAYS_BEFORE days; once per draft."""
    now = now or timezone.now()
    untouched_since = now - dt.timedelta(days=settings.DRAFT_RETENTION_DAYS - settings.DRAFT_REMINDER_DAYS_BEFORE)
    deleted_on = timezone.localdate(now + dt.timedelta(days=settings.DRAFT_REMINDER_DAYS_BEFORE))
    due = Application.objects.filter(status=Status.DRAFT, updated_at__lt=untouched_since, draft_reminder_sent_at=None)
    sent = 0
    for application in due.select_related("service", "applicant__profile")[:1000]:
        # The claim and the reminder's notifications commit together: two sweeps at once remind once, and a
        # crash leaves the draft for the next sweep. The messages go out after commit.
        with transaction.atomic():
            claimed = Application.objects.filter(pk=application.pk, status=Status.DRAFT, draft_reminder_sent_at=None)
            if claimed.update(draft_reminder_sent_at=now):
                notify_draft_deadline(application=application, deleted_on=deleted_on)
                sent += 1
                logger.info("draft reminder", extra={"reference": application.reference})
    return sent


def application_drafts_purge(*, now: dt.datetime | None = None) -> int:
    """Delete drafts untouched for DRAFT_RETENTION_DAYS whose resident was reminded at least
    DRAFT_REMINDER_DAYS_BEFORE days ago; return how many."""
    now = now or timezone.now()
    stale = Application.objects.filter(
        status=Status.DRAFT,
        updated_at__lt=now - dt.timedelta(days=settings.DRAFT_RETENTION_DAYS),
        draft_reminder_sent_at__lte=now - dt.timedelta(days=settings.DRAFT_REMINDER_DAYS_BEFORE),
    )
    deleted = stale.delete()[1].get(Application._meta.label, 0)
    if deleted:
        logger.info("purged %d stale drafts", deleted)
    return deleted
