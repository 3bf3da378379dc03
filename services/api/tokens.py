"""App session tokens (X-Session-Token) that end after inactivity and after an absolute lifetime."""

import time

from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.headless.internal import sessionkit
from allauth.headless.tokens.strategies.sessions import SessionTokenStrategy
from django.conf import settings

TOUCH_EVERY_SECONDS = 60  # write the session at most once a minute to record activity


class ExpiringSessionTokenStrategy(SessionTokenStrategy):
    """allauth's session tokens, valid for API_TOKEN_IDLE_SECONDS unused and API_TOKEN_MAX_AGE_SECONDS in all."""

    def create_session_token(self, request) -> str:
        request.session.set_expiry(settings.API_TOKEN_IDLE_SECONDS)
        return super().create_session_token(request)

    def lookup_session(self, session_token: str):
        # One cache read: allauth's own strategy asks exists() and then loads the session, two round trips.
        session = sessionkit.lookup_session(session_token)
        if session is None:
            return None
        now = time.time()
        logged_in_at = min(
            (record.get("at", now) for record in session.get(AUTHENTICATION_METHODS_SESSION_KEY) or []), default=None
        )
        if logged_in_at is not None and now - logged_in_at > settings.API_TOKEN_MAX_AGE_SECONDS:
            session.flush()
            return None
        if now - session.get("api_seen_at", 0) > TOUCH_EVERY_SECONDS:
            # Saving moves the session's expiry date on: the inactivity window starts again.
            session["api_seen_at"] = now
            session.set_expiry(settings.API_TOKEN_IDLE_SECONDS)
            session.save()
        return session
