"""The portal's allauth account adapter.

- Its emails are the portal's own: its name and address from the settings (never the request's host), subjects
  marked like the portal's text messages, in the reader's language. They (email verification, password reset,
  security notices) leave through the notifications' email queue, retried with backoff, instead of being sent
  inside the request: a mail server that is down or slow no longer fails a sign-up or a password reset.
- The portal's one client address (TRUSTED_PROXY_COUNT), and failed logins that cannot be used to lock someone else
  out: allauth counts failed logins per address and per account ("key"); counted per account, a stranger's five
  wrong passwords would lock the owner out too. Here the per-account count is per (account, address) pair, and the
  account as a whole is slowed down progressively instead: past LOGIN_FAILURES_BEFORE_SLOWDOWN failures within an
  hour, each try must wait twice as long as the one before, and the owner is told once by email.
"""

import time

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext as _

from services.common.http import client_address
from services.common.i18n import is_chinese
from services.common.tasks import publish

from .models import User

FAILURES_WINDOW_SECONDS = 60 * 60


def _failures_key(login: str) -> str:
    return f"login-failures:{login.lower()}"


class PortalAccountAdapter(DefaultAccountAdapter):
    def format_email_subject(self, subject: str) -> str:
        # Chinese puts no space after its full-width bracket: 【一网通办】请确认…
        return f"{_('[Shanghai One-Stop]')}{'' if is_chinese() else ' '}{subject}"

    def send_mail(self, template_prefix: str, email: str, context_data: dict) -> None:
        request = context.request
        message = self.render_mail(
            template_prefix,
            email,
            {
                "request": request,
                "email": email,
                "current_site": get_current_site(request),
                **context_data,
                "portal_url": settings.PORTAL_URL.rstrip("/"),
            },
        )
        html = next((body for body, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), "")
        # At once, as allauth would send it (a broker that is down is logged: the resident asks for it again).
        publish(
            "services.notifications.tasks.send_account_email",
            (
                {
                    "subject": message.subject,
                    "body": message.body,
                    "content_subtype": message.content_subtype,
                    "html": html,
                    "from_email": message.from_email,
                    "to": message.to,
                },
            ),
        )

    def get_client_ip(self, request) -> str:
        return client_address(request)

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # allauth's "key" of the failed-login limit: the account and the address together.
        return f"{super()._get_login_attempts_cache_key(request, **credentials)}|{client_address(request)}"

    def pre_authenticate(self, request, **credentials) -> None:
        super().pre_authenticate(request, **credentials)
        count, last = cache.get(_failures_key(credentials.get("email", "")), (0, 0.0))
        over = count - settings.LOGIN_FAILURES_BEFORE_SLOWDOWN
        if over >= 0 and time.time() - last < min(2**over, settings.LOGIN_SLOWDOWN_MAX_SECONDS):
            self._rollback_login_failed_rl_usage()  # a try refused unread counts for nothing
            raise self.validation_error("too_many_login_attempts")

    def authentication_failed(self, request, **credentials) -> None:
        login = credentials.get("email", "")
        count, _last = cache.get(_failures_key(login), (0, 0.0))
        cache.set(_failures_key(login), (count + 1, time.time()), FAILURES_WINDOW_SECONDS)
        if count + 1 == settings.LOGIN_FAILURES_BEFORE_SLOWDOWN:
            self._tell_owner(login)

    def login(self, request, user) -> None:
        cache.delete(_failures_key(user.email))  # the owner is in: the account need not be slowed down any more
        super().login(request, user)

    def _tell_owner(self, login: str) -> None:
        """Email the owner (in their language) that someone keeps trying to sign in to their account."""
        user = User.objects.filter(email__iexact=login, is_active=True).select_related("profile").first()
        if user is None:
            return
        language = getattr(getattr(user, "profile", None), "preferred_language", None) or settings.LANGUAGE_CODE
        with translation.override(language):
            data = {"failures": settings.LOGIN_FAILURES_BEFORE_SLOWDOWN, "portal_url": settings.PORTAL_URL}
            self.send_mail("account/email/login_failures", user.email, data)
