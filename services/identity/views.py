"""The web's identity sign-in: to the provider and back, and the account adapter's logout through the provider."""

from allauth.account.internal.flows.login import record_authentication
from django.conf import settings
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from services.accounts.adapter import PortalAccountAdapter
from services.common.errors import DomainError

from .actions import identity_login
from .oidc import authorization_finish, authorization_start, end_session_url
from .providers import provider_get

PENDING_KEY = "identity_pending"  # session: state → the pending login (a few at most: several tabs)
SIGNED_IN_KEY = "identity_signed_in"  # session: the provider this session signed in with (to sign out there too)
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _refused(request, exc: DomainError, provider=None):
    return render(request, "identity/refused.html", {"message": str(exc), "provider": provider}, status=exc.status_code)


def _safe_next(request, url: str | None) -> str:
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=False):
        return url
    return reverse(settings.LOGIN_REDIRECT_URL)


@require_GET
def identity_login_start(request, provider_id: str):
    """Send the browser to the provider; ``?link=1`` links the identity to the account signed in now."""
    try:
        provider = provider_get(provider_id)
        callback = request.build_absolute_uri(reverse("identity:callback", args=[provider.id]))
        url, pending = authorization_start(provider=provider, redirect_uri=callback)
    except DomainError as exc:
        return _refused(request, exc)
    pending["next"] = _safe_next(request, request.GET.get("next"))
    pending["link"] = request.user.pk if request.GET.get("link") and request.user.is_authenticated else None
    waiting = dict(list(request.session.get(PENDING_KEY, {}).items())[-4:])  # the last few tabs' logins
    waiting[pending["state"]] = pending
    request.session[PENDING_KEY] = waiting
    return redirect(url)


@require_GET
def identity_login_callback(request, provider_id: str):
    """Come back from the provider: check state, code, token and nonce, then sign in (or link) and go on."""
    waiting = request.session.get(PENDING_KEY, {})
    pending = waiting.pop(request.GET.get("state", ""), None)  # a state works once
    request.session[PENDING_KEY] = waiting
    try:
        provider = provider_get(provider_id)
    except DomainError as exc:
        return _refused(request, exc)
    try:
        if pending is None or pending["provider"] != provider.id or not request.GET.get("code"):
            return render(request, "identity/refused.html", {"provider": provider, "expired": True}, status=400)
        claims = authorization_finish(provider=provider, pending=pending, code=request.GET["code"])
        linking = pending["link"] is not None and pending["link"] == request.user.pk
        user = identity_login(provider=provider, claims=claims, user=request.user if linking else None)
    except DomainError as exc:
        return _refused(request, exc, provider=provider)
    if not linking:
        login(request, user, backend=BACKEND)
    record_authentication(request, user, "identity", provider=provider.id, assurance=provider.assurance)
    request.session[SIGNED_IN_KEY] = provider.id
    return redirect(pending["next"])


class AccountAdapter(PortalAccountAdapter):
    """allauth's adapter: the portal's own emails (PortalAccountAdapter), and signing out of a session that came
    from a provider signs out there too (allauth asks for the way out before it ends the session)."""

    def get_logout_redirect_url(self, request):
        signed_in = request.session.get(SIGNED_IN_KEY)
        if signed_in:
            try:
                provider = provider_get(signed_in)
            except DomainError:  # the provider was taken out of the settings since
                provider = None
            if provider is not None:
                url = end_session_url(provider=provider, post_logout_redirect_uri=request.build_absolute_uri("/"))
                if url:
                    return url
        return super().get_logout_redirect_url(request)
