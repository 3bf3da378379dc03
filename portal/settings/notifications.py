"""Notifications: email, SMS, delivery attempts, and the portal's address for links in messages."""

from django.core.exceptions import ImproperlyConfigured

from .env import DEBUG, env

EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
globals().update(EMAIL_CONFIG)  # EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, ... as the URL gives them
# A mail server that hangs fails the attempt after this (retried later) instead of holding its worker.
EMAIL_TIMEOUT = 10
# Where residents reach the portal, for links in emails sent by background tasks (no request to ask).
PORTAL_URL = env("PORTAL_URL", default="http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="一网通办 Citizen Portal <no-reply@portal.example>")

# SMS: "http" posts JSON to SMS_GATEWAY_URL with SMS_GATEWAY_TOKEN; "console" prints each message, its phone
# number and text, to the log: the embedded mode's (DEBUG) only. Outside DEBUG the gateway must be configured.
SMS_BACKEND = env("SMS_BACKEND", default="console" if DEBUG else "")
if SMS_BACKEND != "http" and not DEBUG:
    raise ImproperlyConfigured(
        "SMS_BACKEND=http (with SMS_GATEWAY_URL) is required unless DJANGO_DEBUG=true: the console backend would "
        "write residents' phone numbers and messages to the log."
    )
SMS_GATEWAY_URL = env("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_TOKEN = env("SMS_GATEWAY_TOKEN", default="")
SMS_GATEWAY_TIMEOUT_SECONDS = env.float("SMS_GATEWAY_TIMEOUT_SECONDS", default=5.0)
# Circuit breaker of each HTTP gateway (SMS, push): this many temporary failures in a row leave it alone for this
# long, its messages going at once to their fallback channel (services/notifications/channels.py).
GATEWAY_CIRCUIT_FAILURES = 3
GATEWAY_CIRCUIT_OPEN_SECONDS = 60
# Push to the phones residents registered (/api/v1/devices/): "console" prints (development), "http" posts JSON
# to PUSH_GATEWAY_URL (a gateway that speaks APNs and FCM) with PUSH_GATEWAY_TOKEN, waiting at most
# PUSH_GATEWAY_TIMEOUT_SECONDS. PUSH_ENABLED=false sends no push at all (the inbox has every message anyway).
PUSH_ENABLED = env.bool("PUSH_ENABLED", default=True)
PUSH_BACKEND = env("PUSH_BACKEND", default="console")
PUSH_GATEWAY_URL = env("PUSH_GATEWAY_URL", default="")
PUSH_GATEWAY_TOKEN = env("PUSH_GATEWAY_TOKEN", default="")
PUSH_GATEWAY_TIMEOUT_SECONDS = env.float("PUSH_GATEWAY_TIMEOUT_SECONDS", default=5.0)
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=6)
NOTIFICATION_SWEEP_AFTER_SECONDS = env.int("NOTIFICATION_SWEEP_AFTER_SECONDS", default=900)
# Messages sent or failed are deleted after this many days (beat's purge_old_notifications), the inbox's too: the
# inbox is the resident's record of what they were told for a year; the timeline and the decision letter stay with
# the application. A fraction is allowed (the bench's growth run keeps them minutes).
NOTIFICATION_RETENTION_DAYS = env.float("NOTIFICATION_RETENTION_DAYS", default=365.0)
