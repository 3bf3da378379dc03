"""Writes on ratings: a resident rates a step of their application; a bad rating opens a supervisor's follow-up."""

from http import HTTPStatus

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from services.accounts.permissions import StaffScope, staff_scope_for
from services.accounts.selectors import department_supervisors
from services.applications.models import Application
from services.applications.notifications import application_payload
from services.calendar.selectors import working_calendar
from services.common.errors import DomainError, NotAllowed, ValidationFailed
from services.notifications.actions import notify
from services.notifications.models import Event

from .models import FollowUp, FollowUpStatus, Rating
from .selectors import HANDLED_STEPS

CONTACT_WITHIN_WORKING_DAYS = 1
RESOLVE_WITHIN_WORKING_DAYS = 5
COMMENT_MAX_LENGTH = 1000


class AlreadyRated(DomainError):
    """This step of the application has been rated already (one rating per application and step)."""

    code = "already_rated"
    status_code = HTTPStatus.CONFLICT


def _check_scores(scores: dict[str, int], comment: str) -> None:
    errors = {
        name: [_("Choose a score from 1 to 5.")]
        for name, value in scores.items()
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5
    }
    if len(comment) > COMMENT_MAX_LENGTH:
        errors["comment"] = [_("Write at most %(max)d characters.") % {"max": COMMENT_MAX_LENGTH}]
    if errors:
        raise ValidationFailed(_("The rating has errors."), errors)


@transaction.atomic
def rating_submit(
    *, application: Application, by, speed: int, clarity: int, attitude: int, comment: str = ""
) -> Rating:
    """Record the applicant's rating of the application's current step; a score of 1 or 2 opens a follow-up."""
    if application.applicant_id != by.pk:
        raise NotAllowed(_("Only the applicant can rate this application."))
    if application.status not in HANDLED_STEPS:
        raise NotAllowed(_("A step can be rated once the department has handled it."))
    comment = comment.strip()
    _check_scores({"speed": speed, "clarity": clarity, "attitude": attitude}, comment)
    try:
        with transaction.atomic():  # a savepoint: the unique constraint wins a race between two requests
            rating = Rating.objects.create(
                application=application,
                rater=by,
                step=application.status,
                speed=speed,
                clarity=clarity,
                attitude=attitude,
                comment=comment,
            )
    except IntegrityError:
        raise AlreadyRated(_("You have already rated this step of the application.")) from None
    if rating.is_bad:
        follow_up_open(rating=rating)
    return rating


def follow_up_open(*, rating: Rating) -> FollowUp:
    """Open the follow-up of a bad rating with its working-day deadlines and tell the department's supervisors."""
    application = rating.application
    department = application.department or application.service.department
    calendar = working_calendar()
    today = timezone.localdate()
    follow_up = FollowUp.objects.create(
        rating=rating,
        department=department,
        contact_due=calendar.add_working_days(today, CONTACT_WITHIN_WORKING_DAYS),
        resolve_due=calendar.add_working_days(today, RESOLVE_WITHIN_WORKING_DAYS),
    )
    supervisors = department_supervisors(department_id=department.pk)
    notify(
        event=Event.BAD_RATING,
        event_key=f"bad-rating:{rating.public_id}",
        recipients=supervisors,
        payload={
            **application_payload(application=application),
            "comment": rating.comment,
            "path": reverse("admin:ratings_followup_change", args=[follow_up.pk]),
        },
    )
    return follow_up


def _check_supervisor(*, follow_up: FollowUp, by, scope: StaffScope | None) -> None:
    scope = staff_scope_for(user=by) if scope is None else scope
    if not scope.supervises(follow_up.department_id):
        raise NotAllowed(_("Only a supervisor of the department can follow up this rating."))


@transaction.atomic
def follow_up_record_contact(*, follow_up: FollowUp, by, scope: StaffScope | None = None) -> FollowUp:
    """Record that the supervisor has contacted the resident (again is a no-op); ``scope``: the staff scope of
    ``by``, when the caller has it already."""
    _check_supervisor(follow_up=follow_up, by=by, scope=scope)
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if follow_up.status == FollowUpStatus.OPEN:
        follow_up.status = FollowUpStatus.CONTACTED
        follow_up.contacted_at = timezone.now()
        follow_up.handled_by = by
        follow_up.save(update_fields=["status", "contacted_at", "handled_by", "updated_at"])
    return follow_up


@transaction.atomic
def follow_up_resolve(*, follow_up: FollowUp, by, outcome: str, scope: StaffScope | None = None) -> FollowUp:
    """Close the follow-up with its outcome, which the resident is told (inbox and their channels) and sees on
    their application; ``scope``: the staff scope of ``by``, when the caller has it already."""
    _check_supervisor(follow_up=follow_up, by=by, scope=scope)
    outcome = outcome.strip()
    if not outcome:
        raise ValidationFailed(_("Write the outcome for the resident."), {"outcome": [_("Enter the outcome.")]})
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    now = timezone.now()
    follow_up.contacted_at = follow_up.contacted_at or now
    follow_up.resolved_at = now
    follow_up.status = FollowUpStatus.RESOLVED
    follow_up.outcome = outcome
    follow_up.handled_by = by
    follow_up.save(update_fields=["status", "contacted_at", "resolved_at", "outcome", "handled_by", "updated_at"])
    rating = follow_up.rating
    notify(
        event=Event.FOLLOW_UP_RESOLVED,
        event_key=f"follow-up-resolved:{rating.public_id}",  # told once, with the first outcome written
        recipients=[rating.rater],
        payload={**application_payload(application=rating.application), "outcome": outcome},
    )
    return follow_up
