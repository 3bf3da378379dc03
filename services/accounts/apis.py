"""The resident's profile and push devices in API v1; the guard on allauth's app API for authenticator apps."""

from allauth.headless.constants import Client
from allauth.headless.internal.sessionkit import authenticate_by_x_session_token
from allauth.headless.mfa.views import ManageTOTPView
from django.conf import settings
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from services.api.idempotency import IdempotentPostMixin
from services.api.openapi import IDEMPOTENT_PARAMETERS, IDEMPOTENT_PROBLEMS, PROBLEM_HEADERS, problems
from services.api.problems import problem_json
from services.api.serializers import StrictInputSerializer

from .actions import device_register, device_unregister, profile_update
from .models import Device, District, ResidentProfile
from .selectors import profile_for_user


class ProfileOutputSerializer(serializers.Serializer):
    email = serializers.EmailField(source="user.email")
    legal_name = serializers.CharField()
    id_number = serializers.CharField(allow_null=True)
    date_of_birth = serializers.DateField(allow_null=True)
    phone = serializers.CharField()
    district = serializers.ChoiceField(choices=District.choices, allow_blank=True)
    street_address = serializers.CharField()
    preferred_language = serializers.ChoiceField(choices=ResidentProfile.Language.choices)
    notify_by_email = serializers.BooleanField()
    notify_by_sms = serializers.BooleanField()
    is_complete = serializers.BooleanField(help_text="Name, ID number, date of birth, phone and district all given.")
    identity_verified = serializers.BooleanField(
        source="is_identity_verified",
        help_text="Name, ID number and date of birth come from a verified identity and cannot be changed here.",
    )


class ProfileApi(APIView):
    class InputSerializer(StrictInputSerializer):
        """Profile fields to change; those left out keep their value. The web form's rules apply."""

        class Meta:
            ref_name = "ProfilePatch"

        legal_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
        id_number = serializers.CharField(
            required=False, allow_blank=True, max_length=30, help_text="18 characters; the check digit is verified."
        )
        date_of_birth = serializers.DateField(required=False, allow_null=True, help_text="Must match the ID number.")
        phone = serializers.CharField(required=False, allow_blank=True, max_length=30)
        district = serializers.ChoiceField(choices=District.choices, required=False, allow_blank=True)
        street_address = serializers.CharField(required=False, allow_blank=True, max_length=200)
        preferred_language = serializers.ChoiceField(choices=ResidentProfile.Language.choices, required=False)
        notify_by_email = serializers.BooleanField(required=False)
        notify_by_sms = serializers.BooleanField(required=False, help_text="Needs a mobile number.")

    @extend_schema(
        operation_id="profile_retrieve",
        parameters=PROBLEM_HEADERS,
        responses={200: ProfileOutputSerializer, **problems(401, 429)},
    )
    def get(self, request):
        """Show the caller's profile (empty fields if none was saved yet)."""
        return Response(ProfileOutputSerializer(profile_for_user(user=request.user)).data)

    @extend_schema(
        operation_id="profile_partial_update",
        request=InputSerializer,
        parameters=PROBLEM_HEADERS,
        responses={200: ProfileOutputSerializer, **problems(400, 401, 413, 415, 429)},
    )
    def patch(self, request):
        """Change profile fields, checked by the same rules as the web profile page; nothing is saved on error."""
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = {name: "" if value is None else value for name, value in data.validated_data.items()}
        profile = profile_update(profile=profile_for_user(user=request.user), changes=changes, partial=True)
        return Response(ProfileOutputSerializer(profile).data)


class DeviceOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id", help_text="The device's id, to unregister it.")
    platform = serializers.ChoiceField(choices=Device.Platform.choices)
    token = serializers.CharField()
    created_at = serializers.DateTimeField()


class DeviceApi(IdempotentPostMixin, APIView):
    class InputSerializer(StrictInputSerializer):
        """A phone's push token (APNs for iOS, FCM for Android)."""

        class Meta:
            ref_name = "DeviceRegister"

        platform = serializers.ChoiceField(choices=Device.Platform.choices)
        token = serializers.CharField(max_length=255)

    @extend_schema(
        operation_id="devices_register",
        request=InputSerializer,
        parameters=IDEMPOTENT_PARAMETERS,
        responses={
            201: DeviceOutputSerializer,
            200: OpenApiResponse(DeviceOutputSerializer, description="Already registered (now to the caller)."),
            **problems(400, 401, 415, 429, *IDEMPOTENT_PROBLEMS),
        },
    )
    def post(self, request):
        """Register this phone for push messages; registering the same token again is harmless."""
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        device, created = device_register(user=request.user, **data.validated_data)
        return Response(
            DeviceOutputSerializer(device).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class DeviceDetailApi(APIView):
    @extend_schema(
        operation_id="devices_unregister",
        parameters=PROBLEM_HEADERS,
        responses={
            204: OpenApiResponse(description="Unregistered; no more push messages to this phone."),
            **problems(401, 404, 429),
        },
    )
    def delete(self, request, public_id):
        """Stop push messages to this phone (e.g. at logout), named by the id its registration returned: a push token
        never travels in an address (where access logs would keep it)."""
        if not device_unregister(user=request.user, public_id=public_id):
            raise exceptions.NotFound()
        return Response(status=status.HTTP_204_NO_CONTENT)


_app_totp = ManageTOTPView.as_api_view(client=Client.APP)


@csrf_exempt  # the app's API: a session token, no cookie
def app_totp(request):
    """allauth's app API for the authenticator app (/api/auth/app/v1/account/authenticators/totp), except that staff
    set theirs up only through their enrolment link on the web, never first-come from an app."""
    token = request.headers.get("X-Session-Token")
    if request.method == "POST" and token and settings.STAFF_REQUIRE_MFA:
        signed_in = authenticate_by_x_session_token(token)
        if signed_in is not None and signed_in.user is not None and signed_in.user.is_staff:
            detail = _("Staff set up their authenticator app with the enrolment link from their supervisor.")
            return problem_json(status_code=403, code="staff_enrolment_required", detail=detail)
    return _app_totp(request)
