"""Appointments in the app's API: the free times, hold and confirm, a full time, moving and cancelling."""

import pytest
from rest_framework.test import APIClient

from services.appointments.actions import appointment_confirm, appointment_hold
from services.appointments.models import Appointment, AppointmentStatus
from tests.factories import ApplicationFactory, UserFactory

from .conftest import at, monday_ahead

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(application):
    client = APIClient()
    client.force_authenticate(application.applicant)
    return client


def test_list_hold_and_confirm(api, location, application):
    url = f"/api/v1/applications/{application.public_id}/appointments/"
    starts_at = at(monday_ahead(), 9)

    places = api.get(url).json()
    held = api.post(url, {"location": location.code, "starts_at": starts_at.isoformat()}, format="json")
    again = api.post(
        url, {"location": location.code, "starts_at": starts_at.isoformat()}, format="json",
        headers={"Idempotency-Key": "hold-1"},
    )  # fmt: skip
    replayed = api.post(
        url, {"location": location.code, "starts_at": starts_at.isoformat()}, format="json",
        headers={"Idempotency-Key": "hold-1"},
    )  # fmt: skip
    confirmed = api.post(f"/api/v1/appointments/{again.json()['id']}/confirm/")

    assert places[0]["code"] == location.code and places[0]["times"][0]["free"] == 2
    assert held.status_code == 201 and held.json()["status"] == "held"
    assert replayed.headers.get("Idempotent-Replayed") == "true" and replayed.json()["id"] == again.json()["id"]
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "booked"
    assert Appointment.objects.filter(application=application, status=AppointmentStatus.BOOKED).count() == 1


def test_a_full_time_is_a_409_and_keeps_the_booking_to_move(api, location, application, service):
    url = f"/api/v1/applications/{application.public_id}/appointments/"
    first = api.post(url, {"location": location.code, "starts_at": at(monday_ahead(), 9).isoformat()}, format="json")
    api.post(f"/api/v1/appointments/{first.json()['id']}/confirm/")
    full = at(monday_ahead(), 9, 30)
    for _counter in range(2):
        other = ApplicationFactory(service=service, submitted=True)
        held = appointment_hold(application=other, by=other.applicant, location=location, starts_at=full)
        appointment_confirm(appointment=held, by=other.applicant)

    moved = api.post(url, {"location": location.code, "starts_at": full.isoformat(), "replaces": first.json()["id"]},
                     format="json")  # fmt: skip

    assert (moved.status_code, moved.json()["code"]) == (409, "slot_full")
    assert Appointment.objects.get(public_id=first.json()["id"]).status == AppointmentStatus.BOOKED


def test_bad_input_is_a_400_and_another_residents_booking_a_404(api, location, application):
    url = f"/api/v1/applications/{application.public_id}/appointments/"

    no_place = api.post(url, {"location": "nowhere", "starts_at": at(monday_ahead(), 9).isoformat()}, format="json")
    no_time = api.post(url, {"location": location.code, "starts_at": "soon"}, format="json")
    held = api.post(url, {"location": location.code, "starts_at": at(monday_ahead(), 9).isoformat()}, format="json")
    other = APIClient()
    other.force_authenticate(UserFactory())

    assert no_place.status_code == 400 and no_place.json()["errors"][0]["field"] == "location"
    assert no_time.status_code == 400
    assert other.get(f"/api/v1/appointments/{held.json()['id']}/").status_code == 404
    assert other.post(f"/api/v1/appointments/{held.json()['id']}/cancel/").status_code == 404
    assert api.post(f"/api/v1/appointments/{held.json()['id']}/cancel/").json()["status"] == "cancelled"
