"""Writes of the caseworker workspace: bulk actions on many applications, started by a request and run item by item
in the background."""

import time

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from services.accounts.permissions import staff_scope_for
from services.applications.actions import application_assign
from services.applications.models import Application
from services.common.errors import DomainError, NotAllowed
from services.common.tasks import publish_on_commit
from services.routing.actions import application_routing_retry

from .models import BulkJob, BulkJobItem

# What a job does to one application, by its kind (the same actions as the queue's bulk actions in a request).
BULK_ACTIONS = {
    BulkJob.Kind.ASSIGN: lambda job, application, scope: application_assign(
        application=application, assignee=job.assignee, by=job.created_by
    ),
    BulkJob.Kind.RETRY_ROUTING: lambda job, application, scope: application_routing_retry(
        application=application, by=job.created_by, scope=scope
    ),
}
RUN_SECONDS = 30  # one task runs a job this long at most, then publishes the rest: far within the task time limit


def bulk_job_start(*, by, kind: BulkJob.Kind, applications, form_token, language: str, assignee=None) -> tuple[
    BulkJob, bool
]:  # fmt: skip
    """Start a bulk action on ``applications`` (a queryset already scoped to ``by``'s queues) in the background, or
    return the job the same form (``form_token``) already started; the bool says whether it is new."""
    with transaction.atomic():
        job, created = BulkJob.objects.get_or_create(
            created_by=by,
            form_token=form_token,
            defaults={"kind": kind, "assignee": assignee, "language": language},
        )
        if not created:
            return job, False
        ids = list(applications.order_by("pk").values_list("pk", flat=True))
        BulkJobItem.objects.bulk_create([BulkJobItem(job=job, application_id=pk) for pk in ids], batch_size=1000)
        job.total = len(ids)
        job.save(update_fields=["total", "updated_at"])
        publish_on_commit("services.caseworker.tasks.run_bulk_job", (job.pk,))
    return job, True


def bulk_job_run(*, job_id: int) -> bool:
    """Run a job's waiting items for up to RUN_SECONDS, each in its own transaction with its result; return whether
    items are left (the task then publishes itself again).

    Idempotent: an item is locked and done once (a redelivered message, or two workers, skip what is done), and a
    finished job is left alone. Each item is checked against its creator's queues as they are now, and its message
    is worded in the creator's language, its only reader.
    """
    job = BulkJob.objects.select_related("created_by", "assignee").filter(pk=job_id).first()
    if job is None or job.status == BulkJob.Status.DONE:
        return False
    BulkJob.objects.filter(pk=job.pk).update(status=BulkJob.Status.RUNNING, updated_at=timezone.now())
    scope = staff_scope_for(user=job.created_by)
    deadline = time.monotonic() + RUN_SECONDS
    with translation.override(job.language):
        for item_id in job.items.filter(result=BulkJobItem.Result.PENDING).order_by("pk").values_list("pk", flat=True):
            if time.monotonic() > deadline:
                return True
            _run_item(job=job, item_id=item_id, scope=scope)
    BulkJob.objects.filter(pk=job.pk).update(
        status=BulkJob.Status.DONE, finished_at=timezone.now(), updated_at=timezone.now()
    )
    return False


def _run_item(*, job: BulkJob, item_id: int, scope) -> None:
    """Do one application of the job and write its result, in one transaction: done exactly once."""
    with transaction.atomic():
        item = BulkJobItem.objects.select_for_update(skip_locked=True).filter(pk=item_id).first()
        if item is None or item.result != BulkJobItem.Result.PENDING:
            return  # another worker has it, or it is done
        application = Application.objects.visible_to_staff(scope).filter(pk=item.application_id).first()
        try:
            if application is None:
                raise NotAllowed(gettext("Not in your queues (any more)."))
            with transaction.atomic():  # a refused item undoes only its own changes
                BULK_ACTIONS[job.kind](job, application, scope)
        except DomainError as exc:
            item.result, item.message = BulkJobItem.Result.FAILED, str(exc)[:500]
        else:
            item.result = BulkJobItem.Result.DONE
        item.save(update_fields=["result", "message"])
        BulkJob.objects.filter(pk=job.pk).update(updated_at=timezone.now())
