import datetime as dt
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from services.applications.selectors import application_get_for_resident
from services.common.errors import DomainError

from .actions import appointment_cancel, appointment_confirm, appointment_hold
from .selectors import (
    appointment_from_cancel_token,
    appointment_get_for_resident,
    appointment_ics,
    free_times,
    location_list_for_service,
)

DAYS_SHOWN = 10


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise Http404 from None


def _chosen_time(value: str) -> dt.datetime | None:
    try:
        chosen = parse_datetime(value or "")
    except ValueError:
        return None
    return chosen if chosen is not None and chosen.tzinfo is not None else None


@login_required
def book(request, application_id):
    """Choose a place and a time; the time is then held while the resident confirms. ``replace``: the booking a
    new time is chosen for (a reschedule: it stays until the new one is confirmed)."""
    application = application_get_for_resident(user=request.user, public_id=application_id)
    replace_id = request.POST.get("replace") or request.GET.get("replace")
    replaces = appointment_get_for_resident(user=request.user, public_id=_uuid(replace_id)) if replace_id else None
    locations = location_list_for_service(service=application.service)
    code = request.POST.get("location") or request.GET.get("location")
    location = next((place for place in locations if place.code == code), locations[0] if locations else None)
    error = None
    if request.method == "POST" and location is not None:
        starts_at = _chosen_time(request.POST.get("slot"))
        try:
            if starts_at is None:
                raise DomainError(_("Choose a time."))
            held = appointment_hold(
                application=application, by=request.user, location=location, starts_at=starts_at, replaces=replaces
            )
        except DomainError as exc:
            error = str(exc)
        else:
            return redirect("appointments:confirm", public_id=held.public_id)
    context = {
        "application": application,
        "locations": locations,
        "location": location,
        "days": free_times(location=location)[:DAYS_SHOWN] if location else [],
        "replaces": replaces,
        "error": error,
        "chosen": request.POST.get("slot", ""),
    }
    return render(request, "appointments/book.html", context, status=400 if error else 200)


@login_required
def confirm(request, public_id):
    appointment = appointment_get_for_resident(user=request.user, public_id=public_id)
    if request.method == "POST":
        try:
            appointment = appointment_confirm(appointment=appointment, by=request.user)
        except DomainError as exc:
            messages.error(request, str(exc))
            return redirect("appointments:book", application_id=appointment.application.public_id)
        messages.success(request, _("Your appointment is booked."))
        return redirect(appointment)
    if appointment.status != "held":
        return redirect(appointment)
    return render(request, "appointments/confirm.html", {"appointment": appointment})


@login_required
def detail(request, public_id):
    appointment = appointment_get_for_resident(user=request.user, public_id=public_id)
    return render(request, "appointments/detail.html", {"appointment": appointment})


@login_required
@require_POST
def cancel(request, public_id):
    appointment = appointment_get_for_resident(user=request.user, public_id=public_id)
    try:
        appointment_cancel(appointment=appointment, by=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your appointment is cancelled."))
    return redirect(appointment.application)


def cancel_link(request, token):
    """The cancel link of the confirmation message: no sign-in needed, the signed link is the proof."""
    appointment = appointment_from_cancel_token(token=token)
    cancelled = False
    if request.method == "POST":
        try:
            appointment = appointment_cancel(appointment=appointment)
            cancelled = True
        except DomainError as exc:
            messages.error(request, str(exc))
    return render(request, "appointments/cancel_link.html", {"appointment": appointment, "cancelled": cancelled})


@login_required
def ics(request, public_id):
    appointment = appointment_get_for_resident(user=request.user, public_id=public_id)
    response = HttpResponse(appointment_ics(appointment=appointment), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="appointment-{appointment.application.reference}.ics"'
    return response
