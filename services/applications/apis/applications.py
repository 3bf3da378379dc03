"""A resident's applications in API v1: list, create a draft, read, save answers, submit, withdraw."""

import functools
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import datetime, tzinfo
from typing import Any

from django.utils import timezone, translation
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from services.api.idempotency import IdempotentPostMixin
from services.api.openapi import IDEMPOTENT_PARAMETERS, IDEMPOTENT_PROBLEMS, PROBLEM_HEADERS, problems
from services.api.renderers import raw_json
from services.api.serializers import StrictInputSerializer
from services.catalogue.apis import FormOutputSerializer, form_json
from services.catalogue.selectors import service_form_get_active
from services.common.errors import ValidationFailed
from services.dynamic_forms.serializers import AnswerField
from services.mandates.models import Mandate
from services.mandates.selectors import mandate_grantor_for

from ..actions import (
    application_create_draft,
    application_save_answers,
    application_submit,
    application_withdraw,
)
from ..models import Application, Channel, FeeStatus, Status, resident_status_label
from ..one_call import application_create_submitted
from ..selectors import (
    SUMMARY_COLUMNS,
    application_fee_quote,
    application_get_for_resident,
    application_summaries_for_resident,
    application_timeline,
    resident_timeline_rows,
)


@contextmanager
def answers_errors():
    """Report the answers' errors where they sit in the request body: ``answers.<question>``."""
    try:
        yield
    except ValidationFailed as exc:
        exc.errors = {"answers": exc.errors}  # the same error (DocumentsMissing keeps its code and its list)
        raise


class EventOutputSerializer(serializers.Serializer):
    at = serializers.DateTimeField(source="created_at")
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    message = serializers.CharField()


class StatusLabelField(serializers.CharField):
    """The status's label in the reader's language, looked up directly (``get_status_display`` hashes every
    choice's lazy label, and DRF inspects that method's signature, on each row)."""

    def to_representation(self, value):
        return resident_status_label(value)


class ApplicationOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    reference = serializers.CharField()
    service = serializers.SlugField(source="service.slug")
    status = serializers.ChoiceField(choices=Application._meta.get_field("status").choices)
    status_label = StatusLabelField(source="status")
    form_version = serializers.IntegerField(
        source="form_version.number", allow_null=True, help_text="The version of the service's form it is filled with."
    )
    answers = serializers.DictField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    due_date = serializers.DateField(
        allow_null=True,
        help_text="The legal due date of the decision (working days on the official calendar); it moves on while "
        "the application waits for the resident's information.",
    )
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_reason = serializers.CharField()
    created_at = serializers.DateTimeField()


def application_summaries_json(*, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the list items ApplicationOutputSerializer gives, built straight from ``values()`` summary rows (the
    answers: a list's as the JSON text the database holds, written out as it is; a single application's as read)."""
    labels = _status_labels(translation.get_language())  # in the reader's language
    zone = timezone.get_current_timezone()
    return [
        {
            "id": str(row["public_id"]),
            "reference": row["reference"],
            "service": row["service__slug"],
            "status": row["status"],
            "status_label": labels[row["status"]],
            "form_version": row["form_version__number"],
            "answers": raw_json(row["answers_json"]) if "answers_json" in row else row["answers"],
            "submitted_at": _datetime_json(value=row["submitted_at"], zone=zone),
            "due_date": row["due_date"] and row["due_date"].isoformat(),
            "decided_at": _datetime_json(value=row["decided_at"], zone=zone),
            "decision_reason": row["decision_reason"],
            "created_at": _datetime_json(value=row["created_at"], zone=zone),
        }
        for row in rows
    ]


@functools.cache
def _status_labels(language: str | None) -> dict[str, str]:
    """Return every status's label for residents in ``language``, translated once per process (translating each
    status's lazy label for every page was about 4 % of a list request)."""
    with translation.override(language):
        return {value: resident_status_label(value) for value in Status.values}


def _datetime_json(*, value: datetime | None, zone: tzinfo) -> str | None:
    """Return an aware datetime as DRF's DateTimeField shows it: ISO 8601 in ``zone``, UTC as ``Z``."""
    if value is None:
        return None
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class FeeQuoteOutputSerializer(serializers.Serializer):
    amount_fen = serializers.IntegerField(help_text="To pay, in fen (CNY): 0 when free or waived.")
    full_fen = serializers.IntegerField(help_text="The fee before a waiver, in fen.")
    units = serializers.IntegerField(allow_null=True, help_text="The answer the price is multiplied by, if any.")
    waived = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField(), help_text="Why the fee is waived.")


class MandateSnapshotOutputSerializer(serializers.Serializer):
    agent = serializers.CharField(source="grantee_name", help_text="Who made it, acting for the applicant.")
    basis = serializers.ChoiceField(choices=Mandate.Basis.choices)
    valid_until = serializers.DateField(allow_null=True)


class ApplicationDetailOutputSerializer(ApplicationOutputSerializer):
    made_by_agent = serializers.SerializerMethodField(
        help_text="Set when an agent made it for the applicant under a mandate (the mandate as it was then)."
    )
    form = FormOutputSerializer(
        source="form_version", allow_null=True, help_text="The form the answers are filled with, kept when it changes."
    )
    fee_fen = serializers.IntegerField(help_text="The fee quoted at submission, in fen (CNY), before any waiver.")
    fee_status = serializers.ChoiceField(
        choices=FeeStatus.choices, help_text="A submitted application whose fee is `due` is routed once it is paid."
    )
    fee_quote = serializers.SerializerMethodField(help_text="For a draft: the fee submitting it now would charge.")
    timeline = serializers.SerializerMethodField()

    @extend_schema_field(FeeQuoteOutputSerializer(allow_null=True))
    def get_fee_quote(self, application):
        if application.status != Status.DRAFT:
            return None
        return FeeQuoteOutputSerializer(application_fee_quote(application=application)).data

    @extend_schema_field(MandateSnapshotOutputSerializer(allow_null=True))
    def get_made_by_agent(self, application):
        snapshot = application.mandate_snapshot
        return MandateSnapshotOutputSerializer(snapshot).data if snapshot else None

    @extend_schema_field(EventOutputSerializer(many=True))
    def get_timeline(self, application):
        return EventOutputSerializer(application_timeline(application=application, for_resident=True), many=True).data


def application_detail_json(*, application: Application, timeline: Iterable | None = None) -> dict[str, Any]:
    """Return what ApplicationDetailOutputSerializer gives, built directly: the list item's fields as the list builds
    them, then the rest (the serializer's fields deep-copied and run for each response were about 8 % of a one-call
    submission's CPU). ``timeline``: the application's events, when the caller has just written the whole of it."""
    row = {column: _column_value(application, column) for column in SUMMARY_COLUMNS}
    snapshot, zone = application.mandate_snapshot, timezone.get_current_timezone()
    if timeline is None:
        events = resident_timeline_rows(application_id=application.pk)
    else:
        events = [(event.created_at, event.from_status, event.to_status, event.message) for event in timeline]
    draft = application.status == Status.DRAFT
    return {
        **application_summaries_json(rows=[row])[0],
        "made_by_agent": MandateSnapshotOutputSerializer(snapshot).data if snapshot else None,
        "form": form_json(application.form_version) if application.form_version_id else None,
        "fee_fen": application.fee_fen,
        "fee_status": application.fee_status,
        "fee_quote": FeeQuoteOutputSerializer(application_fee_quote(application=application)).data if draft else None,
        "timeline": [
            {"at": _datetime_json(value=at, zone=zone), "from_status": from_, "to_status": to, "message": message}
            for at, from_, to, message in events
        ],
    }


def _column_value(application: Application, column: str) -> Any:
    """Return the value a ``values()`` column names (``service__slug``) on the loaded application."""
    value = application
    for name in column.split("__"):
        value = None if value is None else getattr(value, name)
    return value


class ApplicationListCreateApi(IdempotentPostMixin, ListAPIView):
    serializer_class = ApplicationOutputSerializer

    class InputSerializer(StrictInputSerializer):
        """A new draft: the service's slug and the answers so far, by question name; unknown fields are refused.
        With ``submit``, the application is submitted at once instead (the answers then complete)."""

        class Meta:
            ref_name = "ApplicationCreate"

        service = serializers.SlugField(max_length=80)
        answers = serializers.DictField(child=AnswerField(), required=False, default=dict)
        on_behalf_of = serializers.UUIDField(
            required=False,
            help_text="A mandate you hold (GET /api/v1/mandates/): the draft is for the person it is from, filled "
            "from their data; without one in force that covers the service, 404.",
        )
        submit = serializers.BooleanField(
            required=False,
            default=False,
            help_text="Submit it in the same call: the answers are checked in full and the eligibility rules applied, "
            "exactly as `POST /applications/{id}/submit/` does (the same errors, and nothing is created when refused); "
            "the answer is the submitted application. Questions left out are filled in from the profile only "
            "(`x-prefill`), never from earlier applications (a draft's suggestions, for the resident to review).",
        )

    class FilterSerializer(serializers.Serializer):
        status = serializers.ListField(child=serializers.ChoiceField(choices=Status.choices), required=False)
        service = serializers.SlugField(max_length=80, required=False)

    def get_queryset(self):
        params, filters = self.request.query_params, {}
        if "status" in params or "service" in params:  # the app's usual list has neither: nothing to validate
            serializer = self.FilterSerializer(data=params)
            serializer.is_valid(raise_exception=True)
            filters = serializer.validated_data
        return application_summaries_for_resident(
            user=self.request.user, statuses=filters.get("status", ()), service=filters.get("service", "")
        )

    @extend_schema(
        operation_id="applications_list",
        parameters=[
            OpenApiParameter(
                "status",
                str,
                enum=Status.values,
                many=True,
                explode=True,
                description="Only applications in one of these statuses (repeat it: `?status=draft&status=routed`).",
            ),
            OpenApiParameter("service", str, description="Only applications for this service (its slug)."),
            *PROBLEM_HEADERS,
        ],
        responses={200: ApplicationOutputSerializer(many=True), **problems(400, 401, 429)},
    )
    def get(self, request, *args, **kwargs):
        """List the caller's own applications, newest first (cursor pagination)."""
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(application_summaries_json(rows=page))

    @extend_schema(
        operation_id="applications_create",
        request=InputSerializer,
        parameters=IDEMPOTENT_PARAMETERS,
        responses={
            201: ApplicationDetailOutputSerializer,
            **problems(400, 401, 403, 404, 415, 429, *IDEMPOTENT_PROBLEMS),
        },
    )
    def post(self, request):
        """Create a draft application (answers may be incomplete but never invalid), or with `submit` create and
        submit it in one call (answers complete)."""
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        service, version = service_form_get_active(slug=data.validated_data["service"])
        applicant = request.user
        if "on_behalf_of" in data.validated_data:
            applicant = mandate_grantor_for(
                grantee=request.user, public_id=str(data.validated_data["on_behalf_of"]), service=service
            )
        arguments = {"applicant": applicant, "service": service, "answers": data.validated_data["answers"],
                     "channel": Channel.MOBILE, "acting": request.user, "form_version": version}  # fmt: skip
        with answers_errors():
            if data.validated_data["submit"]:
                application, event = application_create_submitted(**arguments)
                output = application_detail_json(application=application, timeline=[event])
            else:  # a new draft has no event yet: nothing to read back
                output = application_detail_json(application=application_create_draft(**arguments), timeline=[])
        return Response(output, status=status.HTTP_201_CREATED)


class ApplicationDetailApi(APIView):
    class InputSerializer(StrictInputSerializer):
        """Answers to save into a draft: each question's answer replaced whole, null removing it."""

        class Meta:
            ref_name = "ApplicationAnswersPatch"

        answers = serializers.DictField(child=AnswerField(allow_null=True))

    @extend_schema(
        operation_id="applications_retrieve",
        parameters=PROBLEM_HEADERS,
        responses={200: ApplicationDetailOutputSerializer, **problems(401, 404, 429)},
    )
    def get(self, request, public_id):
        """Show one of the caller's applications with its form version and timeline."""
        application = application_get_for_resident(user=request.user, public_id=public_id)
        return Response(application_detail_json(application=application))

    @extend_schema(
        operation_id="applications_partial_update",
        request=InputSerializer,
        parameters=PROBLEM_HEADERS,
        responses={200: ApplicationDetailOutputSerializer, **problems(400, 401, 403, 404, 409, 415, 429)},
    )
    def patch(self, request, public_id):
        """Save answers into a draft, from any device: incomplete is fine, wrong is refused and saves nothing;
        answers to questions the change makes no longer asked are dropped."""
        application = application_get_for_resident(user=request.user, public_id=public_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with answers_errors():
            application = application_save_answers(
                application=application, changes=data.validated_data["answers"], by=request.user
            )
        return Response(application_detail_json(application=application))


class ApplicationSubmitApi(IdempotentPostMixin, APIView):
    @extend_schema(
        operation_id="applications_submit",
        request=None,
        parameters=IDEMPOTENT_PARAMETERS,
        responses={
            200: ApplicationDetailOutputSerializer,
            **problems(400, 401, 403, 404, 429, *IDEMPOTENT_PROBLEMS),
        },
    )
    def post(self, request, public_id):
        """Submit a draft: the answers are checked in full, then the eligibility rules, and routing is queued."""
        application = application_get_for_resident(user=request.user, public_id=public_id)
        with answers_errors():
            application = application_submit(application=application, by=request.user)
        return Response(application_detail_json(application=application))


class ApplicationWithdrawApi(IdempotentPostMixin, APIView):
    @extend_schema(
        operation_id="applications_withdraw",
        request=None,
        parameters=IDEMPOTENT_PARAMETERS,
        responses={200: ApplicationDetailOutputSerializer, **problems(401, 403, 404, 429, *IDEMPOTENT_PROBLEMS)},
    )
    def post(self, request, public_id):
        """Withdraw an open application (submitted, routed, in review or awaiting information); not a draft."""
        application = application_get_for_resident(user=request.user, public_id=public_id)
        application = application_withdraw(application=application, by=request.user)
        return Response(application_detail_json(application=application))
