"""The API for the departments' own systems (``/api/systems/v1/``, docs/integration.md): read an application of
the department, and claim, ask for information, approve or reject, once per event id."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from services.accounts.permissions import StaffScope, staff_scope_for
from services.api.serializers import StrictInputSerializer
from services.applications.actions import MAX_REQUEST_ITEMS, MAX_TEXT
from services.audit.actions import audit_record
from services.audit.models import AuditAction

from .actions import ACTIONS, system_act
from .authentication import SystemSignatureAuthentication, SystemTokenAuthentication
from .selectors import application_get_for_system

AUDITED = {
    "claim": AuditAction.CLAIM,
    "request_information": AuditAction.REQUEST_INFORMATION,
    "approve": AuditAction.APPROVE,
    "reject": AuditAction.REJECT,
}


class IsSystem(IsAuthenticated):
    def has_permission(self, request, view):
        return super().has_permission(request, view) and request.auth is not None


class SystemApi(APIView):
    authentication_classes = [SystemTokenAuthentication]
    permission_classes = [IsSystem]


class ActionSerializer(StrictInputSerializer):
    action = serializers.ChoiceField(choices=ACTIONS)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT, default="")
    rejection_reason = serializers.IntegerField(required=False, allow_null=True, default=None)
    message = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT, default="")
    items = serializers.ListField(
        child=serializers.CharField(max_length=MAX_TEXT), required=False, max_length=MAX_REQUEST_ITEMS, default=list
    )


class SystemApplicationOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    reference = serializers.CharField()
    service = serializers.CharField(source="service.slug")
    status = serializers.CharField()
    version = serializers.IntegerField()
    submitted_at = serializers.DateTimeField()
    due_date = serializers.DateField()
    answers = serializers.JSONField()
    applicant = serializers.SerializerMethodField()

    def get_applicant(self, application) -> dict:
        profile = getattr(application.applicant, "profile", None)
        return {
            "legal_name": getattr(profile, "legal_name", ""),
            "id_number": getattr(profile, "id_number", ""),
            "phone": getattr(profile, "phone", ""),
        }


def _system_scope(system) -> StaffScope:
    """The system's account's staff scope: a system proves itself by its token or signature on every call, which is
    its second factor (it has no authenticator app; staff_scope() would give it none)."""
    return staff_scope_for(user=system.account)


def _act(request, *, system, event_id, application, data) -> Response:
    call, replayed = system_act(system=system, event_id=event_id, application=application, **data)
    if not replayed:
        audit_record(action=AUDITED[data["action"]], request=request, applications=[call.application],
                     detail=f"{system.name} ({event_id})", scope=_system_scope(system))  # fmt: skip
    body = {"id": event_id, "application": str(application.public_id), "status": call.status, "replayed": replayed}
    return Response(body, status=200 if replayed else 201)


@extend_schema(exclude=True)  # the systems' API is described in docs/integration.md, not the residents' app API
class SystemApplicationApi(SystemApi):
    def get(self, request, public_id):
        """Read an application of the system's department: its answers and applicant (a look, audited)."""
        application = application_get_for_system(system=request.auth, public_id=public_id)
        audit_record(
            action=AuditAction.VIEW, request=request, applications=[application], detail=request.auth.name,
            scope=_system_scope(request.auth),
        )  # fmt: skip
        return Response(SystemApplicationOutputSerializer(application).data)


@extend_schema(exclude=True)
class SystemApplicationActionApi(SystemApi):
    class InputSerializer(ActionSerializer):
        id = serializers.CharField(max_length=100, help_text="The system's own id of this call: sent again, no-op.")

    def post(self, request, public_id):
        """Claim, ask for information, approve or reject; the same ``id`` again answers as the first time."""
        application = application_get_for_system(system=request.auth, public_id=public_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event_id = data.validated_data.pop("id")
        return _act(request, system=request.auth, event_id=event_id, application=application, data=data.validated_data)


@extend_schema(exclude=True)
class SystemInboundApi(APIView):
    """A signed call (Standard Webhooks) to the system's own inbound URL; its webhook-id is the event id."""

    authentication_classes = [SystemSignatureAuthentication]
    permission_classes = [IsSystem]

    class InputSerializer(ActionSerializer):
        application = serializers.UUIDField()

    def post(self, request, system):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        application = application_get_for_system(system=request.auth, public_id=data.validated_data.pop("application"))
        return _act(request, system=request.auth, event_id=request.inbound_id, application=application,
                    data=data.validated_data)  # fmt: skip
