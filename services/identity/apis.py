"""The app's identity sign-in (/api/auth/identity/): the portal holds the client credentials and the PKCE verifier,
the app only opens the provider's page and hands back the code; the answer is an X-Session-Token like a password
login's through allauth's app API."""

from allauth.account.internal.flows.login import record_authentication
from allauth.headless import app_settings as headless_settings
from allauth.headless.internal import sessionkit
from django.contrib.auth import login
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from services.api.idempotency import IdempotentPostMixin
from services.api.openapi import IDEMPOTENT_PARAMETERS, IDEMPOTENT_PROBLEMS, PROBLEM_HEADERS, problems
from services.api.serializers import StrictInputSerializer
from services.common.errors import ValidationFailed

from .actions import identity_login
from .models import Assurance
from .oidc import authorization_finish, authorization_start
from .providers import provider_get, provider_list
from .selectors import assurance_for_user
from .views import BACKEND

PENDING_SECONDS = 600  # the app has this long to come back with the code


def _pending_key(state: str) -> str:
    return f"identity:app-pending:{state}"


def _app_session_token(request, *, user, provider) -> str:
    """Sign ``user`` in on a new app session (not the request's cookie session) and return its token."""
    django_request = request._request
    cookie_session, cookie_user = django_request.session, django_request.user
    try:
        django_request.session = sessionkit.new_session()
        login(django_request, user, backend=BACKEND)
        record_authentication(django_request, user, "identity", provider=provider.id, assurance=provider.assurance)
        return headless_settings.TOKEN_STRATEGY.create_session_token(django_request)
    finally:
        django_request.session.save()
        django_request.session, django_request.user = cookie_session, cookie_user
        django_request.META["CSRF_COOKIE_NEEDS_UPDATE"] = False  # login() rotates the token: no cookie for the app


class ProviderOutputSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    assurance = serializers.ChoiceField(choices=Assurance.choices, help_text="The level a sign-in here gives.")


class IdentityProviderListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="identity_providers_list",
        parameters=PROBLEM_HEADERS,
        responses={200: ProviderOutputSerializer(many=True), **problems(429)},
    )
    def get(self, request):
        """List the identity providers the app may offer ("Sign in with 随申办"), with the level each gives."""
        return Response(ProviderOutputSerializer(provider_list(), many=True).data)


class StartOutputSerializer(serializers.Serializer):
    authorization_url = serializers.URLField(help_text="Open in the system browser (ASWebAuthenticationSession).")
    state = serializers.CharField(help_text="Comes back on the redirect with the code; send both to finish.")


class IdentityLoginStartApi(IdempotentPostMixin, APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="identity_login_start",
        request=None,
        parameters=IDEMPOTENT_PARAMETERS,
        responses={200: StartOutputSerializer, **problems(400, 404, 429, 503, *IDEMPOTENT_PROBLEMS)},
    )
    def post(self, request, provider_id: str):
        """Start a sign-in with the provider: the URL to open; the provider redirects to the app's URI."""
        provider = provider_get(provider_id)
        if not provider.app_redirect_uri:
            raise ValidationFailed(_("This identity provider is not set up for the app."))
        url, pending = authorization_start(provider=provider, redirect_uri=provider.app_redirect_uri)
        cache.set(_pending_key(pending["state"]), pending, PENDING_SECONDS)
        return Response({"authorization_url": url, "state": pending["state"]})


class FinishOutputSerializer(serializers.Serializer):
    session_token = serializers.CharField(help_text="Send as X-Session-Token to /api/v1/ and /api/auth/app/v1/.")
    email = serializers.CharField()
    assurance = serializers.ChoiceField(choices=Assurance.choices)


class IdentityLoginFinishApi(IdempotentPostMixin, APIView):
    permission_classes = [AllowAny]

    class InputSerializer(StrictInputSerializer):
        class Meta:
            ref_name = "IdentityLoginFinish"

        state = serializers.CharField(max_length=200)
        code = serializers.CharField(max_length=2000)

    @extend_schema(
        operation_id="identity_login_finish",
        request=InputSerializer,
        parameters=IDEMPOTENT_PARAMETERS,
        responses={200: FinishOutputSerializer, **problems(400, 404, 415, 429, 503, *IDEMPOTENT_PROBLEMS)},
    )
    def post(self, request, provider_id: str):
        """Finish the sign-in with the code and state the provider sent to the app's URI: a session token. Sent
        with an X-Session-Token, it links the identity to that account (an email account verifying itself)."""
        provider = provider_get(provider_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        key = _pending_key(data.validated_data["state"])
        pending = cache.get(key)
        if pending is None or not cache.delete(key) or pending["provider"] != provider.id:  # a state works once
            raise ValidationFailed(_("This sign-in has expired or was already used. Please start again."))
        claims = authorization_finish(provider=provider, pending=pending, code=data.validated_data["code"])
        signed_in = request.user if request.user.is_authenticated else None  # then the identity is linked to it
        user = identity_login(provider=provider, claims=claims, user=signed_in)
        token = _app_session_token(request, user=user, provider=provider)
        return Response({"session_token": token, "email": user.email, "assurance": assurance_for_user(user=user)})
