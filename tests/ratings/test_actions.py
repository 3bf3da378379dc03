import datetime as dt

import pytest
from django.db import IntegrityError

from services.accounts.permissions import staff_scope_for
from services.applications.models import Status
from services.common.errors import NotAllowed, ValidationFailed
from services.notifications.models import Channel, Event, Notification
from services.ratings.actions import (
    AlreadyRated,
    follow_up_record_contact,
    follow_up_resolve,
    rating_submit,
)
from services.ratings.models import FollowUpStatus, Rating
from services.ratings.selectors import follow_up_list_for_staff, rating_can_rate
from tests.factories import ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db

GOOD = {"speed": 5, "clarity": 4, "attitude": 5}
BAD = {"speed": 1, "clarity": 3, "attitude": 4}


def test_good_rating_is_recorded_for_the_current_step_without_follow_up(application, resident):
    """A good rating records the application's status as the step and opens no follow-up."""
    rating = rating_submit(application=application, by=resident, comment=" quick ", **GOOD)
    assert rating.step == Status.IN_REVIEW
    assert rating.comment == "quick"
    assert not hasattr(rating, "follow_up") or rating.follow_up is None


def test_one_rating_per_application_and_step(application, resident):
    """A second rating of the same step is refused; the next step can be rated again."""
    rating_submit(application=application, by=resident, **GOOD)
    with pytest.raises(AlreadyRated):
        rating_submit(application=application, by=resident, **GOOD)
    assert not rating_can_rate(application=application, user=resident)
    application.status = Status.APPROVED
    application.save(update_fields=["status"])
    assert rating_can_rate(application=application, user=resident)
    rating_submit(application=application, by=resident, **GOOD)
    assert Rating.objects.filter(application=application).count() == 2


def test_unique_constraint_backs_the_action(application, resident):
    """The database itself refuses a second row for the same application and step."""
    Rating.objects.create(application=application, rater=resident, step=Status.IN_REVIEW, **GOOD)
    with pytest.raises(IntegrityError):
        Rating.objects.create(application=application, rater=resident, step=Status.IN_REVIEW, **GOOD)


def test_only_the_applicant_rates(application):
    """Someone else cannot rate the application."""
    with pytest.raises(NotAllowed):
        rating_submit(application=application, by=UserFactory(), **GOOD)


@pytest.mark.parametrize("status", ["draft", "submitted", "routed", "withdrawn"])
def test_a_step_nobody_in_the_department_handled_cannot_be_rated(resident, service, status):
    """A draft, or an application no caseworker has taken yet, has nothing to rate: no form, and refused."""
    application = ApplicationFactory.in_status(status, applicant=resident, service=service)
    assert not rating_can_rate(application=application, user=resident)
    with pytest.raises(NotAllowed):
        rating_submit(application=application, by=resident, **GOOD)


@pytest.mark.parametrize("scores", [{**GOOD, "speed": 0}, {**GOOD, "clarity": 6}, {**GOOD, "attitude": True}])
def test_scores_must_be_1_to_5(application, resident, scores):
    """Scores out of range are refused with the field named."""
    with pytest.raises(ValidationFailed) as caught:
        rating_submit(application=application, by=resident, **scores)
    assert caught.value.errors


def test_bad_rating_opens_follow_up_on_working_days_and_notifies_supervisor(
    application, resident, health_supervisor, health_caseworker, django_capture_on_commit_callbacks, monkeypatch
):
    """A score of 1 opens a follow-up: contact within 1 working day, resolve within 5; the supervisor is told."""
    friday = dt.date(2026, 11, 27)
    monkeypatch.setattr("services.ratings.actions.timezone.localdate", lambda: friday)
    with django_capture_on_commit_callbacks():
        rating = rating_submit(application=application, by=resident, comment="Nobody answered", **BAD)
    follow_up = rating.follow_up
    assert follow_up.department == application.department
    assert follow_up.status == FollowUpStatus.OPEN
    assert follow_up.contact_due == dt.date(2026, 11, 30)  # Monday, the weekend is not counted
    assert follow_up.resolve_due == dt.date(2026, 12, 4)
    notifications = Notification.objects.filter(event=Event.BAD_RATING)
    assert {n.recipient for n in notifications} == {health_supervisor}
    inbox = notifications.get(channel=Channel.IN_APP)
    assert inbox.payload["comment"] == "Nobody answered"
    assert inbox.payload["path"].startswith("/admin/ratings/followup/")


def test_supervisor_contacts_and_resolves(application, resident, health_supervisor):
    """Contact is recorded, then the outcome resolves the follow-up and is kept for the resident."""
    follow_up = rating_submit(application=application, by=resident, **BAD).follow_up
    follow_up = follow_up_record_contact(follow_up=follow_up, by=health_supervisor)
    assert follow_up.status == FollowUpStatus.CONTACTED and follow_up.contacted_at
    with pytest.raises(ValidationFailed):
        follow_up_resolve(follow_up=follow_up, by=health_supervisor, outcome=" ")
    follow_up = follow_up_resolve(follow_up=follow_up, by=health_supervisor, outcome="We apologised.")
    assert follow_up.status == FollowUpStatus.RESOLVED
    assert follow_up.outcome == "We apologised."
    # the resident is told, with the outcome
    (told,) = Notification.objects.filter(event=Event.FOLLOW_UP_RESOLVED, channel=Channel.IN_APP)
    assert (told.recipient, told.payload["outcome"]) == (resident, "We apologised.")
    assert told.payload["path"] == application.get_absolute_url()


def test_caseworker_and_other_supervisors_cannot_follow_up(
    application, resident, health_caseworker, education_caseworker
):
    """Only the department's supervisors see and handle its follow-ups."""
    follow_up = rating_submit(application=application, by=resident, **BAD).follow_up
    with pytest.raises(NotAllowed):
        follow_up_record_contact(follow_up=follow_up, by=health_caseworker)
    assert not follow_up_list_for_staff(scope=staff_scope_for(user=health_caseworker)).exists()
    assert not follow_up_list_for_staff(scope=staff_scope_for(user=education_caseworker)).exists()
