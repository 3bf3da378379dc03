"""App session tokens (X-Session-Token) that end after inactivity and after an absolute lifetime."""

import time

from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.headless.internal import sessionkit
from allauth.headless.tokens.strategies.sessions import SessionTokenStrategy
from django.conf import settings

TOUCH_EVERY_SECONDS = 60  # write the session at most once a minute to record activity
ISSUED = "api_token_issued"  # [token, time]: when the session's current key was handed out as a token


class ExpiringSessionTokenStrategy(SessionTokenStrategy):
    """allauth's session tokens, valid for API_TOKEN_IDLE_SECONDS unused and API_TOKEN_MAX_AGE_SECONDS in all."""

    def create_session_token(self, request) -> str:
        request.session.set_expiry(settings.API_TOKEN_IDLE_SECONDS)
        token = super().create_session_token(request)
        # Every token carries its issue time, whatever handed it out (a login, a sign-up, an email verification);
        # a login cycles the session's key, so its token is a new one with a time of its own.
        if (request.session.get(ISSUED) or [None])[0] != token:
            request.session[ISSUED] = [token, time.time()]
        return token

    def lookup_session(self, session_token: str):
        # One cache read: allauth's own strategy asks exists() and then loads the session, two round trips.
        return self.still_valid(sessionkit.lookup_session(session_token), session_token)

    def still_valid(self, session, session_token: str):
        """Return the token's loaded ``session`` unless it has outlived its lifetime (then ended), noting its use."""
        if session is None:
            return None
        now = time.time()
        issued_at = _issued_at(session, session_token, now)
        if now - issued_at > settings.API_TOKEN_MAX_AGE_SECONDS:
            session.flush()
            return None
        stamped = (session.get(ISSUED) or [None])[0] == session_token
        if not stamped or now - session.get("api_seen_at", 0) > TOUCH_EVERY_SECONDS:
            # Saving moves the session's expiry date on: the inactivity window starts again.
            session["api_seen_at"] = now
            session[ISSUED] = [session_token, issued_at]
            session.set_expiry(settings.API_TOKEN_IDLE_SECONDS)
            session.save()
        return session


def _issued_at(session, token: str, now: float) -> float:
    """When ``token`` was handed out, or its session's first login if that was earlier; for a token issued before
    the portal recorded the time and never logged in, now (so that it too ends API_TOKEN_MAX_AGE_SECONDS later)."""
    issued = session.get(ISSUED)
    times = [issued[1]] if issued and issued[0] == token else []
    times += [record.get("at", now) for record in session.get(AUTHENTICATION_METHODS_SESSION_KEY) or []]
    return min(times, default=now)
