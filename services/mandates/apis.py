"""The mandates a resident gave and holds, in API v1 (to apply for someone: ``on_behalf_of`` a held one)."""

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from services.api.openapi import PROBLEM_HEADERS, problems

from .models import Mandate
from .selectors import mandate_list_for_user


class MandateOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    person = serializers.SerializerMethodField(help_text="The other party: the agent, or the person acted for.")
    basis = serializers.ChoiceField(choices=Mandate.Basis.choices)
    access = serializers.ChoiceField(choices=Mandate.Access.choices)
    all_services = serializers.BooleanField()
    services = serializers.SerializerMethodField(help_text="The services' slugs, when not every service.")
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True)
    status = serializers.ChoiceField(choices=Mandate.Status.choices, source="effective_status")

    @extend_schema_field(serializers.ListField(child=serializers.SlugField()))
    def get_services(self, mandate):
        return [service.slug for service in mandate.services.all()]

    def get_person(self, mandate) -> str:
        person = mandate.grantee if self.context["given"] else mandate.grantor
        if person is None:
            return ""
        profile = getattr(person, "profile", None)
        return getattr(profile, "legal_name", "") or person.email


class MandateListOutputSerializer(serializers.Serializer):
    given = MandateOutputSerializer(many=True, help_text="People who act for you.")
    held = MandateOutputSerializer(many=True, help_text="People you act for.")


class MandateListApi(APIView):
    @extend_schema(
        operation_id="mandates_list",
        parameters=PROBLEM_HEADERS,
        responses={200: MandateListOutputSerializer, **problems(401, 429)},
    )
    def get(self, request):
        """List the mandates you gave (people who act for you) and those you hold (people you act for)."""
        given, held = mandate_list_for_user(user=request.user)
        return Response(
            {
                "given": MandateOutputSerializer(given, many=True, context={"given": True}).data,
                "held": MandateOutputSerializer(held, many=True, context={"given": False}).data,
            }
        )
