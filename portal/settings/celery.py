"""Celery: the broker, publishing, queues, worker policies, task retries and beat's periodic jobs."""

from celery.schedules import crontab
from kombu import Queue

from .env import env
from .redis import REDIS_SENTINEL_MASTER, REDIS_SENTINELS, sentinel_broker_url

NOTIFICATION_QUEUES = ("notifications.email", "notifications.sms", "notifications.push")

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
if CELERY_BROKER_URL and REDIS_SENTINELS:  # Redis with Sentinel: settings/redis.py
    CELERY_BROKER_URL = sentinel_broker_url(CELERY_BROKER_URL)
# Celery's connections use these two, and prefer them to the CELERY_BROKER_URL environment variable (which Celery
# would otherwise read itself, over the sentinels' URL made above).
CELERY_BROKER_READ_URL = CELERY_BROKER_WRITE_URL = CELERY_BROKER_URL
# Embedded mode: no broker configured, so tasks run in-process (still only after commit).
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# In-process, a failing task must not turn the resident's already-committed submission into an error page.
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
# Publishing fails fast when the broker is down (one quick retry for a stale connection, short timeouts):
# a resident's request never waits on it, and the sweep publishes again what could not be published.
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.1}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# After a failed publish, skip publishing for this long (each app's sweep publishes later what was skipped).
BROKER_DOWN_PAUSE_SECONDS = env.float("BROKER_DOWN_PAUSE_SECONDS", default=5.0)
# A sweep publishes the same row's work again at most this often, and that message expires after it (a sweep run
# while a queue's worker is down adds one message per row, not one per run).
SWEEP_REPUBLISH_AFTER_SECONDS = env.int("SWEEP_REPUBLISH_AFTER_SECONDS", default=600)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# /healthz answers 503 when a queue's oldest message has waited longer than this (its workers dead or stuck).
HEALTH_QUEUE_MAX_AGE_SECONDS = env.int("HEALTH_QUEUE_MAX_AGE_SECONDS", default=300)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # An unacknowledged message (its worker died with it) is delivered again after this; the sweep is faster.
    "visibility_timeout": 3600,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    # CELERY_KEY_PREFIX lets several deployments (or concurrent test runs) share one Redis without sharing queues.
    "global_keyprefix": env("CELERY_KEY_PREFIX", default=""),
}
if REDIS_SENTINELS:
    CELERY_BROKER_TRANSPORT_OPTIONS["master_name"] = REDIS_SENTINEL_MASTER
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "services.routing.tasks.route_application": {"queue": "routing"},
    "services.routing.tasks.route_submitted": {"queue": "routing"},
    "services.documents.tasks.*": {"queue": "documents"},
    # Deliveries are published to their channel's queue, notifications.<channel> (services/notifications/actions.py).
    "services.notifications.tasks.send_account_email": {"queue": "notifications.email"},
    "services.notifications.tasks.*": {"queue": "notifications"},
    "services.events.tasks.deliver_events": {"queue": "webhooks"},
}
# Department intake queues are named dept.<code>; a worker for them is started with -Q dept.health etc.
# Beat's periodic jobs go to "sweeps", whose worker runs nothing else: a worker that dies (or is busy) elsewhere
# cannot take the recovery down with it.
CELERY_TASK_QUEUES = [
    Queue(name)
    for name in ("default", "sweeps", "routing", "documents", "notifications", *NOTIFICATION_QUEUES, "webhooks")
]
CELERY_TASK_CREATE_MISSING_QUEUES = True
# Keep the worker's database connection across tasks (Celery's Django fixup closes it after every task otherwise).
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=200)

# --- Retries -----------------------------------------------------------------
# Read when a task fails (services.common.tasks.RetryingTask), so overriding them reaches tasks already declared.
# Routing and intake tasks: bounded retries with exponential backoff (2, 4, 8, 16, 32 s, with jitter), then
# the application is flagged (routing failed / checks failed) for people to handle.
ROUTING_TASK_RETRY = {"max_retries": 5, "retry_backoff": 2, "retry_backoff_max": 60}
# Notification deliveries: 10 s doubling to 10 min (with jitter), at most NOTIFICATION_MAX_ATTEMPTS retries (the
# delivery itself fails the message and falls back to another channel at its last allowed attempt).
NOTIFICATION_TASK_RETRY = {"max_retries": "NOTIFICATION_MAX_ATTEMPTS", "retry_backoff": 10, "retry_backoff_max": 600}
# Virus scans while the scanner is down: 5 s doubling to 5 min (with jitter), 8 times; the document stays pending
# and the scan sweep publishes it again later.
DOCUMENT_SCAN_TASK_RETRY = {"max_retries": 8, "retry_backoff": 5, "retry_backoff_max": 300}

# Payment provider calls (a refund, the statement): 30 s doubling to 30 min, 8 times; an approved refund still
# unsent then stays "approved" in the admin.
PAYMENT_TASK_RETRY = {"max_retries": 8, "retry_backoff": 30, "retry_backoff_max": 1800}


# --- Periodic jobs (beat) -----------------------------------------------------
# Beat publishes only while it holds a lock in Redis: two beats (a rollout, a node cut off) never publish twice.
CELERY_BEAT_SCHEDULER = "portal.beat:LockedScheduler"


def _every(seconds: float, task: str) -> dict:
    """A beat entry on the sweeps queue whose message expires with its period: while the sweeps worker is down,
    beat's messages do not pile up (the next one does the same work)."""
    return {"task": task, "schedule": seconds, "options": {"queue": "sweeps", "expires": seconds}}


def _daily(task: str, **at) -> dict:
    """A beat entry once a day at ``at`` (crontab's hour and minute) on the sweeps queue, expiring within the hour."""
    return {"task": task, "schedule": crontab(**at), "options": {"queue": "sweeps", "expires": 3600}}


# How often each purge of rows past their retention runs (the bench's growth run: every minute).
PURGE_EVERY_SECONDS = env.float("PURGE_EVERY_SECONDS", default=3600.0)

CELERY_BEAT_SCHEDULE = {
    # Delete residents' data exports past their expiry, with their zips.
    "purge-expired-exports": _every(PURGE_EVERY_SECONDS, "services.accounts.tasks.purge_expired_exports"),
    # Publish again the build of data exports still pending or running but untouched (a lost message or worker).
    "data-exports-sweep": _every(5 * 60.0, "services.accounts.tasks.sweep_data_exports"),
    # Publish again routing (and intake) whose message was lost: the application row is the outbox.
    "routing-sweep": _every(
        env.float("ROUTING_SWEEP_EVERY_SECONDS", default=60.0), "services.routing.tasks.sweep_routing"
    ),
    # Mark applications past their legal due date, raise their priority and tell the supervisors.
    "mark-overdue": _every(15 * 60.0, "services.routing.tasks.mark_overdue"),
    # Remind residents of drafts about to expire, and delete expired drafts (DRAFT_RETENTION_DAYS).
    "draft-purge": _every(PURGE_EVERY_SECONDS, "services.applications.tasks.purge_stale_drafts"),
    # Publish again the check and cleaning of documents still pending (a lost message, a worker that died while
    # processing one, or clamd down for a while).
    "documents-sweep": _every(5 * 60.0, "services.documents.tasks.sweep_unprocessed"),
    # Publish again deliveries of notifications still unsent (a lost message) and those whose sending outlived its
    # lease (30 s by default: a worker, or its database, lost mid-send): retried within a minute.
    "notifications-sweep": _every(30.0, "services.notifications.tasks.sweep_undelivered"),
    # Delete notifications sent or failed longer ago than NOTIFICATION_RETENTION_DAYS.
    "notifications-purge": _every(PURGE_EVERY_SECONDS, "services.notifications.tasks.purge_old_notifications"),
    # Delete web sessions and app tokens past their expiry (what clearsessions does), and their "active sessions" rows.
    "sessions-purge": _every(PURGE_EVERY_SECONDS, "services.accounts.tasks.purge_expired_sessions"),
    # Delete events delivered everywhere longer ago than EVENT_RETENTION_DAYS, with their delivery logs.
    "events-purge": _every(PURGE_EVERY_SECONDS, "services.events.tasks.purge_old_events"),
    # Publish again webhook deliveries due but carried by no message (a far-off retry, a lost message or worker).
    "webhooks-sweep": _every(30.0, "services.events.tasks.sweep_deliveries"),
    # Publish again the portal's own reactions to events (proactive offers) that a lost message left undone.
    "reactions-sweep": _every(60.0, "services.events.tasks.sweep_reactions"),
    # Offer (or grant) the benefits of the active proactive rules checked periodically (e.g. residents turning 60).
    "proactive-periodic": _daily("services.proactive.tasks.run_periodic_rules", hour=3, minute=0),
    # Expire payments past their time (after asking the provider: a payment made at the last second is kept).
    "payments-expire": _every(60.0, "services.payments.tasks.expire_payments"),
    # Publish again the caseworkers' bulk actions left unfinished and untouched (a lost message or worker).
    "bulk-jobs-sweep": _every(5 * 60.0, "services.caseworker.tasks.sweep_bulk_jobs"),
    # Compare yesterday's payments with the provider's statement; mismatches are listed in the admin.
    "payments-reconcile": _daily("services.payments.tasks.reconcile_yesterday", hour=2, minute=30),
    # Free the seats of appointment holds not confirmed in time, and remind residents of tomorrow's appointments.
    "appointments-sweep": _every(5 * 60.0, "services.appointments.tasks.sweep_appointments"),
    # Make the seats of the days that came within APPOINTMENT_DAYS_AHEAD.
    "appointments-seats": _daily("services.appointments.tasks.make_seats", hour=1, minute=0),
    # Rebuild the summary of past days' decisions that the public statistics and the supervisors' dashboard read.
    "decision-days": _every(60 * 60.0, "services.applications.tasks.refresh_decision_days"),
    # Add up the rows of the open applications' kept counts that each change writes, so the dashboards sum few.
    "open-counts": _every(60.0, "services.applications.tasks.roll_up_open_counts"),
    # Rebuild the city view's summary table from the applications (the page reads only the summary).
    "city-figures": _every(
        env.float("CITY_VIEW_REFRESH_SECONDS", default=900.0), "services.statistics.tasks.refresh_city_figures"
    ),
    # Escalate changes of circumstances a department left unacknowledged (CIRCUMSTANCES_ESCALATE_AFTER_WORKING_DAYS).
    "circumstances-escalate": _daily("services.circumstances.tasks.escalate_unacknowledged", hour=6, minute=0),
    # Delete API Idempotency-Key records past their lifetime (IDEMPOTENCY_KEY_TTL_SECONDS).
    "idempotency-keys-purge": _every(PURGE_EVERY_SECONDS, "services.api.tasks.purge_idempotency_keys"),
}
