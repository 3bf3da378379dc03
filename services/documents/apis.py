"""The document wallet in API v1: upload (multipart), list, download (attaching one to an application is the
applications app's: services.applications.apis.documents)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from services.accounts.permissions import staff_scope
from services.api.errors import PROBLEM_CONTENT_TYPE, ProblemSerializer
from services.api.idempotency import IdempotentPostMixin
from services.api.openapi import IDEMPOTENT_PARAMETERS, IDEMPOTENT_PROBLEMS, PROBLEM_HEADERS, problems
from services.api.serializers import StrictInputSerializer

from .actions import document_upload
from .models import Refusal, ScanStatus
from .selectors import document_get_for_download, document_list_for_owner, document_receipt, document_type_list
from .views import document_file_response


class DocumentTypeOutputSerializer(serializers.Serializer):
    code = serializers.SlugField()
    name = serializers.CharField()


class DocumentOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    document_type = serializers.SlugField(source="document_type.code")
    name = serializers.CharField(source="original_name", help_text="The file name, made safe for display.")
    content_type = serializers.CharField(
        help_text="From the bytes: application/pdf, image/jpeg or image/png (image/heic until converted to JPEG)."
    )
    size = serializers.IntegerField(help_text="Bytes: as uploaded, then as kept once cleaned.")
    pages = serializers.IntegerField(help_text="0 until the document is processed (`scan_status` `clean`).")
    sha256 = serializers.CharField(help_text="SHA-256 of the file as uploaded (the same file is kept once).")
    expires_on = serializers.DateField(allow_null=True)
    expired = serializers.BooleanField(source="is_expired")
    scan_status = serializers.ChoiceField(
        choices=ScanStatus.choices,
        help_text="`pending` while the virus check and the cleaning run in the background; then `clean` (ready: only "
        "`clean` opens), `infected` (refused by the virus check) or `refused` (see `refusal`). The bytes of a refused "
        "document are deleted.",
    )
    refusal = serializers.ChoiceField(
        choices=Refusal.choices, allow_blank=True, help_text="Why it was refused, as a code; empty otherwise."
    )
    refusal_message = serializers.CharField(
        source="refusal_text", help_text="Why it was refused, in the language of Accept-Language; empty otherwise."
    )
    created_at = serializers.DateTimeField()
    receipt = serializers.SerializerMethodField(help_text='What arrived, e.g. "Received “a.pdf”: 2 pages, 1.2 MB."')

    @extend_schema_field(OpenApiTypes.STR)
    def get_receipt(self, document):
        return document_receipt(document=document)


class DocumentTypeListApi(APIView):
    @extend_schema(
        operation_id="document_types_list",
        parameters=PROBLEM_HEADERS,
        responses={200: DocumentTypeOutputSerializer(many=True), **problems(401, 429)},
    )
    def get(self, request):
        """List the kinds of document that can be uploaded, in the language of Accept-Language."""
        return Response(DocumentTypeOutputSerializer(document_type_list(), many=True).data)


class DocumentListCreateApi(IdempotentPostMixin, ListAPIView):
    serializer_class = DocumentOutputSerializer
    parser_classes = [MultiPartParser]

    class InputSerializer(StrictInputSerializer):
        """One file for the wallet, with its type (a code from /document-types/) and, if it expires, the date."""

        class Meta:
            ref_name = "DocumentUpload"

        file = serializers.FileField(allow_empty_file=True, help_text="PDF, JPEG, PNG or HEIC; up to 10 MB by default.")
        document_type = serializers.SlugRelatedField(slug_field="code", queryset=document_type_list())
        expires_on = serializers.DateField(required=False, allow_null=True, default=None)

    def get_queryset(self):
        return document_list_for_owner(user=self.request.user)

    @extend_schema(
        operation_id="documents_list",
        parameters=PROBLEM_HEADERS,
        responses={200: DocumentOutputSerializer(many=True), **problems(400, 401, 429)},
    )
    def get(self, request, *args, **kwargs):
        """List the caller's document wallet, newest first (cursor pagination)."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="documents_upload",
        request={"multipart/form-data": InputSerializer},
        parameters=IDEMPOTENT_PARAMETERS,
        responses={
            201: OpenApiResponse(DocumentOutputSerializer, description="Stored; `receipt` says what arrived."),
            200: OpenApiResponse(DocumentOutputSerializer, description="The same file was already in the wallet."),
            **problems(400, 401, 415, 429, *IDEMPOTENT_PROBLEMS),
        },
    )
    def post(self, request):
        """Upload a document: the answer comes once its type is sniffed from the bytes and it is stored; the virus
        check and the cleaning (images re-encoded without their metadata, PDFs read and checked for active content)
        run in the background: `scan_status` is `pending` until then, and the owner is told if it is refused."""
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document, created = document_upload(
            owner=request.user,
            document_type=data.validated_data["document_type"],
            upload=data.validated_data["file"],
            expires_on=data.validated_data["expires_on"],
        )
        return Response(
            DocumentOutputSerializer(document).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class DocumentFileApi(APIView):
    @extend_schema(
        operation_id="documents_file",
        parameters=PROBLEM_HEADERS,
        responses={
            **{(200, media): OpenApiTypes.BINARY for media in ("application/pdf", "image/jpeg", "image/png")},
            **problems(401, 404, 429),
            (409, PROBLEM_CONTENT_TYPE): OpenApiResponse(
                ProblemSerializer, description="Still being checked for viruses (`not_ready`), or refused by it."
            ),
        },
    )
    def get(self, request, public_id):
        """Download a document as an attachment: the owner's own, or one attached to an application the
        caller handles as staff; only once the virus check found it clean."""
        document = document_get_for_download(user=request.user, public_id=public_id, scope=staff_scope(request))
        return document_file_response(document=document, request=request)
