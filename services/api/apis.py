"""The resident API v1 for the mobile app: thin views over the same actions and selectors as the web."""

from contextlib import contextmanager

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from services.applications.actions import application_create_draft, application_submit
from services.applications.models import Application, Channel
from services.applications.selectors import (
    application_get_for_resident,
    application_list_for_resident,
    application_timeline,
)
from services.catalogue.selectors import service_get_active, service_list
from services.common.errors import ValidationFailed

from .errors import PROBLEM_CONTENT_TYPE, ProblemSerializer

PROBLEMS = {
    400: OpenApiResponse(ProblemSerializer, description="Invalid input; `errors` lists each field."),
    401: OpenApiResponse(ProblemSerializer, description="Missing or expired session token."),
    404: OpenApiResponse(ProblemSerializer, description="Not found, or not yours."),
    409: OpenApiResponse(ProblemSerializer, description="The application's status does not allow this now."),
    415: OpenApiResponse(ProblemSerializer, description="The body is not JSON."),
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


class AnswerField(serializers.JSONField):
    """One answer: JSON without NaN or infinity, and text without NUL characters (as Django's form fields
    refuse them), since PostgreSQL cannot store either and the answer would be a 500 instead of a 400."""

    default_error_messages = {"null_characters_not_allowed": _("Null characters are not allowed.")}

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("null_characters_not_allowed")
        return super().to_internal_value(data)


@contextmanager
def answers_errors():
    """Report the answers' errors where they sit in the request body: ``answers.<question>``."""
    try:
        yield
    except ValidationFailed as exc:
        raise ValidationFailed(str(exc), errors={"answers": exc.errors}) from exc


class ServiceOutputSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    summary = serializers.CharField()
    department = serializers.CharField(source="department.code")
    processing_days = serializers.IntegerField()
    fee_yuan = serializers.DecimalField(max_digits=8, decimal_places=2)
    form_schema = serializers.DictField(help_text="The form as a JSON Schema; answers are keyed by its properties.")


class ServiceListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="services_list",
        parameters=PROBLEM_HEADERS,
        responses={200: ServiceOutputSerializer(many=True), **problems(429)},
    )
    def get(self, request):
        """List the services open for applications, in the language of Accept-Language."""
        return Response(ServiceOutputSerializer(service_list(), many=True).data)


class EventOutputSerializer(serializers.Serializer):
    at = serializers.DateTimeField(source="created_at")
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    message = serializers.CharField()


class ApplicationOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    reference = serializers.CharField()
    service = serializers.SlugField(source="service.slug")
    status = serializers.ChoiceField(choices=Application._meta.get_field("status").choices)
    status_label = serializers.CharField(source="get_status_display")
    answers = serializers.DictField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class ApplicationDetailOutputSerializer(ApplicationOutputSerializer):
    timeline = serializers.SerializerMethodField()

    @extend_schema_field(EventOutputSerializer(many=True))
    def get_timeline(self, application):
        return EventOutputSerializer(application_timeline(application=application, for_resident=True), many=True).data


class ApplicationListCreateApi(ListAPIView):
    serializer_class = ApplicationOutputSerializer

    class InputSerializer(StrictInputSerializer):
        """A new draft: the service's slug and the answers so far, by question name; unknown fields are refused."""

        class Meta:
            ref_name = "ApplicationCreate"

        service = serializers.SlugField(max_length=80)
        answers = serializers.DictField(child=AnswerField(), required=False, default=dict)

    def get_queryset(self):
        return application_list_for_resident(user=self.request.user)

    @extend_schema(
        operation_id="applications_list",
        parameters=PROBLEM_HEADERS,
        responses={200: ApplicationOutputSerializer(many=True), **problems(401, 429)},
    )
    def get(self, request, *args, **kwargs):
        """List the caller's own applications, newest first (cursor pagination)."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="applications_create",
        request=InputSerializer,
        parameters=PROBLEM_HEADERS,
        responses={201: ApplicationDetailOutputSerializer, **problems(400, 401, 404, 415, 429)},
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
    @extend_schema(
        operation_id="applications_retrieve",
        parameters=PROBLEM_HEADERS,
        responses={200: ApplicationDetailOutputSerializer, **problems(401, 404, 429)},
    )
    def get(self, request, public_id):
        """Show one of the caller's applications with its timeline."""
        application = application_get_for_resident(user=request.user, public_id=public_id)
        return Response(ApplicationDetailOutputSerializer(application).data)


class ApplicationSubmitApi(APIView):
    @extend_schema(
        operation_id="applications_submit",
        request=None,
        parameters=PROBLEM_HEADERS,
        responses={200: ApplicationDetailOutputSerializer, **problems(400, 401, 404, 409, 429)},
    )
    def post(self, request, public_id):
        """Submit a draft: the answers are checked in full and routing is queued."""
        application = application_get_for_resident(user=request.user, public_id=public_id)
        with answers_errors():
            application = application_submit(application=application, by=request.user)
        return Response(ApplicationDetailOutputSerializer(application).data)


class NotFoundApi(APIView):
    """Answer every other path under /api/v1/ (a malformed id included) with a 404 problem, not an HTML page."""

    permission_classes = [AllowAny]
    metadata_class = None  # OPTIONS too
    schema = None

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise exceptions.NotFound()
