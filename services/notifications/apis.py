"""The in-app inbox in API v1: list (optionally only since a time), unread count, mark read."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from services.api.openapi import PROBLEM_HEADERS, problems

from .actions import notification_mark_read, notifications_mark_all_read
from .models import Event
from .selectors import inbox_get, inbox_list, notification_message, unread_count


class NotificationOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    event = serializers.ChoiceField(choices=Event.choices)
    subject = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    path = serializers.SerializerMethodField(help_text="The portal page it is about (for a deep link), or empty.")
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)

    def _message(self, notification):
        # Worded once per notification, in the language of Accept-Language.
        if getattr(notification, "_message", None) is None:
            notification._message = notification_message(notification=notification)
        return notification._message

    def get_subject(self, notification) -> str:
        return self._message(notification).subject

    def get_body(self, notification) -> str:
        return self._message(notification).body

    def get_path(self, notification) -> str:
        return notification.payload.get("path", "")


class CountOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField()


class NotificationListApi(ListAPIView):
    serializer_class = NotificationOutputSerializer

    class FilterSerializer(serializers.Serializer):
        since = serializers.DateTimeField(required=False)

    def get_queryset(self):
        filters = self.FilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return inbox_list(user=self.request.user, since=filters.validated_data.get("since"))

    @extend_schema(
        operation_id="notifications_list",
        parameters=[
            OpenApiParameter(
                "since",
                OpenApiTypes.DATETIME,
                description="Only messages newer than this: the `created_at` of the newest message the app has.",
            ),
            *PROBLEM_HEADERS,
        ],
        responses={200: NotificationOutputSerializer(many=True), **problems(400, 401, 429)},
    )
    def get(self, request, *args, **kwargs):
        """List the caller's in-app messages, newest first (cursor pagination)."""
        return super().get(request, *args, **kwargs)


class NotificationUnreadCountApi(APIView):
    @extend_schema(
        operation_id="notifications_unread_count",
        parameters=PROBLEM_HEADERS,
        responses={200: CountOutputSerializer, **problems(401, 429)},
    )
    def get(self, request):
        """Count the caller's unread in-app messages, up to 100: 100 means 100 or more (a badge shows "99+")."""
        return Response({"count": unread_count(user=request.user)})


class NotificationReadApi(APIView):
    @extend_schema(
        operation_id="notifications_read",
        request=None,
        parameters=PROBLEM_HEADERS,
        responses={200: NotificationOutputSerializer, **problems(401, 404, 429)},
    )
    def post(self, request, public_id):
        """Mark one message read (again changes nothing)."""
        notification = notification_mark_read(notification=inbox_get(user=request.user, public_id=public_id))
        return Response(NotificationOutputSerializer(notification).data)


class NotificationReadAllApi(APIView):
    @extend_schema(
        operation_id="notifications_read_all",
        request=None,
        parameters=PROBLEM_HEADERS,
        responses={200: CountOutputSerializer, **problems(401, 429)},
    )
    def post(self, request):
        """Mark every message read; `count` says how many were unread."""
        return Response({"count": notifications_mark_all_read(user=request.user)})
