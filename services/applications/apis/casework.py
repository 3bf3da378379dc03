"""API v1 for the caseworker's side as the resident sees it: the information requests and the answer, who in the
administration looked at the application, and the decision letter."""

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from services.api.idempotency import IdempotentPostMixin
from services.api.openapi import IDEMPOTENT_PARAMETERS, IDEMPOTENT_PROBLEMS, PROBLEM_HEADERS, problems
from services.api.serializers import StrictInputSerializer
from services.audit.models import AuditAction, AuditRole
from services.audit.selectors import audit_list_for_resident
from services.documents.selectors import document_list_for_owner

from ..actions import MAX_TEXT, information_request_answer
from ..selectors import (
    application_get_decided_for_resident,
    application_get_for_resident,
    decision_letter_html,
    information_request_get_for_resident,
    information_request_list,
)


class InformationRequestOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    asked_at = serializers.DateTimeField(source="created_at")
    message = serializers.CharField(help_text="The caseworker's words; may be empty.")
    items = serializers.ListField(
        child=serializers.CharField(),
        source="item_names",
        help_text="Everything the resident is asked for, in the request's language: the document types' names, then "
        "anything else in the caseworker's words.",
    )
    document_types = serializers.SerializerMethodField(help_text="Codes of the document types asked for.")
    answered_at = serializers.DateTimeField(allow_null=True, help_text="Null while it waits for the answer.")
    answer = serializers.CharField()
    documents = serializers.SerializerMethodField(help_text="Ids of the wallet documents sent with the answer.")

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_document_types(self, information_request):
        return [document_type.code for document_type in information_request.document_types.all()]

    @extend_schema_field(serializers.ListField(child=serializers.UUIDField()))
    def get_documents(self, information_request):
        return [str(document.public_id) for document in information_request.documents.all()]


class InformationRequestListApi(APIView):
    @extend_schema(
        operation_id="applications_information_requests_list",
        parameters=PROBLEM_HEADERS,
        responses={200: InformationRequestOutputSerializer(many=True), **problems(401, 404, 429)},
    )
    def get(self, request, public_id):
        """List what the caseworkers asked the resident for on this application, oldest first, with the answers.
        While the application is `awaiting_information`, the last unanswered one is to be answered."""
        application = application_get_for_resident(user=request.user, public_id=public_id)
        requests = information_request_list(application=application)
        return Response(InformationRequestOutputSerializer(requests, many=True).data)


class InformationRequestAnswerApi(IdempotentPostMixin, APIView):
    class InputSerializer(StrictInputSerializer):
        """The answer: words, ids of documents in the caller's wallet, or both."""

        class Meta:
            ref_name = "InformationRequestAnswer"

        answer = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT, default="")
        documents = serializers.ListField(child=serializers.UUIDField(), required=False, default=list, max_length=20)

    @extend_schema(
        operation_id="applications_information_requests_answer",
        request=InputSerializer,
        parameters=IDEMPOTENT_PARAMETERS,
        responses={
            200: InformationRequestOutputSerializer,
            **problems(400, 401, 403, 404, 409, 415, 429, *IDEMPOTENT_PROBLEMS),
        },
    )
    def post(self, request, public_id, request_id):
        """Answer an information request: the documents are attached to the application, which goes back into
        review, and the legal time limit runs again (its due date moves on by the working days it waited)."""
        information_request = information_request_get_for_resident(
            user=request.user, application_id=public_id, public_id=request_id
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        wallet = document_list_for_owner(user=request.user)
        wanted = set(data.validated_data["documents"])
        documents = list(wallet.filter(public_id__in=wanted))
        if len(documents) != len(wanted):
            raise serializers.ValidationError({"documents": [_("Not found in your wallet.")]}, "not_found")
        information_request = information_request_answer(
            information_request=information_request,
            by=request.user,
            answer=data.validated_data["answer"],
            documents=documents,
        )
        return Response(InformationRequestOutputSerializer(information_request).data)


class AccessLogEntryOutputSerializer(serializers.Serializer):
    at = serializers.DateTimeField(source="created_at")
    department = serializers.SerializerMethodField(help_text="Null for the portal's administrators.")
    role = serializers.ChoiceField(choices=AuditRole.choices)
    role_label = serializers.CharField(source="get_role_display")
    action = serializers.ChoiceField(choices=AuditAction.choices)
    action_label = serializers.CharField(source="get_action_display")

    def get_department(self, entry) -> str | None:
        return entry.department.name if entry.department else None


class ApplicationAccessLogApi(ListAPIView):
    serializer_class = AccessLogEntryOutputSerializer

    def get_queryset(self):
        application = application_get_for_resident(user=self.request.user, public_id=self.kwargs["public_id"])
        return audit_list_for_resident(application=application)

    @extend_schema(
        operation_id="applications_access_log",
        parameters=PROBLEM_HEADERS,
        responses={200: AccessLogEntryOutputSerializer(many=True), **problems(400, 401, 404, 429)},
    )
    def get(self, request, *args, **kwargs):
        """List who in the administration opened or acted on the application, newest first (cursor pagination):
        the department and role, what and when, never the person."""
        return super().get(request, *args, **kwargs)


class ApplicationDecisionLetterApi(APIView):
    @extend_schema(
        operation_id="applications_decision_letter",
        parameters=PROBLEM_HEADERS,
        responses={
            (200, "text/html"): OpenApiResponse(OpenApiTypes.STR, description="A printable HTML page."),
            **problems(401, 404, 429),
        },
    )
    def get(self, request, public_id):
        """Download the decision letter of an approved or rejected application, in the resident's preferred
        language: reference, decision, reason and how to appeal."""
        application = application_get_decided_for_resident(user=request.user, public_id=public_id)
        return HttpResponse(decision_letter_html(application=application), content_type="text/html; charset=utf-8")
