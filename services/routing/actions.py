import logging

from django.db import transaction
from django.utils import timezone

from services.applications.models import OPEN_STATUSES, Application, Status
from services.applications.workflow import application_transition

from .selectors import routing_decide

logger = logging.getLogger(__name__)


def application_route(*, application_id: int) -> Application | None:
    """Put a submitted application in its department's queue; do nothing if it was already routed.

    Publishes the department's intake work to its own Celery queue after commit.
    """
    from .tasks import intake_application

    with transaction.atomic():
        # Lock only the application row: on PostgreSQL a plain FOR UPDATE would also lock the joined
        # service and department rows and serialise the routing of every application of that service.
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("service__department")
            .filter(pk=application_id)
            .first()
        )
        if application is None or application.status != Status.SUBMITTED:
            return None
        decision = routing_decide(application=application)
        application = application_transition(
            application=application,
            to=Status.ROUTED,
            by=None,
            changes={"department": decision.department, "priority": decision.priority},
        )
        intake_application.apply_async_on_commit((application.pk,), queue=decision.department.celery_queue)
    logger.info("routed %s to %s by rule %s", application.reference, decision.department.code, decision.rule)
    return application


@transaction.atomic
def application_intake_check(*, application_id: int) -> list[dict]:
    """Run the department's automatic checks on a routed application and record what they found.

    Findings are stored as codes with data (``{"code": "duplicate_open", "references": [...]}``) and put
    into words only when shown, in the reader's language.
    """
    application = Application.objects.select_for_update().filter(pk=application_id).first()
    if application is None:
        return []
    if application.status != Status.ROUTED or application.intake_checked_at:
        return application.intake_flags
    flags = []
    duplicates = (
        Application.objects.filter(
            applicant_id=application.applicant_id,
            service_id=application.service_id,
            status__in=OPEN_STATUSES,
        )
        .exclude(pk=application.pk)
        .values_list("reference", flat=True)
    )
    if duplicates:
        flags.append({"code": "duplicate_open", "references": list(duplicates)})
    application.intake_flags, application.intake_checked_at = flags, timezone.now()
    application.save(update_fields=["intake_flags", "intake_checked_at", "updated_at"])
    return application.intake_flags
