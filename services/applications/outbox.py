"""Which CloudEvent each move of an application writes to the outbox (services.events) for the departments'
systems. Events carry no personal data: a system reads the application itself through the systems API."""

from services.events.actions import events_record
from services.events.models import TYPE_PREFIX

from .models import DECIDED, ApplicationEvent, Status

SOURCE = "/applications"
NAMED_MOVES = {
    (Status.ROUTED, Status.IN_REVIEW): "claimed",
    (Status.IN_REVIEW, Status.ROUTED): "released",
    (Status.AWAITING_INFORMATION, Status.IN_REVIEW): "information_answered",
    (Status.IN_REVIEW, Status.AWAITING_INFORMATION): "information_requested",
}


def _name(from_status: str, to_status: str) -> str:
    if (from_status, to_status) in NAMED_MOVES:
        return NAMED_MOVES[from_status, to_status]
    if from_status == to_status:
        return "assigned"
    return "decided" if to_status in DECIDED else to_status  # submitted, routed, withdrawn


def _record(event: ApplicationEvent) -> dict:
    """Return the outbox event of a move of an application (``event_record``'s arguments)."""
    application = event.application
    department = application.department or application.service.department
    data = {
        "application": str(application.public_id),
        "reference": application.reference,
        "service": application.service.slug,
        "department": department.code,
        "status": event.to_status,
        "previous_status": event.from_status,
        "due_date": application.due_date.isoformat() if application.due_date else None,
    }
    if event.to_status in DECIDED:
        data["decision_reason"] = application.decision_reason
    return {
        "type": f"{TYPE_PREFIX}application.{_name(event.from_status, event.to_status)}",
        "source": SOURCE,
        "subject": str(application.public_id),
        "data": data,
        "department_id": department.pk,
        "time": event.created_at,  # when it happened, also when written later (workflow.announce_pending)
    }


def application_event_record(*, event: ApplicationEvent) -> None:
    """Write the outbox event of a move of an application, in the move's transaction."""
    events_record(records=[_record(event)])


def application_events_record(*, events: list[ApplicationEvent]) -> None:
    """Write the outbox events of several moves at once, in their transaction."""
    events_record(records=[_record(event) for event in events])
