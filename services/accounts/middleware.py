from django.conf import settings
from django.utils import translation

from .selectors import profile_for_user

ELDER_MODE_COOKIE = "elder_mode"
ELDER_MODE_COOKIE_AGE = 365 * 24 * 60 * 60


def set_elder_mode_cookie(response, on: bool) -> None:
    """Remember elder mode (长者版) in this browser: "1" on, "0" off."""
    response.set_cookie(
        ELDER_MODE_COOKIE,
        "1" if on else "0",
        max_age=ELDER_MODE_COOKIE_AGE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def set_language_cookie(response, language: str) -> None:
    """Remember the language in Django's language cookie, as the header's language switch does."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class PreferredLanguageMiddleware:
    """Speak a signed-in resident's preferred language (from the profile) unless this browser chose one.

    The choice is kept in the language cookie, so it costs one query per browser, and the header's
    language switch (which sets the same cookie) always wins.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = None
        cookies = request.COOKIES
        if request.user.is_authenticated and (
            settings.LANGUAGE_COOKIE_NAME not in cookies or ELDER_MODE_COOKIE not in cookies
        ):
            profile = profile_for_user(user=request.user)
            if profile.pk is not None and settings.LANGUAGE_COOKIE_NAME not in cookies:
                language = profile.preferred_language
                translation.activate(language)
                request.LANGUAGE_CODE = translation.get_language()
            if ELDER_MODE_COOKIE not in cookies:
                # Elder mode is remembered for the account; the same one query per browser brings it here.
                request.elder_mode = bool(profile.elder_mode)
        response = self.get_response(request)
        if language and settings.LANGUAGE_COOKIE_NAME not in response.cookies:  # the switch itself wins
            set_language_cookie(response, language)
        if hasattr(request, "elder_mode") and ELDER_MODE_COOKIE not in response.cookies:
            set_elder_mode_cookie(response, request.elder_mode)
        return response
