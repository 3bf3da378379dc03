"""allauth's settings as the portal reads them (``ALLAUTH_SETTING_GETTER``): the Django settings, except that the
app verifies a new email address with a short code (typed in the app) while the web keeps its link.

allauth has one switch for both (``ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED``); its settings getter is the
documented way to vary a setting per request. It is read while allauth serves a request of its app API
(``/api/auth/app/…``, marked by allauth's headless views); web pages, tasks, system checks and the URL patterns
(loaded before any view runs) see the link. No model is imported here: allauth reads settings during start-up.
"""

from allauth.core import context
from django.conf import settings

APP_ONLY = "ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED"


def serving_the_app() -> bool:
    """Return whether allauth is serving a request of the app's API now."""
    headless = getattr(getattr(context.request, "allauth", None), "headless", None)
    return getattr(headless, "client", None) == "app"  # allauth's Client.APP (a str enum; its module needs models)


def allauth_setting(name: str, default):
    """Return allauth's setting ``name``: by code in the app for email verification, the Django setting otherwise."""
    if name == APP_ONLY:
        return serving_the_app()
    return getattr(settings, name, default)
