"""Ratings in API v1: GET lists the resident's ratings of an application (with follow-ups), POST rates the
current step."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from services.api.idempotency import IdempotentPostMixin
from services.api.openapi import IDEMPOTENT_PARAMETERS, IDEMPOTENT_PROBLEMS, PROBLEM_HEADERS, problems
from services.api.serializers import StrictInputSerializer
from services.applications.selectors import application_get_for_resident

from .actions import COMMENT_MAX_LENGTH, rating_submit
from .models import FollowUpStatus
from .selectors import rating_list_for_application


class FollowUpOutputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=FollowUpStatus.choices)
    contact_due = serializers.DateField(help_text="The supervisor contacts the resident by this day (1 working day).")
    resolve_due = serializers.DateField(help_text="The outcome is given by this day (5 working days).")
    contacted_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField(help_text="The supervisor's outcome, empty until resolved.")


class RatingOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    step = serializers.CharField(help_text="The application's status when it was rated; one rating per step.")
    speed = serializers.IntegerField(min_value=1, max_value=5)
    clarity = serializers.IntegerField(min_value=1, max_value=5)
    attitude = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField()
    created_at = serializers.DateTimeField()
    follow_up = FollowUpOutputSerializer(
        allow_null=True, source="follow_up_or_none", help_text="Opened when any score is 1 or 2; else null."
    )


def _with_follow_up(rating):
    rating.follow_up_or_none = getattr(rating, "follow_up", None)
    return rating


class ApplicationRatingsApi(IdempotentPostMixin, APIView):
    class InputSerializer(StrictInputSerializer):
        """Scores from 1 (very dissatisfied) to 5 (very satisfied) and an optional comment."""

        class Meta:
            ref_name = "RatingCreate"

        speed = serializers.IntegerField(min_value=1, max_value=5)
        clarity = serializers.IntegerField(min_value=1, max_value=5)
        attitude = serializers.IntegerField(min_value=1, max_value=5)
        comment = serializers.CharField(required=False, allow_blank=True, max_length=COMMENT_MAX_LENGTH, default="")

    @extend_schema(
        operation_id="applications_ratings_list",
        parameters=PROBLEM_HEADERS,
        responses={200: RatingOutputSerializer(many=True), **problems(401, 404, 429)},
    )
    def get(self, request, public_id):
        """List the caller's ratings of one of their applications, each with its follow-up."""
        application = application_get_for_resident(user=request.user, public_id=public_id)
        ratings = [_with_follow_up(r) for r in rating_list_for_application(application=application)]
        return Response(RatingOutputSerializer(ratings, many=True).data)

    @extend_schema(
        operation_id="applications_ratings_create",
        request=InputSerializer,
        parameters=IDEMPOTENT_PARAMETERS,
        responses={201: RatingOutputSerializer, **problems(400, 401, 403, 404, 415, 429, *IDEMPOTENT_PROBLEMS)},
        description="Rate the application's current step (not a draft). A second rating of the same step is a "
        "409 problem with code `already_rated`. A score of 1 or 2 opens a follow-up by the department's "
        "supervisor.",
    )
    def post(self, request, public_id):
        """Rate the current step of one of the caller's applications."""
        application = application_get_for_resident(user=request.user, public_id=public_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rating = rating_submit(application=application, by=request.user, **data.validated_data)
        return Response(RatingOutputSerializer(_with_follow_up(rating)).data, status=status.HTTP_201_CREATED)
