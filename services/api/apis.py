"""The resident API v1 for the mobile app: thin views over the same actions and selectors as the web."""

from collections.abc import Iterable
from contextlib import contextmanager
from datetime import datetime, tzinfo
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from services.accounts.models import District, ResidentProfile
from services.accounts.selectors import profile_for_user
from services.applications.actions import (
    application_create_draft,
    application_save_answers,
    application_submit,
    application_withdraw,
)
from services.applications.models import Application, Channel, Status
from services.applications.selectors import (
    application_get_for_resident,
    application_summaries_for_resident,
    application_timeline,
)
from services.catalogue.eligibility import Outcome
from services.catalogue.selectors import (
    eligibility_check,
    form_version_current,
    service_get_active,
    service_list,
)
from services.common.errors import ValidationFailed
from services.dynamic_forms.validation import enforced_schema, too_deep

from .conditional import conditional_response
from .errors import PROBLEM_CONTENT_TYPE, ProblemSerializer
from .idempotency import IDEMPOTENCY_KEY_PARAMETER, IdempotentPostMixin

PROBLEMS = {
    400: OpenApiResponse(
        ProblemSerializer,
        description="Invalid input; `errors` lists each field. Submitting when the rules say the resident is "
        "not eligible is code `not_eligible`, with each failed rule's reason under `eligibility`.",
    ),
    403: OpenApiResponse(ProblemSerializer, description="Not allowed to do this."),
    401: OpenApiResponse(ProblemSerializer, description="Missing or expired session token."),
    404: OpenApiResponse(ProblemSerializer, description="Not found, or not yours."),
    409: OpenApiResponse(
        ProblemSerializer,
        description="A conflict: the application's status does not allow this now (`invalid_transition`), or a "
        "request with the same Idempotency-Key is still running after a few seconds' wait (`idempotency_key_in_use`).",
    ),
    413: OpenApiResponse(ProblemSerializer, description="The request body is too large (`too_large`)."),
    415: OpenApiResponse(ProblemSerializer, description="The body is not JSON."),
    422: OpenApiResponse(
        ProblemSerializer,
        description="The Idempotency-Key was already used with a different request (`idempotency_key_reused`).",
    ),
    429: OpenApiResponse(ProblemSerializer, description="Too many requests; see Retry-After."),
}
PROBLEM_HEADERS = [
    OpenApiParameter(
        "WWW-Authenticate",
        str,
        OpenApiParameter.HEADER,
        response=[401],
        description="`X-Session-Token`: log in again through the app API.",
    ),
    OpenApiParameter(
        "Retry-After", int, OpenApiParameter.HEADER, response=[429], description="Seconds to wait before retrying."
    ),
]


IDEMPOTENT_PARAMETERS = [*PROBLEM_HEADERS, IDEMPOTENCY_KEY_PARAMETER]
IDEMPOTENT_PROBLEMS = (409, 413, 422)  # a key in use, a body too large, a key reused with another request


CONDITIONAL_PARAMETERS = [
    *PROBLEM_HEADERS,
    OpenApiParameter(
        "If-None-Match",
        str,
        OpenApiParameter.HEADER,
        description="The ETag of the copy the app holds: an unchanged response is a 304 without a body.",
    ),
    OpenApiParameter(
        "ETag", str, OpenApiParameter.HEADER, response=[200, 304], description="Changes when the content changes."
    ),
]
NOT_MODIFIED = OpenApiResponse(description="Not modified since the ETag given in If-None-Match.")


def problems(*codes) -> dict:
    """Return the documented error responses for ``codes``, each a problem-details body."""
    return {(code, PROBLEM_CONTENT_TYPE): PROBLEMS[code] for code in codes}


class StrictInputSerializer(serializers.Serializer):
    """An input serializer that refuses fields it does not know, instead of silently dropping them."""

    def validate(self, attrs):
        unknown = set(self.initial_data) - set(self.fields) if isinstance(self.initial_data, dict) else set()
        if unknown:
            raise serializers.ValidationError(
                {name: [_("Unknown field.")] for name in sorted(unknown)}, "unknown_field"
            )
        return attrs


def _has_nul(data) -> bool:
    if isinstance(data, str):
        return "\x00" in data
    if isinstance(data, dict):
        return any(_has_nul(key) or _has_nul(value) for key, value in data.items())
    return isinstance(data, list) and any(map(_has_nul, data))


class AnswerField(serializers.JSONField):
    """One answer: JSON without NaN or infinity, text without NUL characters (as Django's form fields refuse
    them), and no deeper than a form's answers go, since PostgreSQL cannot store the first two and a depth bomb
    would exhaust the stack: each would be a 500 instead of a 400."""

    default_error_messages = {
        "null_characters_not_allowed": _("Null characters are not allowed."),
        "too_deep": _("This answer is nested too deeply."),
    }

    def to_internal_value(self, data):
        if too_deep(data):
            self.fail("too_deep")
        if _has_nul(data):
            self.fail("null_characters_not_allowed")
        return super().to_internal_value(data)


@contextmanager
def answers_errors():
    """Report the answers' errors where they sit in the request body: ``answers.<question>``."""
    try:
        yield
    except ValidationFailed as exc:
        raise ValidationFailed(str(exc), errors={"answers": exc.errors}) from exc


class FormOutputSerializer(serializers.Serializer):
    version = serializers.IntegerField(source="number")
    schema = serializers.SerializerMethodField(
        help_text="The form as enforced: JSON Schema (Draft 2020-12) with its presentation hints (x-steps, "
        "x-title-zh, x-enum-labels, x-widget, x-show-if, x-prefill); answers are keyed by its properties."
    )

    @extend_schema_field(serializers.DictField())
    def get_schema(self, version):
        return enforced_schema(version.schema)


class ServiceOutputSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    summary = serializers.CharField()
    department = serializers.CharField(source="department.code")
    category = serializers.CharField()
    processing_days = serializers.IntegerField()
    fee_yuan = serializers.DecimalField(max_digits=8, decimal_places=2)


class RequiredDocumentOutputSerializer(serializers.Serializer):
    code = serializers.SlugField()
    name = serializers.CharField()


class ServiceDetailOutputSerializer(ServiceOutputSerializer):
    life_events = serializers.SerializerMethodField(help_text="Codes of the life events it belongs to.")
    document_types = RequiredDocumentOutputSerializer(many=True, help_text="The documents the service requires.")
    eligibility_rules = serializers.ListField(
        child=serializers.DictField(), help_text="The rules as data; POST .../eligibility/ evaluates them."
    )
    form = serializers.SerializerMethodField(help_text="The form new applications are filled with now.")

    @extend_schema_field(serializers.ListField(child=serializers.SlugField()))
    def get_life_events(self, service):
        return [event.code for event in service.life_events.all()]

    @extend_schema_field(FormOutputSerializer(allow_null=True))
    def get_form(self, service):
        version = form_version_current(service=service)
        return FormOutputSerializer(version).data if version else None


class ServiceListApi(APIView):
    permission_classes = [AllowAny]

    class FilterSerializer(serializers.Serializer):
        # Text a database can hold (no NUL character); longer than 100 characters is cut, as a search box would.
        q = serializers.CharField(allow_blank=True, trim_whitespace=False, default="")
        department = serializers.CharField(allow_blank=True, trim_whitespace=False, default="")
        category = serializers.CharField(allow_blank=True, trim_whitespace=False, default="")
        life_event = serializers.CharField(allow_blank=True, trim_whitespace=False, default="")

    @extend_schema(
        operation_id="services_list",
        parameters=[
            OpenApiParameter("q", str, description="Search words, in Chinese or English (e.g. 失业, unemployment)."),
            OpenApiParameter("department", str, description="A department code, e.g. employment."),
            OpenApiParameter("category", str, description="A category code."),
            OpenApiParameter("life_event", str, description="A life event code, e.g. losing-a-job."),
            *CONDITIONAL_PARAMETERS,
        ],
        responses={200: ServiceOutputSerializer(many=True), 304: NOT_MODIFIED, **problems(400, 429)},
    )
    def get(self, request):
        """List the services open for applications, in the language of Accept-Language; search and filter."""
        serializer = self.FilterSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        filters = {name: value[:100] for name, value in serializer.validated_data.items()}
        filters["query"] = filters.pop("q")
        return conditional_response(request, lambda: ServiceOutputSerializer(service_list(**filters), many=True).data)


class ServiceDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="services_retrieve",
        parameters=CONDITIONAL_PARAMETERS,
        responses={200: ServiceDetailOutputSerializer, 304: NOT_MODIFIED, **problems(404, 429)},
    )
    def get(self, request, slug):
        """Show a service with its required documents, eligibility rules and current form."""
        return conditional_response(request, lambda: ServiceDetailOutputSerializer(service_get_active(slug=slug)).data)


class RuleResultOutputSerializer(serializers.Serializer):
    kind = serializers.CharField()
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    reason = serializers.CharField(help_text="Why, in the language of Accept-Language.")


class EligibilityOutputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    outcome_label = serializers.CharField(source="outcome.label")
    rules = RuleResultOutputSerializer(many=True)


class ServiceEligibilityApi(APIView):
    permission_classes = [AllowAny]

    class InputSerializer(StrictInputSerializer):
        """Facts to check; a signed-in caller's profile fills in those left out."""

        class Meta:
            ref_name = "EligibilityCheck"

        date_of_birth = serializers.DateField(required=False)
        district = serializers.ChoiceField(choices=District.choices, required=False)
        answers = serializers.DictField(child=AnswerField(), required=False, default=dict)

    @extend_schema(
        operation_id="services_eligibility",
        request=InputSerializer,
        parameters=PROBLEM_HEADERS,
        responses={200: EligibilityOutputSerializer, **problems(400, 404, 415, 429)},
    )
    def post(self, request, slug):
        """Check whether the caller may use the service: eligible, not eligible or unknown, with each rule's reason.
        No account is needed; nothing is saved."""
        service = service_get_active(slug=slug)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        profile = profile_for_user(user=request.user) if request.user.is_authenticated else None
        given = ResidentProfile(
            date_of_birth=data.validated_data.get("date_of_birth", getattr(profile, "date_of_birth", None)),
            district=data.validated_data.get("district", getattr(profile, "district", "")),
        )
        result = eligibility_check(service=service, profile=given, answers=data.validated_data["answers"])
        return Response(EligibilityOutputSerializer(result).data)


class EventOutputSerializer(serializers.Serializer):
    at = serializers.DateTimeField(source="created_at")
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    message = serializers.CharField()


class StatusLabelField(serializers.CharField):
    """The status's label in the reader's language, looked up directly (``get_status_display`` hashes every
    choice's lazy label, and DRF inspects that method's signature, on each row)."""

    def to_representation(self, value):
        return str(Status(value).label)


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
    """Return the list items ApplicationOutputSerializer gives, built straight from ``values()`` summary rows."""
    labels = {value: str(label) for value, label in Status.choices}  # in the reader's language
    zone = timezone.get_current_timezone()
    return [
        {
            "id": str(row["public_id"]),
            "reference": row["reference"],
            "service": row["service__slug"],
            "status": row["status"],
            "status_label": labels[row["status"]],
            "form_version": row["form_version__number"],
            "answers": row["answers"],
            "submitted_at": _datetime_json(value=row["submitted_at"], zone=zone),
            "due_date": row["due_date"] and row["due_date"].isoformat(),
            "decided_at": _datetime_json(value=row["decided_at"], zone=zone),
            "decision_reason": row["decision_reason"],
            "created_at": _datetime_json(value=row["created_at"], zone=zone),
        }
        for row in rows
    ]


def _datetime_json(*, value: datetime | None, zone: tzinfo) -> str | None:
    """Return an aware datetime as DRF's DateTimeField shows it: ISO 8601 in ``zone``, UTC as ``Z``."""
    if value is None:
        return None
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class ApplicationDetailOutputSerializer(ApplicationOutputSerializer):
    form = FormOutputSerializer(
        source="form_version", allow_null=True, help_text="The form the answers are filled with, kept when it changes."
    )
    timeline = serializers.SerializerMethodField()

    @extend_schema_field(EventOutputSerializer(many=True))
    def get_timeline(self, application):
        return EventOutputSerializer(application_timeline(application=application, for_resident=True), many=True).data


class ApplicationListCreateApi(IdempotentPostMixin, ListAPIView):
    serializer_class = ApplicationOutputSerializer

    class InputSerializer(StrictInputSerializer):
        """A new draft: the service's slug and the answers so far, by question name; unknown fields are refused."""

        class Meta:
            ref_name = "ApplicationCreate"

        service = serializers.SlugField(max_length=80)
        answers = serializers.DictField(child=AnswerField(), required=False, default=dict)

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
        responses={201: ApplicationDetailOutputSerializer, **problems(400, 401, 404, 415, 429, *IDEMPOTENT_PROBLEMS)},
    )
    def post(self, request):
        """Create a draft application; answers may be incomplete but never invalid."""
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        service = service_get_active(slug=data.validated_data["service"])
        with answers_errors():
            application = application_create_draft(
                applicant=request.user, service=service, answers=data.validated_data["answers"], channel=Channel.MOBILE
            )
        return Response(ApplicationDetailOutputSerializer(application).data, status=status.HTTP_201_CREATED)


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
        return Response(ApplicationDetailOutputSerializer(application).data)

    @extend_schema(
        operation_id="applications_partial_update",
        request=InputSerializer,
        parameters=PROBLEM_HEADERS,
        responses={200: ApplicationDetailOutputSerializer, **problems(400, 401, 404, 409, 415, 429)},
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
        return Response(ApplicationDetailOutputSerializer(application).data)


class ApplicationSubmitApi(IdempotentPostMixin, APIView):
    @extend_schema(
        operation_id="applications_submit",
        request=None,
        parameters=IDEMPOTENT_PARAMETERS,
        responses={200: ApplicationDetailOutputSerializer, **problems(400, 401, 404, 429, *IDEMPOTENT_PROBLEMS)},
    )
    def post(self, request, public_id):
        """Submit a draft: the answers are checked in full, then the eligibility rules, and routing is queued."""
        application = application_get_for_resident(user=request.user, public_id=public_id)
        with answers_errors():
            application = application_submit(application=application, by=request.user)
        return Response(ApplicationDetailOutputSerializer(application).data)


class ApplicationWithdrawApi(IdempotentPostMixin, APIView):
    @extend_schema(
        operation_id="applications_withdraw",
        request=None,
        parameters=IDEMPOTENT_PARAMETERS,
        responses={200: ApplicationDetailOutputSerializer, **problems(401, 404, 429, *IDEMPOTENT_PROBLEMS)},
    )
    def post(self, request, public_id):
        """Withdraw an open application (submitted, routed, in review or awaiting information); not a draft."""
        application = application_get_for_resident(user=request.user, public_id=public_id)
        application = application_withdraw(application=application, by=request.user)
        return Response(ApplicationDetailOutputSerializer(application).data)


class NotFoundApi(APIView):
    """Answer every other path under /api/v1/ (a malformed id included) with a 404 problem, not an HTML page."""

    permission_classes = [AllowAny]
    metadata_class = None  # OPTIONS too
    schema = None

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise exceptions.NotFound()
