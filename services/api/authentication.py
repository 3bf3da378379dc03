from allauth.headless.contrib.rest_framework.authentication import XSessionTokenAuthentication
from allauth.usersessions.internal import usersessionkit

from .session_users import token_session_user


class SessionTokenAuthentication(XSessionTokenAuthentication):
    """allauth's X-Session-Token authentication, answering a missing or expired token with 401, not 403, and
    finding the session's user without a query while nothing about them changed (session_users.py).

    DRF turns "not authenticated" into 403 when the first authentication class names no challenge;
    naming one makes it a 401 with ``WWW-Authenticate: X-Session-Token``, which tells the app to log in again.
    """

    def authenticate(self, request):
        token = self.get_session_token(request)
        if not token:
            return None
        session, user = token_session_user(token=token, request=request)  # no session after a logout or its end
        if user is None:
            return None
        usersessionkit.track_activity(request._request, user=user, session=session)
        return user, session

    def authenticate_header(self, request) -> str:
        return "X-Session-Token"
