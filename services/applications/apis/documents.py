"""An application's documents in API v1: list them, attach one from the wallet without uploading it again."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from services.api.idempotency import IdempotentPostMixin
from services.api.openapi import IDEMPOTENT_PARAMETERS, IDEMPOTENT_PROBLEMS, PROBLEM_HEADERS, problems
from services.api.serializers import StrictInputSerializer
from services.documents.apis import DocumentOutputSerializer
from services.documents.selectors import document_get_for_owner

from ..attachments import document_attach
from ..selectors import application_document_list, application_get_for_resident


class ApplicationDocumentsApi(IdempotentPostMixin, APIView):
    class InputSerializer(StrictInputSerializer):
        """A document of the caller's wallet to attach to their application."""

        class Meta:
            ref_name = "DocumentAttach"

        document = serializers.UUIDField()

    @extend_schema(
        operation_id="applications_documents_list",
        parameters=PROBLEM_HEADERS,
        responses={200: DocumentOutputSerializer(many=True), **problems(401, 404, 429)},
    )
    def get(self, request, public_id):
        """List the documents attached to one of the caller's applications."""
        application = application_get_for_resident(user=request.user, public_id=public_id)
        return Response(DocumentOutputSerializer(application_document_list(application=application), many=True).data)

    @extend_schema(
        operation_id="applications_documents_attach",
        request=InputSerializer,
        parameters=IDEMPOTENT_PARAMETERS,
        responses={201: DocumentOutputSerializer, **problems(400, 401, 403, 404, 415, 429, *IDEMPOTENT_PROBLEMS)},
    )
    def post(self, request, public_id):
        """Attach a wallet document to the caller's draft or open application, without uploading it again."""
        application = application_get_for_resident(user=request.user, public_id=public_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document = document_get_for_owner(user=request.user, public_id=data.validated_data["document"])
        document_attach(application=application, document=document, by=request.user)
        return Response(DocumentOutputSerializer(document).data, status=status.HTTP_201_CREATED)
