"""'Export my data' in API v1: start (202), status, download; each export is visible to its owner only."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from services.api.errors import problem
from services.api.idempotency import IdempotentPostMixin
from services.api.openapi import IDEMPOTENT_PARAMETERS, IDEMPOTENT_PROBLEMS, PROBLEM_HEADERS, problems

from .actions import data_export_start
from .models import DataExport
from .selectors import data_export_get_for_owner
from .views import data_export_file_response


class DataExportOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    status = serializers.ChoiceField(choices=DataExport.Status.choices)
    progress = serializers.IntegerField(min_value=0, max_value=100, help_text="Percent done.")
    size = serializers.IntegerField(help_text="Bytes of the zip, 0 until ready.")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(help_text="After this the export is deleted (404).")
    download = serializers.SerializerMethodField(help_text="The zip's URL once ready, else null.")

    def get_download(self, export) -> str | None:
        if export.status != DataExport.Status.READY:
            return None
        return reverse("api:me-export-download", args=[export.public_id], request=self.context.get("request"))


class DataExportStartApi(IdempotentPostMixin, APIView):
    @extend_schema(
        operation_id="me_export_create",
        request=None,
        parameters=IDEMPOTENT_PARAMETERS,
        responses={202: DataExportOutputSerializer, **problems(401, 429, *IDEMPOTENT_PROBLEMS)},
    )
    def post(self, request):
        """Start preparing the caller's data (a zip of data.json and their documents); poll the status.
        While one is being prepared, the same one is returned."""
        export = data_export_start(user=request.user)
        body = DataExportOutputSerializer(export, context={"request": request}).data
        location = reverse("api:me-export", args=[export.public_id], request=request)
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": location})


class DataExportDetailApi(APIView):
    @extend_schema(
        operation_id="me_export_retrieve",
        parameters=PROBLEM_HEADERS,
        responses={200: DataExportOutputSerializer, **problems(401, 404, 429)},
    )
    def get(self, request, public_id):
        """Show the progress of one of the caller's exports."""
        export = data_export_get_for_owner(user=request.user, public_id=public_id)
        return Response(DataExportOutputSerializer(export, context={"request": request}).data)


class DataExportDownloadApi(APIView):
    @extend_schema(
        operation_id="me_export_download",
        parameters=PROBLEM_HEADERS,
        responses={
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="The zip file."),
            **problems(401, 404, 409, 429),
        },
    )
    def get(self, request, public_id):
        """Download the caller's export once ready (409 while it is still being prepared)."""
        export = data_export_get_for_owner(user=request.user, public_id=public_id)
        if export.status != DataExport.Status.READY:
            return problem(
                status_code=status.HTTP_409_CONFLICT, code="not_ready", detail="The export is not ready yet."
            )
        return data_export_file_response(export=export)
