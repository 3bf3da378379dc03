"""The catalogue in API v1: services, one service with its current form, and the eligibility check (no account
needed for any of them)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from services.accounts.models import District, ResidentProfile
from services.accounts.selectors import profile_for_user
from services.api.conditional import conditional_response
from services.api.openapi import CONDITIONAL_PARAMETERS, NOT_MODIFIED, PROBLEM_HEADERS, problems
from services.api.serializers import StrictInputSerializer
from services.common.replica import reads_replica
from services.dynamic_forms.serializers import AnswerField
from services.dynamic_forms.validation import enforced_schema
from services.identity.models import Assurance

from .eligibility import Outcome
from .selectors import eligibility_check, form_version_current, service_get_active, service_list


class FormOutputSerializer(serializers.Serializer):
    version = serializers.IntegerField(source="number")
    schema = serializers.DictField(
        read_only=True,
        help_text="The form as enforced: JSON Schema (Draft 2020-12) with its presentation hints (x-steps, "
        "x-title-zh, x-enum-labels, x-widget, x-show-if, x-prefill); answers are keyed by its properties.",
    )

    def to_representation(self, instance):
        return form_json(instance)


def form_json(version) -> dict:
    """What FormOutputSerializer gives for the form version, built directly (the serializer's fields, copied and run
    for each response, were nine tenths of it: 48 µs against 5 in a one-call submission's answer)."""
    return {"version": version.number, "schema": enforced_schema(version.schema)}


class ServiceOutputSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    summary = serializers.CharField()
    department = serializers.CharField(source="department.code")
    category = serializers.CharField()
    processing_days = serializers.IntegerField()
    fee_rule = serializers.DictField(
        help_text="{} when free, else amount_fen (fen, CNY), per (a question whose answer multiplies it) and "
        "waived_if (eligibility rules that, all met, waive it); an application's fee_quote applies it."
    )
    fee_text = serializers.CharField(help_text="The fee rule in words, in the reader's language.")
    assurance = serializers.ChoiceField(
        choices=Assurance.choices,
        help_text="The sign-in needed to submit: `email` (any account) or `real_name` (a verified identity: sign in "
        "through /api/auth/identity/; submitting without it is a 403 `assurance_required`).",
    )


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
    @reads_replica("catalogue")
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
    @reads_replica("catalogue")
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
