"""Accounts: the user model, passwords, django-allauth (web and the app's headless API), data exports."""

from .env import env

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "applications:mine"

ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# The app verifies a new address with a code typed in the app (sent once at sign-up; a new one on request, at most
# twice and not sooner than confirm_email below allows), the web with a link: services/accounts/allauth_settings.py.
ALLAUTH_SETTING_GETTER = "services.accounts.allauth_settings.allauth_setting"
ACCOUNT_EMAIL_VERIFICATION_SUPPORTS_RESEND = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
# allauth's rate limits, in the cache. Failed logins: per address, and per (account, address) pair (the portal's
# adapter makes allauth's "key" the pair; the account as a whole is slowed down instead: settings/limits.py).
ACCOUNT_RATE_LIMITS = {  # nosec B105  # "reset_password" names a rate limit, not a password
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
HEADLESS_ONLY = False
HEADLESS_CLIENTS = ("app",)
HEADLESS_SERVE_SPECIFICATION = True

# Days a resident's data export stays downloadable; beat deletes it after that.
DATA_EXPORT_DAYS = env.int("DATA_EXPORT_DAYS", default=7)
# An export pending or running untouched this long lost its build (message or worker): beat publishes it again.
# Longer than CELERY_TASK_TIME_LIMIT, so a build still running is never taken for a lost one.
DATA_EXPORT_SWEEP_AFTER_SECONDS = env.int("DATA_EXPORT_SWEEP_AFTER_SECONDS", default=600)
