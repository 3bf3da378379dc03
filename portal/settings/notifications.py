"""Notifications: email, SMS, delivery attempts, and the portal's address for links in messages."""

from .env import DEBUG, env

EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
globals().update(EMAIL_CONFIG)  # EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, ... as the URL gives them
# Where residents reach the portal, for links in emails sent by background tasks (no request to ask).
PORTAL_URL = env("PORTAL_URL", default="http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="一网通办 Citizen Portal <no-reply@portal.example>")

# SMS: "console" prints (development), "http" posts JSON to SMS_GATEWAY_URL with SMS_GATEWAY_TOKEN.
SMS_BACKEND = env("SMS_BACKEND", default="console")
SMS_GATEWAY_URL = env("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_TOKEN = env("SMS_GATEWAY_TOKEN", default="")
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=6)
NOTIFICATION_SWEEP_AFTER_SECONDS = env.int("NOTIFICATION_SWEEP_AFTER_SECONDS", default=900)
