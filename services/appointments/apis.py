"""Appointments in API v1: the places and free times for an application, hold one, confirm it (or move a booking
to it), read and cancel a booking."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from services.api.idempotency import IdempotentPostMixin
from services.api.openapi import IDEMPOTENT_PARAMETERS, IDEMPOTENT_PROBLEMS, PROBLEM_HEADERS, problems
from services.api.serializers import StrictInputSerializer
from services.applications.selectors import application_get_for_resident

from .actions import appointment_cancel, appointment_confirm, appointment_hold
from .models import AppointmentStatus
from .selectors import appointment_get_for_resident, free_times, location_list_for_service

DAYS_LISTED = 14


class AppointmentOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    application = serializers.UUIDField(source="application.public_id")
    location = serializers.SlugField(source="location.code")
    starts_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=AppointmentStatus.choices)
    hold_expires_at = serializers.DateTimeField(allow_null=True, help_text="While held: confirm it before then.")
    ics = serializers.SerializerMethodField(help_text="The booking as an iCalendar file (signed in on the web).")

    def get_ics(self, appointment) -> str:
        return f"/appointments/{appointment.public_id}/appointment.ics"


class TimeOutputSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    free = serializers.IntegerField(help_text="Counters still free at that time.")


class PlaceOutputSerializer(serializers.Serializer):
    code = serializers.SlugField()
    name = serializers.CharField()
    address = serializers.CharField()
    district = serializers.CharField()
    times = TimeOutputSerializer(many=True, help_text="The free times of the coming days, soonest first.")


def _place(location) -> dict:
    times = [{"starts_at": at, "free": free} for _day, day_times in free_times(location=location)[:DAYS_LISTED]
             for at, free in day_times]  # fmt: skip
    return {"code": location.code, "name": location.name, "address": location.address,
            "district": location.district, "times": times}  # fmt: skip


class ApplicationAppointmentsApi(IdempotentPostMixin, APIView):
    class InputSerializer(StrictInputSerializer):
        """A place and one of its free times; ``replaces``: the booking to move there (kept until confirmed)."""

        class Meta:
            ref_name = "AppointmentHold"

        location = serializers.SlugField(max_length=40)
        starts_at = serializers.DateTimeField()
        replaces = serializers.UUIDField(required=False, allow_null=True, default=None)

    @extend_schema(
        operation_id="applications_appointment_times",
        parameters=PROBLEM_HEADERS,
        responses={200: PlaceOutputSerializer(many=True), **problems(401, 404, 429)},
    )
    def get(self, request, public_id):
        """List the places taking appointments for the application's service, each with its free times."""
        application = application_get_for_resident(user=request.user, public_id=public_id)
        places = [_place(location) for location in location_list_for_service(service=application.service)]
        return Response(PlaceOutputSerializer(places, many=True).data)

    @extend_schema(
        operation_id="applications_appointments_hold",
        request=InputSerializer,
        parameters=IDEMPOTENT_PARAMETERS,
        responses={201: AppointmentOutputSerializer, **problems(400, 401, 403, 404, 415, 429, *IDEMPOTENT_PROBLEMS)},
        description="Hold a free time for a few minutes (`hold_expires_at`); confirm it to book. Every counter "
        "taken is a 409 problem with code `slot_full`: nothing is held and a booking it was to replace is kept.",
    )
    def post(self, request, public_id):
        """Hold a time for one of the caller's applications."""
        application = application_get_for_resident(user=request.user, public_id=public_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        location = next(
            (place for place in location_list_for_service(service=application.service)
             if place.code == data.validated_data["location"]),
            None,
        )  # fmt: skip
        if location is None:
            raise serializers.ValidationError({"location": ["Not a place of this service."]})
        replaces_id = data.validated_data["replaces"]
        replaces = appointment_get_for_resident(user=request.user, public_id=replaces_id) if replaces_id else None
        held = appointment_hold(
            application=application,
            by=request.user,
            location=location,
            starts_at=data.validated_data["starts_at"],
            replaces=replaces,
        )
        return Response(AppointmentOutputSerializer(held).data, status=status.HTTP_201_CREATED)


class AppointmentDetailApi(APIView):
    @extend_schema(
        operation_id="appointments_retrieve",
        parameters=PROBLEM_HEADERS,
        responses={200: AppointmentOutputSerializer, **problems(401, 404, 429)},
    )
    def get(self, request, public_id):
        """Read one of the caller's appointments."""
        return Response(
            AppointmentOutputSerializer(appointment_get_for_resident(user=request.user, public_id=public_id)).data
        )


class AppointmentConfirmApi(IdempotentPostMixin, APIView):
    @extend_schema(
        operation_id="appointments_confirm",
        request=None,
        parameters=IDEMPOTENT_PARAMETERS,
        responses={200: AppointmentOutputSerializer, **problems(401, 403, 404, 429, *IDEMPOTENT_PROBLEMS)},
        description="Book a held time (and cancel the booking it replaces, in one step). A hold that ran out "
        "and was taken by someone else is a 409 (`invalid_transition`).",
    )
    def post(self, request, public_id):
        """Confirm a held time."""
        appointment = appointment_get_for_resident(user=request.user, public_id=public_id)
        return Response(AppointmentOutputSerializer(appointment_confirm(appointment=appointment, by=request.user)).data)


class AppointmentCancelApi(IdempotentPostMixin, APIView):
    @extend_schema(
        operation_id="appointments_cancel",
        request=None,
        parameters=IDEMPOTENT_PARAMETERS,
        responses={200: AppointmentOutputSerializer, **problems(401, 403, 404, 429, *IDEMPOTENT_PROBLEMS)},
    )
    def post(self, request, public_id):
        """Cancel a booking (its place goes to someone else)."""
        appointment = appointment_get_for_resident(user=request.user, public_id=public_id)
        return Response(AppointmentOutputSerializer(appointment_cancel(appointment=appointment, by=request.user)).data)
