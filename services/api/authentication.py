from allauth.headless.contrib.rest_framework.authentication import XSessionTokenAuthentication


class SessionTokenAuthentication(XSessionTokenAuthentication):
    """allauth's X-Session-Token authentication, answering a missing or expired token with 401, not 403.

    DRF turns "not authenticated" into 403 when the first authentication class names no challenge;
    naming one makes it a 401 with ``WWW-Authenticate: X-Session-Token``, which tells the app to log in again.
    """

    def authenticate_header(self, request) -> str:
        return "X-Session-Token"
