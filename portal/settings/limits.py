"""Limits on costly operations, per account and per address, beyond the API's request throttles (settings/api.py).

Rates are ``N/sec``, ``/min``, ``/hour`` or ``/day``, counted in the cache (CACHE_URL) in fixed windows.
"""

from .env import env

# Data exports a resident may start in a day (while one is being prepared, that one is returned instead).
DATA_EXPORTS_PER_DAY = env.int("DATA_EXPORTS_PER_DAY", default=3)
# Uploads per account: files, and bytes (200 MB an hour by default).
UPLOAD_FILES_RATE = env("UPLOAD_FILES_RATE", default="60/hour")
UPLOAD_BYTES_RATE = env("UPLOAD_BYTES_RATE", default="209715200/hour")
# Answers a signed-out visitor posted to a form step are kept in their new session until they sign in again; a
# visitor (an address) gets this many such sessions, so that anonymous posts cannot fill the session store.
SIGNED_OUT_ANSWERS_RATE = env("SIGNED_OUT_ANSWERS_RATE", default="10/hour")
# Catalogue searches on the web per address (the API's are counted by its throttles).
SEARCH_RATE = env("SEARCH_RATE", default="60/min")
# Failed logins: allauth's limit per (account, address) pair locks that address out for that account only; once an
# account has this many failures within an hour, from anywhere, each further try must wait twice as long as the
# one before (up to LOGIN_SLOWDOWN_MAX_SECONDS), and the owner is told by email.
LOGIN_FAILURES_BEFORE_SLOWDOWN = env.int("LOGIN_FAILURES_BEFORE_SLOWDOWN", default=10)
LOGIN_SLOWDOWN_MAX_SECONDS = env.int("LOGIN_SLOWDOWN_MAX_SECONDS", default=300)
