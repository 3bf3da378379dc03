"""Which application event tells whom what: the mapping from the lifecycle, the draft purge and the deadlines to
the generic messages of services.notifications (``notify``), and what every message about an application shows."""

import datetime as dt
import hashlib
import logging

from django.urls import reverse
from django.utils import translation

from services.accounts.selectors import department_supervisors
from services.catalogue.models import Department
from services.notifications.actions import notify, notify_new
from services.notifications.models import Event, Notification

from .models import Application, ApplicationEvent, Status

logger = logging.getLogger(__name__)

EVENT_FOR_STATUS = {
    Status.SUBMITTED: Event.SUBMITTED,
    Status.ROUTED: Event.ROUTED,
    Status.AWAITING_INFORMATION: Event.INFORMATION_REQUESTED,
    Status.APPROVED: Event.DECIDED,
    Status.REJECTED: Event.DECIDED,
}


def application_payload(*, application: Application) -> dict:
    """Return what every message about an application shows: reference, service, department, due date, link."""
    department = application.department
    due_date = getattr(application, "due_date", None)
    return {
        "reference": application.reference,
        "service": {"zh": application.service.title_zh, "en": application.service.title_en},
        "department": {"zh": department.name_zh, "en": department.name_en} if department else "",
        "due_date": due_date.isoformat() if due_date else "",
        "path": application.get_absolute_url(),
    }


def _event_notice(*, event: ApplicationEvent, notice: dict | None = None) -> dict | None:
    """Return what the applicant is told of a move (``notify``'s arguments), or None if they need not hear of it."""
    kind = EVENT_FOR_STATUS.get(event.to_status)
    if kind is None or not event.visible_to_resident or event.from_status == event.to_status:  # e.g. reassigned
        return None
    application = event.application
    payload = {
        **application_payload(application=application),
        "approved": event.to_status == Status.APPROVED,
        "message": event.message,
        **(notice or {}),
    }
    # The event was just created: its key is new.
    return {"event": kind, "event_key": f"application-event:{event.pk}", "recipients": [application.applicant],
            "payload": payload}  # fmt: skip


def notify_application_event(*, event: ApplicationEvent, notice: dict | None = None) -> list[Notification]:
    """Tell the applicant about a status change of their application that they should know of; ``notice`` adds
    to the payload (values in both languages are worded in the resident's)."""
    told = _event_notice(event=event, notice=notice)
    return notify(**told, new_key=True) if told else []


def notify_application_events(*, events: list[ApplicationEvent]) -> list[Notification]:
    """Tell each applicant about the status changes of their applications just recorded, in one insert."""
    return notify_new(notices=[told for event in events if (told := _event_notice(event=event))])


def notify_agent_act(*, event: ApplicationEvent) -> list[Notification]:
    """Tell the applicant that an agent acting for them under a mandate moved their application (and to what)."""
    application, agent = event.application, event.actor
    profile = getattr(agent, "profile", None)
    name = getattr(profile, "legal_name", "") or agent.email
    status = Status(event.to_status)
    with translation.override("zh-hans"):
        status_zh = str(status.label)
    with translation.override("en"):
        status_en = str(status.label)
    return notify(
        event=Event.ACTED_FOR_YOU,
        event_key=f"agent-act:{event.pk}",
        recipients=[application.applicant],
        payload={
            **application_payload(application=application),
            "agent": name,
            "status": {"zh": status_zh, "en": status_en},
        },
        new_key=True,
    )


def notify_draft_deadline(*, application: Application, deleted_on: dt.date) -> list[Notification]:
    """Tell the applicant that their untouched draft will be deleted on ``deleted_on`` unless they carry on."""
    return notify(
        event=Event.DRAFT_DEADLINE,
        # One reminder per deletion date: a draft saved again, then forgotten again, is reminded again.
        event_key=f"draft-deadline:{application.public_id}:{deleted_on.isoformat()}",
        recipients=[application.applicant],
        payload={**application_payload(application=application), "deadline": deleted_on.isoformat()},
    )


def notify_applications_overdue(*, department: Department, applications: list[Application]) -> list[Notification]:
    """Tell the department's active supervisors, in one message, which of its applications are past their due
    date (the longest overdue first)."""
    supervisors = department_supervisors(department_id=department.pk)
    if not supervisors:
        logger.warning("overdue applications but no supervisor to tell", extra={"queue": department.celery_queue})
        return []
    applications = sorted(applications, key=lambda application: (application.due_date, application.reference))
    # The key names these applications at these due dates (a notice belongs to a due date): the same batch
    # notified again adds nothing, a later due date of one of them is a new notice.
    batch = ",".join(sorted(f"{application.pk}@{application.due_date}" for application in applications))
    return notify(
        event=Event.OVERDUE,
        event_key=f"overdue:{department.code}:{hashlib.sha256(batch.encode()).hexdigest()[:32]}",
        recipients=supervisors,
        payload={
            "department": {"zh": department.name_zh, "en": department.name_en},
            "applications": [
                {
                    "reference": application.reference,
                    "service": {"zh": application.service.title_zh, "en": application.service.title_en},
                    "due_date": application.due_date.isoformat(),
                }
                for application in applications
            ],
            "path": reverse("admin:applications_application_changelist") + "?deadline=overdue",
        },
    )
