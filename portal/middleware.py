"""The web's own middleware, passed by for API v1 requests.

API v1 answers in JSON: it shows no flash messages, and the session of its X-Session-Token is tracked by the API's
own authentication. These middleware still run for every other request (pages, the admin, allauth's app API under
/api/auth/); the security headers, the session, the profile's language (a browser signed in on the web reads the
API in it), CSRF and CSP run for every request.
"""

from allauth.usersessions.middleware import UserSessionsMiddleware
from django.contrib.messages.middleware import MessageMiddleware

from services.api.middleware import API_V1_PREFIX

HOOKS = ("process_view", "process_exception", "process_template_response")


def web_only(middleware: type) -> type:
    """Return ``middleware`` passed by for API v1 requests: a subclass, so Django's checks still find it (the admin's
    for the messages); one with hooks that Django calls apart from the middleware's call is refused."""
    if any(hasattr(middleware, hook) for hook in HOOKS):
        raise TypeError(f"{middleware.__name__} has hooks that run apart from its call: it cannot be skipped")

    class WebOnly(middleware):
        def __call__(self, request):
            if request.path_info.startswith(API_V1_PREFIX):
                return self.get_response(request)
            return super().__call__(request)

    WebOnly.__name__ = WebOnly.__qualname__ = f"WebOnly{middleware.__name__}"
    return WebOnly


WebOnlyMessageMiddleware = web_only(MessageMiddleware)
WebOnlyUserSessionsMiddleware = web_only(UserSessionsMiddleware)
