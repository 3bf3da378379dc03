"""Which application event tells the resident what: the mapping from the lifecycle to the generic messages of
services.notifications (``notify``), and what every message about an application shows."""

from services.notifications.actions import notify
from services.notifications.models import Event, Notification

from .models import Application, ApplicationEvent, Status

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


def notify_application_event(*, event: ApplicationEvent) -> list[Notification]:
    """Tell the applicant about a status change of their application that they should know of."""
    kind = EVENT_FOR_STATUS.get(event.to_status)
    if kind is None or not event.visible_to_resident or event.from_status == event.to_status:  # e.g. reassigned
        return []
    application = event.application
    payload = {
        **application_payload(application=application),
        "approved": event.to_status == Status.APPROVED,
        "message": event.message,
    }
    return notify(
        event=kind,
        event_key=f"application-event:{event.pk}",  # the event was just created: its key is new
        recipients=[application.applicant],
        payload=payload,
        new_key=True,
    )
