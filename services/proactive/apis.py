"""Benefits offered or granted without applying, in API v1: list, read, confirm, decline; the offers setting."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from services.api.idempotency import IdempotentPostMixin
from services.api.openapi import IDEMPOTENT_PARAMETERS, IDEMPOTENT_PROBLEMS, PROBLEM_HEADERS, problems
from services.api.serializers import StrictInputSerializer

from .actions import entitlement_confirm, entitlement_decline, proactive_offers_set
from .models import EntitlementStatus
from .selectors import entitlement_check, entitlement_get_for_resident, entitlement_list_for_resident, offers_on


class ReasonSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="The eligibility rule's kind: age, district, answer, credential...")
    outcome = serializers.CharField()
    reason = serializers.CharField(help_text="In the request's language.")


class EntitlementOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    service = serializers.SlugField(source="service.slug")
    service_title = serializers.CharField(source="service.title")
    department = serializers.CharField(source="service.department.code")
    status = serializers.ChoiceField(choices=EntitlementStatus.choices)
    for_self = serializers.SerializerMethodField(help_text="False: offered to a person you act for.")
    reasons = ReasonSerializer(many=True, help_text="What it rests on: each of the service's rules on your data.")
    checked_on = serializers.DateField(source="facts.today")
    application = serializers.UUIDField(source="application.public_id", allow_null=True, default=None)
    created_at = serializers.DateTimeField()

    def get_for_self(self, entitlement) -> bool:
        return entitlement.person_id == self.context["request"].user.pk


def _detailed(entitlement):
    entitlement.reasons = entitlement_check(service=entitlement.service, facts=entitlement.facts).rules
    return entitlement


class EntitlementListApi(APIView):
    @extend_schema(
        operation_id="entitlements_list",
        parameters=PROBLEM_HEADERS,
        responses={200: EntitlementOutputSerializer(many=True), **problems(401, 429)},
    )
    def get(self, request):
        """List the benefits offered or granted to you (and to the people you act for) without applying."""
        rows = entitlement_list_for_resident(user=request.user)
        return Response(EntitlementOutputSerializer(rows, many=True, context={"request": request}).data)


class EntitlementDetailApi(APIView):
    @extend_schema(
        operation_id="entitlements_read",
        parameters=PROBLEM_HEADERS,
        responses={200: EntitlementOutputSerializer, **problems(401, 404, 429)},
    )
    def get(self, request, public_id):
        """Read one entitlement with what it rests on; another person's is a 404."""
        entitlement = _detailed(entitlement_get_for_resident(user=request.user, public_id=public_id))
        return Response(EntitlementOutputSerializer(entitlement, context={"request": request}).data)


class EntitlementConfirmApi(IdempotentPostMixin, APIView):
    @extend_schema(
        operation_id="entitlements_confirm",
        request=None,
        parameters=IDEMPOTENT_PARAMETERS,
        responses={200: EntitlementOutputSerializer, **problems(401, 404, 409, 429, *IDEMPOTENT_PROBLEMS)},
    )
    def post(self, request, public_id):
        """Take up an offer: the application is made from the facts and submitted (its id in ``application``; a
        draft still to finish when the form needs answers only you can give). Answered already: 409."""
        entitlement = entitlement_get_for_resident(user=request.user, public_id=public_id, act=True)
        entitlement = _detailed(entitlement_confirm(entitlement=entitlement, by=request.user))
        return Response(EntitlementOutputSerializer(entitlement, context={"request": request}).data)


class EntitlementDeclineApi(IdempotentPostMixin, APIView):
    @extend_schema(
        operation_id="entitlements_decline",
        request=None,
        parameters=IDEMPOTENT_PARAMETERS,
        responses={200: EntitlementOutputSerializer, **problems(401, 404, 409, 429, *IDEMPOTENT_PROBLEMS)},
    )
    def post(self, request, public_id):
        """Decline an offer (nothing is applied for). Answered already: 409."""
        entitlement = entitlement_get_for_resident(user=request.user, public_id=public_id, act=True)
        entitlement = _detailed(entitlement_decline(entitlement=entitlement, by=request.user))
        return Response(EntitlementOutputSerializer(entitlement, context={"request": request}).data)


class PreferencesSerializer(serializers.Serializer):
    offers = serializers.BooleanField(help_text="Offers (and grants) without applying; on unless you turn it off.")


class EntitlementPreferencesApi(APIView):
    class InputSerializer(StrictInputSerializer):
        offers = serializers.BooleanField()

    @extend_schema(
        operation_id="entitlements_preferences_read",
        parameters=PROBLEM_HEADERS,
        responses={200: PreferencesSerializer, **problems(401, 429)},
    )
    def get(self, request):
        """Whether the portal may offer you benefits when its data show you qualify."""
        return Response({"offers": offers_on(user=request.user)})

    @extend_schema(
        operation_id="entitlements_preferences_update",
        request=InputSerializer,
        parameters=PROBLEM_HEADERS,
        responses={200: PreferencesSerializer, **problems(400, 401, 415, 429)},
    )
    def put(self, request):
        """Turn offers without applying on or off."""
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response({"offers": proactive_offers_set(user=request.user, on=data.validated_data["offers"])})
