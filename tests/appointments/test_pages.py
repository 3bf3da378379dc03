"""The resident's appointment pages: choose a time, confirm it, see it, and nobody else's."""

import pytest
from django.urls import reverse

from services.appointments.actions import appointment_hold
from services.appointments.models import Appointment, AppointmentStatus
from services.appointments.notifications import cancel_token
from services.appointments.selectors import free_times
from tests.factories import UserFactory
from tests.web.html import assert_accessible

from .conftest import at, monday_ahead

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, application):
    client.force_login(application.applicant)
    client.cookies["django_language"] = "en"
    return client


def test_book_choose_a_time_then_confirm(signed_in, location, application):
    starts_at = free_times(location=location)[0][1][-1][0]  # the last time of the first day offered
    url = reverse("appointments:book", kwargs={"application_id": application.public_id})

    page = signed_in.get(url).content.decode()
    held = signed_in.post(url, {"location": location.code, "slot": starts_at.isoformat()})
    confirm_page = signed_in.get(held.url).content.decode()
    booked = signed_in.post(held.url)

    appointment = Appointment.objects.get(application=application)
    assert starts_at.isoformat() in page and "2 places left" in page
    assert "We keep this time for you until" in confirm_page
    assert booked.url == appointment.get_absolute_url()
    assert appointment.status == AppointmentStatus.BOOKED and appointment.starts_at == starts_at


@pytest.mark.parametrize("slot", ["", "tomorrow", "2020-01-01T09:00:00+08:00", "2030-02-30T09:00:00+08:00"])
def test_a_bad_or_past_time_is_explained_and_books_nothing(signed_in, location, application, slot):
    url = reverse("appointments:book", kwargs={"application_id": application.public_id})

    response = signed_in.post(url, {"location": location.code, "slot": slot})

    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not Appointment.objects.exists()


def test_the_application_page_offers_a_booking(signed_in, location, application):
    page = signed_in.get(application.get_absolute_url()).content.decode()

    assert reverse("appointments:book", kwargs={"application_id": application.public_id}) in page


def test_someone_elses_appointment_is_not_found(client, location, application):
    held = appointment_hold(
        application=application, by=application.applicant, location=location, starts_at=at(monday_ahead(), 9)
    )
    client.force_login(UserFactory())

    for name in ("detail", "confirm", "ics"):
        assert client.get(reverse(f"appointments:{name}", kwargs={"public_id": held.public_id})).status_code == 404
    assert client.post(reverse("appointments:cancel", kwargs={"public_id": held.public_id})).status_code == 404
    book = reverse("appointments:book", kwargs={"application_id": application.public_id})
    assert client.get(book).status_code == 404


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_pages_meet_the_accessibility_basics(client, location, application, language):
    client.force_login(application.applicant)
    client.cookies["django_language"] = language
    held = appointment_hold(
        application=application, by=application.applicant, location=location, starts_at=at(monday_ahead(), 9)
    )

    assert_accessible(client.get(reverse("appointments:book", kwargs={"application_id": application.public_id})))
    assert_accessible(client.get(reverse("appointments:confirm", kwargs={"public_id": held.public_id})))
    assert_accessible(client.get(reverse("appointments:detail", kwargs={"public_id": held.public_id})))
    token = cancel_token(appointment=held)
    assert_accessible(client.get(reverse("appointments:cancel_link", kwargs={"token": token})))
