"""The applications' part of a resident's personal data."""

from services.accounts.privacy import register

from .models import Application, Status


def export_applications(user):
    """Return each of the resident's applications with its answers, decision and the timeline they see."""
    applications = Application.objects.filter(applicant=user).select_related("service").prefetch_related("events")
    return [
        {
            "reference": application.reference,
            "service": application.service.title_zh,
            "service_en": application.service.title_en,
            "status": application.status,
            "answers": application.answers,
            "submitted_at": application.submitted_at,
            "decided_at": application.decided_at,
            "decision_reason": application.decision_reason,
            "timeline": [
                {"at": event.created_at, "status": event.to_status, "message": event.message}
                for event in application.events.all()
                if event.visible_to_resident
            ],
        }
        for application in applications
    ], []


def erase_applications(user) -> None:
    """Delete the resident's drafts; submitted applications are kept, as the law requires, with their timeline and
    the documents attached to them."""
    Application.objects.filter(applicant=user, status=Status.DRAFT).delete()


register(app_label="applications", section="applications", export_for=export_applications,
         erase_for=erase_applications)  # fmt: skip
