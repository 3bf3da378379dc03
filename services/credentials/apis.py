"""API v1: verify a scanned credential, without an account."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from services.api.openapi import PROBLEM_HEADERS, problems
from services.api.serializers import StrictInputSerializer

from .selectors import Verdict, Verification, credential_verify
from .views import MAX_TOKEN


class CredentialVerifyApi(APIView):
    permission_classes = [AllowAny]

    class InputSerializer(StrictInputSerializer):
        token = serializers.CharField(max_length=MAX_TOKEN)

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CredentialVerification"

        result = serializers.ChoiceField(choices=Verdict.choices)
        type = serializers.CharField(allow_null=True, help_text="The credential type's code.")
        type_name = serializers.CharField(allow_null=True)
        issuer = serializers.CharField(allow_null=True, help_text="The issuing department's code.")
        valid_from = serializers.DateTimeField(allow_null=True)
        valid_until = serializers.DateTimeField(allow_null=True)
        claims = serializers.DictField(help_text="Only the claims the holder chose to show in this token.")

    @extend_schema(
        operation_id="credentials_verify",
        parameters=[
            OpenApiParameter("token", str, required=True, description="The token of the QR code."),
            *PROBLEM_HEADERS,
        ],  # fmt: skip
        responses={200: OutputSerializer, **problems(400, 429)},
    )
    def get(self, request):
        """Check a credential's token as scanned from its QR code: `valid`, `suspended`, `revoked`, `expired` or
        `forged` (not signed by a department of this portal, altered, or naming no credential we issued)."""
        data = self.InputSerializer(data=request.query_params.dict())
        data.is_valid(raise_exception=True)
        verification = credential_verify(token=data.validated_data["token"])
        return Response(verification_json(verification=verification))


_DATETIME = serializers.DateTimeField()  # unbound: the current time zone at each call, as in OutputSerializer


def verification_json(*, verification: Verification) -> dict:
    """Return what CredentialVerifyApi.OutputSerializer gives for ``verification``, built without a serializer
    instance (building one, its fields copied, cost a third of the request)."""
    credential = verification.credential
    return {
        "result": verification.verdict.value,
        "type": credential.type.code if credential else None,
        "type_name": credential.type.name if credential else None,
        "issuer": credential.department.code if credential else None,
        "valid_from": _DATETIME.to_representation(credential.valid_from) if credential else None,
        "valid_until": _DATETIME.to_representation(credential.valid_until) if credential else None,
        "claims": verification.claims,
    }
