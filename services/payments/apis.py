"""Payments in API v1: start paying an application's fee (the app opens the checkout it gives), and read a payment,
its status asked of the provider."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from services.api.idempotency import IdempotentPostMixin
from services.api.openapi import IDEMPOTENT_PARAMETERS, IDEMPOTENT_PROBLEMS, PROBLEM_HEADERS, problems
from services.applications.selectors import application_get_for_resident

from .actions import payment_refresh, payment_start
from .models import PaymentStatus
from .selectors import payment_get_for_resident


class PaymentOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    application = serializers.UUIDField(source="application.public_id")
    amount_fen = serializers.IntegerField(help_text="The fee, in fen (CNY).")
    refunded_fen = serializers.IntegerField()
    status = serializers.ChoiceField(choices=PaymentStatus.choices)
    checkout_url = serializers.CharField(
        help_text="Where the resident pays: the provider's checkout page, or a weixin:// link for WeChat Pay."
    )
    expires_at = serializers.DateTimeField(help_text="Not paid by then, the payment expires; start another.")
    paid_at = serializers.DateTimeField(allow_null=True)


class ApplicationPaymentsApi(IdempotentPostMixin, APIView):
    @extend_schema(
        operation_id="applications_payments_create",
        request=None,
        parameters=IDEMPOTENT_PARAMETERS,
        responses={201: PaymentOutputSerializer, **problems(401, 403, 404, 429, 503, *IDEMPOTENT_PROBLEMS)},
        description="Start paying the fee of one of the caller's submitted applications (`fee_status` `due`), or "
        "get the payment already in progress. Open `checkout_url`; afterwards read the payment: its status is "
        "asked of the provider. No fee due is a 409 problem (`invalid_transition`).",
    )
    def post(self, request, public_id):
        """Start (or continue) paying an application's fee."""
        application = application_get_for_resident(user=request.user, public_id=public_id)
        payment = payment_start(application=application, by=request.user)
        return Response(PaymentOutputSerializer(payment).data, status=status.HTTP_201_CREATED)


class PaymentDetailApi(APIView):
    @extend_schema(
        operation_id="payments_retrieve",
        parameters=PROBLEM_HEADERS,
        responses={200: PaymentOutputSerializer, **problems(401, 404, 429)},
    )
    def get(self, request, public_id):
        """Read one of the caller's payments, its status asked of the provider while it is open."""
        payment = payment_refresh(payment=payment_get_for_resident(user=request.user, public_id=public_id))
        return Response(PaymentOutputSerializer(payment).data)
