"""Applications: drafts, routing and its deadlines, the caseworkers' bulk actions, the public statistics."""

from .env import env

# Unsubmitted drafts untouched this many days are deleted, after a reminder this many days before.
DRAFT_RETENTION_DAYS = env.int("DRAFT_RETENTION_DAYS", default=30)
DRAFT_REMINDER_DAYS_BEFORE = env.int("DRAFT_REMINDER_DAYS_BEFORE", default=7)
# Beat's routing sweep publishes again routing (and intake) not done this long after it was due.
ROUTING_SWEEP_AFTER_SECONDS = env.int("ROUTING_SWEEP_AFTER_SECONDS", default=120)
# Routing workers read the rules and the holiday calendar at most this often (an edit made elsewhere reaches a
# running worker within this time; the admin's dry run always reads the rules afresh).
ROUTING_CONFIG_CACHE_SECONDS = env.int("ROUTING_CONFIG_CACHE_SECONDS", default=60)
# Submitted applications a routing task routes in one transaction (taken with SKIP LOCKED, oldest first).
ROUTING_BATCH_SIZE = env.int("ROUTING_BATCH_SIZE", default=100)
# Submissions publish one routing message while one is waiting to be taken; a message lost holds the next one back
# this long at most (the sweep covers it).
ROUTING_WAKE_SECONDS = env.int("ROUTING_WAKE_SECONDS", default=10)
# Overdue applications marked (and listed in one message to supervisors) per transaction by beat's mark_overdue.
ROUTING_OVERDUE_BATCH = env.int("ROUTING_OVERDUE_BATCH", default=500)
# A department that has not acknowledged a change of circumstances this many working days after it reached it is
# escalated by beat's daily escalate_unacknowledged.
CIRCUMSTANCES_ESCALATE_AFTER_WORKING_DAYS = env.int("CIRCUMSTANCES_ESCALATE_AFTER_WORKING_DAYS", default=5)
# A bulk action of the queue on more applications than this runs in the background, with a progress page.
CASEWORKER_BULK_BACKGROUND_THRESHOLD = env.int("CASEWORKER_BULK_BACKGROUND_THRESHOLD", default=50)
# How long the public statistics page's figures are reused before they are counted again.
STATISTICS_CACHE_SECONDS = env.int("STATISTICS_CACHE_SECONDS", default=300)
