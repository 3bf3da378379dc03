from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import Application, ApplicationEvent


def application_list_for_resident(*, user) -> QuerySet[Application]:
    """Return the resident's own applications, newest first, with their service and department."""
    return Application.objects.for_applicant(user).select_related("service__department")


def application_get_for_resident(*, user, public_id) -> Application:
    """Return the resident's own application or raise Http404 (another person's is not found)."""
    return get_object_or_404(application_list_for_resident(user=user), public_id=public_id)


def application_timeline(*, application: Application, for_resident: bool) -> QuerySet[ApplicationEvent]:
    """Return the application's events in order; residents see only those meant for them."""
    events = application.events.all()
    return events.filter(visible_to_resident=True) if for_resident else events.select_related("actor")
