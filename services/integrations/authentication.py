"""How a department system proves who it is: an API token (``Authorization: Bearer``), or a Standard Webhooks
signature with its inbound secret on calls to its own inbound URL."""

from django.utils.translation import gettext as _
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed

from services.events.signing import BadSignature, verified_id

from .selectors import department_system_for_token, department_system_get


class SystemTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer sys_...``: the request acts as the system's account; ``request.auth`` is the system."""

    def authenticate(self, request):
        kind, _space, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if kind.lower() != "bearer" or not token:
            return None
        system = department_system_for_token(token=token.strip())
        if system is None:
            raise AuthenticationFailed(_("Unknown or revoked system token."))
        return system.account, system

    def authenticate_header(self, request):
        return 'Bearer realm="department systems"'


class SystemSignatureAuthentication(BaseAuthentication):
    """webhook-id, webhook-timestamp (within 5 minutes) and webhook-signature over the raw body, with the inbound
    secret of the system named in the URL; ``request.inbound_id`` is the call's webhook-id."""

    def authenticate(self, request):
        system = department_system_get(public_id=request.parser_context["kwargs"]["system"])
        if system is None:
            raise AuthenticationFailed(_("Unknown system."))
        secrets = [system.inbound_secret, system.previous_inbound_secret]
        try:
            request.inbound_id = verified_id(secrets=secrets, headers=request.headers, body=request.body)
        except BadSignature as exc:
            raise AuthenticationFailed(str(exc)) from exc
        return system.account, system

    def authenticate_header(self, request):
        return 'Webhook realm="department systems"'
