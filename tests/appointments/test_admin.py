"""The appointments in the admin: the day's list for counter staff, attended or not, and a supervisor closing a
counter (the bookings that no longer fit moved or cancelled)."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from services.accounts.models import DepartmentMembership
from services.appointments.actions import appointment_confirm, appointment_hold
from services.appointments.models import Appointment, AppointmentStatus
from tests.conftest import staff_login
from tests.factories import ApplicationFactory, StaffFactory

from .conftest import at, monday_ahead

pytestmark = pytest.mark.django_db
LIST = "/admin/appointments/appointment/"


def book(application, location, starts_at):
    held = appointment_hold(application=application, by=application.applicant, location=location, starts_at=starts_at)
    return appointment_confirm(appointment=held, by=application.applicant)


def test_the_day_list_and_marking_attended(location, application, health_caseworker, education_caseworker):
    today_one = book(application, location, at(monday_ahead(), 9))
    later = book(ApplicationFactory(service=application.service, submitted=True), location, at(monday_ahead(), 9))
    Appointment.objects.filter(pk=today_one.pk).update(starts_at=timezone.now() - dt.timedelta(minutes=1))
    desk = staff_login(Client(), health_caseworker)

    today = desk.get(LIST).content.decode()
    every_day = desk.get(LIST, {"day": "all"}).content.decode()
    desk.post(LIST, {"action": "mark_attended", "_selected_action": [today_one.pk]})

    assert application.reference in today and later.application.reference not in today
    assert later.application.reference in every_day
    assert Appointment.objects.get(pk=today_one.pk).status == AppointmentStatus.ATTENDED
    assert (
        application.reference
        not in staff_login(Client(), education_caseworker).get(LIST, {"day": "all"}).content.decode()
    )


def test_a_supervisor_closes_a_counter_in_the_admin(location, application, service, health):
    monday = monday_ahead()
    book(ApplicationFactory(service=service, submitted=True), location, at(monday, 9, 30))  # counter 1
    cancelled = book(application, location, at(monday, 9, 30))  # counter 2: nowhere to go that day
    supervisor = StaffFactory(department=health, department__role=DepartmentMembership.Role.SUPERVISOR)
    desk = staff_login(Client(), supervisor)
    hours = list(location.hours.all())
    data = {
        "code": location.code, "name_zh": location.name_zh, "name_en": location.name_en,
        "address_zh": location.address_zh, "address_en": location.address_en, "district": location.district,
        "department": health.pk, "services": [service.pk], "slot_minutes": 30, "counters": 1, "is_active": "on",
        "hours-TOTAL_FORMS": len(hours), "hours-INITIAL_FORMS": len(hours), "hours-MIN_NUM_FORMS": 0,
        "hours-MAX_NUM_FORMS": 1000,
    }  # fmt: skip
    for n, period in enumerate(hours):
        row = {"id": period.pk, "location": location.pk, "weekday": period.weekday, "opens": "09:00", "closes": "10:00"}
        data.update({f"hours-{n}-{name}": value for name, value in row.items()})

    response = desk.post(f"/admin/appointments/location/{location.pk}/change/", data, follow=True)

    cancelled.refresh_from_db()
    location.refresh_from_db()
    assert response.status_code == 200
    assert location.counters == 1
    assert cancelled.status == AppointmentStatus.CANCELLED
    assert "1 cancelled" in response.content.decode() or "1 个已取消" in response.content.decode()
