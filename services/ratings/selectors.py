"""Reads on ratings: what the resident has rated and may rate, and the follow-ups a supervisor works on."""

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone

from services.accounts.permissions import StaffScope
from services.applications.models import Application, Status

from .models import FollowUp, Rating


def rating_list_for_application(*, application: Application) -> QuerySet[Rating]:
    """Return the application's ratings, oldest first, each with its follow-up."""
    return Rating.objects.filter(application=application).select_related("follow_up")


# The steps someone in the department has handled: before a caseworker takes the application there is nothing to rate.
HANDLED_STEPS = (Status.IN_REVIEW, Status.AWAITING_INFORMATION, Status.APPROVED, Status.REJECTED)


def rating_can_rate(*, application: Application, user, ratings: Iterable[Rating] | None = None) -> bool:
    """Return whether the user may rate the application's current step now (theirs, a step the department has
    handled, not yet rated). ``ratings``: the application's ratings when the caller has read them (no query then)."""
    if application.applicant_id != user.pk or application.status not in HANDLED_STEPS:
        return False
    if ratings is None:
        return not Rating.objects.filter(application=application, step=application.status).exists()
    return all(rating.step != application.status for rating in ratings)


def follow_up_list_for_staff(*, scope: StaffScope) -> QuerySet[FollowUp]:
    """Return the follow-ups of the departments a staff ``scope`` supervises (all of them for an administrator)."""
    follow_ups = FollowUp.objects.select_related("rating__application", "department")
    supervised = scope.supervised()
    return follow_ups if supervised is None else follow_ups.filter(department_id__in=supervised)


def follow_up_is_late(*, follow_up: FollowUp) -> bool:
    """Return whether the follow-up has missed a deadline (contact or resolution)."""
    today = timezone.localdate()
    if follow_up.resolved_at is None and follow_up.resolve_due < today:
        return True
    return follow_up.contacted_at is None and follow_up.contact_due < today
