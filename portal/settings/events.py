"""Events for the departments' own systems: the outbox's webhook deliveries (Standard Webhooks) and their retries."""

from .env import DEBUG, env

# Hosts webhooks may be delivered to (Django's ALLOWED_HOSTS patterns: "sys.health.example", ".example" for its
# subdomains); a subscription to another host is refused when saved and its deliveries fail for good.
WEBHOOK_ALLOWED_HOSTS = env.list("WEBHOOK_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"] if DEBUG else [])
# Seconds to wait for a receiver to connect and answer before the attempt counts as failed.
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
# Seconds before each retry after a failed attempt: seconds, then minutes, hours and days; after the last one the
# delivery is a dead letter (the admin can replay it).
WEBHOOK_RETRY_SCHEDULE = env.list(
    "WEBHOOK_RETRY_SCHEDULE", cast=float, default=[15, 60, 300, 1800, 7200, 21600, 86400, 172800]
)
# Deliveries a webhooks worker takes and sends in one task (over kept connections), their attempts written together.
WEBHOOK_BATCH_SIZE = env.int("WEBHOOK_BATCH_SIZE", default=50)
# Events (the outbox) every subscription received and the portal reacted to are deleted, with their deliveries and
# the attempt log, this many days after they happened (beat's purge_old_events); until then a delivered one can be
# replayed and its log read in the admin. Undelivered ones (pending, dead letters) are kept however old. A fraction
# is allowed (the bench's growth run keeps them minutes).
EVENT_RETENTION_DAYS = env.float("EVENT_RETENTION_DAYS", default=90.0)
