"""Changes of circumstances in API v1: report one (for yourself, or ``on_behalf_of`` a mandate you hold), list them,
and read where one stands at each department; and in the departments' systems' API, a department's answer."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from services.accounts.permissions import staff_scope_for
from services.api.idempotency import IdempotentPostMixin
from services.api.openapi import IDEMPOTENT_PARAMETERS, IDEMPOTENT_PROBLEMS, PROBLEM_HEADERS, problems
from services.api.serializers import StrictInputSerializer
from services.audit.actions import audit_record
from services.audit.models import AuditAction
from services.integrations.apis import SystemApi

from .actions import ANSWERS, acknowledgement_answer, change_report
from .models import AckStatus, Kind
from .selectors import (
    acknowledgement_get_for_department,
    change_get_for_user,
    change_list_for_user,
    change_subject_for,
)


class AcknowledgementOutputSerializer(serializers.Serializer):
    department = serializers.SlugField(source="department.code")
    department_name = serializers.CharField(source="department.name")
    status = serializers.ChoiceField(choices=AckStatus.choices)
    note = serializers.CharField(help_text="The department's words for the resident, if any.")
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    escalated = serializers.SerializerMethodField(help_text="Left unacknowledged too long: escalated.")

    def get_escalated(self, acknowledgement) -> bool:
        return acknowledgement.escalated_at is not None


class ChangeOutputSerializer(serializers.Serializer):
    class Meta:
        ref_name = "CircumstanceChange"

    id = serializers.UUIDField(source="public_id")
    kind = serializers.ChoiceField(choices=Kind.choices)
    effective_date = serializers.DateField()
    facts = serializers.DictField(help_text="The kind's facts: codes, text and ISO dates (docs/api.md).")
    yours = serializers.SerializerMethodField(help_text="False when reported for someone you act for.")
    reported_at = serializers.DateTimeField(source="created_at")
    acknowledgements = AcknowledgementOutputSerializer(many=True, help_text="One per department told.")

    def get_yours(self, change) -> bool:
        return change.user_id == self.context["request"].user.pk


def _text(**kwargs):
    return serializers.CharField(required=False, allow_blank=True, max_length=200, **kwargs)


class ChangeInputSerializer(StrictInputSerializer):
    """What changed, and the fields its kind asks for (fields of another kind are ignored)."""

    class Meta:
        ref_name = "CircumstanceChangeReport"

    kind = serializers.ChoiceField(choices=Kind.choices)
    on_behalf_of = serializers.UUIDField(
        required=False, allow_null=True, default=None, help_text="A mandate you hold (GET /api/v1/mandates/)."
    )
    effective_date = _text(help_text="YYYY-MM-DD; not in the future, not before the person's birth.")
    evidence = _text(help_text="A document of your wallet (its id): required for `birth` and `death`.")
    district = _text(help_text="`address`: one of the 16 district codes.")
    street_address = _text(help_text="`address`.")
    phone = _text(help_text="`phone`: 11 digits starting with 1.")
    child_name = _text(help_text="`birth`.")
    employer = _text(help_text="`job`.")
    relative_name = _text(help_text="`death`.")
    relationship = _text(help_text="`death`: spouse, parent, child or other.")


class ChangeListApi(IdempotentPostMixin, APIView):
    @extend_schema(
        operation_id="changes_list",
        parameters=PROBLEM_HEADERS,
        responses={200: ChangeOutputSerializer(many=True), **problems(401, 429)},
    )
    def get(self, request):
        """List the changes you reported (and those of the people you act for), newest first."""
        changes = change_list_for_user(user=request.user)
        return Response(ChangeOutputSerializer(changes, many=True, context={"request": request}).data)

    @extend_schema(
        operation_id="changes_report",
        request=ChangeInputSerializer,
        parameters=IDEMPOTENT_PARAMETERS,
        responses={201: ChangeOutputSerializer, **problems(400, 401, 404, 415, 429, *IDEMPOTENT_PROBLEMS)},
        description="Report a change once: an address or phone change updates the profile at once, and every "
        "department with an open application or a valid credential of the person gets it to acknowledge. A bad "
        "date or missing evidence is a 400 naming the field; a mandate that is not yours, has ended or does not "
        "cover every service is a 404.",
    )
    def post(self, request):
        """Report a change of circumstances."""
        data = ChangeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        subject, mandate = change_subject_for(user=request.user, on_behalf_of=fields.pop("on_behalf_of"))
        kind = fields.pop("kind")
        change = change_report(subject=subject, reported_by=request.user, kind=kind, data=fields, mandate=mandate)
        change = change_get_for_user(user=request.user, public_id=change.public_id)
        return Response(
            ChangeOutputSerializer(change, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class ChangeDetailApi(APIView):
    @extend_schema(
        operation_id="changes_retrieve",
        parameters=PROBLEM_HEADERS,
        responses={200: ChangeOutputSerializer, **problems(401, 404, 429)},
    )
    def get(self, request, public_id):
        """Read one of your changes with where it stands at each department."""
        change = change_get_for_user(user=request.user, public_id=public_id)
        return Response(ChangeOutputSerializer(change, context={"request": request}).data)


@extend_schema(exclude=True)  # the systems' API is described in docs/integration.md, not the residents' app API
class SystemChangeAcknowledgementApi(SystemApi):
    """A department's system answers a change its department was told of (``Authorization: Bearer sys_...``); the
    same answer again changes nothing new. Another department's change, or one it was not told of, is a 404."""

    class InputSerializer(StrictInputSerializer):
        status = serializers.ChoiceField(choices=[(value, value) for value in ANSWERS])
        note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")

    def post(self, request, public_id):
        system = request.auth
        acknowledgement = acknowledgement_get_for_department(department_id=system.department_id, public_id=public_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        acknowledgement = acknowledgement_answer(
            acknowledgement=acknowledgement, by=system.account, **data.validated_data
        )
        audit_record(action=AuditAction.ACKNOWLEDGE_CHANGE, request=request, department_id=system.department_id,
                     detail=f"{public_id} {acknowledgement.status} {system.name}",
                     scope=staff_scope_for(user=system.account))  # fmt: skip
        return Response(
            {"change": str(public_id), "department": system.department.code, "status": acknowledgement.status}
        )
