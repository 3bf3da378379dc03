"""Idempotency-Key bookkeeping for unsafe API requests (IETF httpapi idempotency-key-header draft)."""

import datetime as dt
import hashlib
import json

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from services.common.bulk import rows_delete
from services.common.statements import execute_kept
from services.common.uploads import upload_sha256

from .models import IdempotencyKey


class KeyConflict(Exception):
    """The key is in use by a request still running (409) or was used with another request (422)."""

    def __init__(self, status_code: int):
        super().__init__(status_code)
        self.status_code = status_code


def request_fingerprint(*, method: str, path: str, data, files) -> str:
    """Return a hash of the request: method, path, fields and the SHA-256 of every uploaded file's bytes."""
    digest = hashlib.sha256(f"{method} {path}\n".encode())
    # A QueryDict (multipart) keeps repeated fields; JSON is hashed as parsed.
    fields = {key: values for key, values in data.lists() if key not in files} if hasattr(data, "lists") else data
    digest.update(json.dumps(fields, sort_keys=True, default=str).encode())
    for name in sorted(files or {}):
        for upload in files.getlist(name):
            digest.update(f"\n{name}:{upload.name}:{upload_sha256(upload)}".encode())
    return digest.hexdigest()


def idempotency_key_claim(*, user, key: str, method: str, path: str, request_hash: str) -> IdempotencyKey | None:
    """Claim ``key`` for this request inside the request's own transaction: None when it is new (run it), the stored
    row to replay, or KeyConflict.

    The key row is written in the transaction that makes the request's changes and records its answer, so they
    commit together or not at all: a request that dies (a killed worker, the database gone) leaves no key behind
    and its retry runs, and one that committed is replayed even if its answer never reached the caller. A retry
    arriving while the first still runs waits on the row's lock, up to IDEMPOTENCY_WAIT_SECONDS, for its outcome.
    """
    now = timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.IDEMPOTENCY_KEY_TTL_SECONDS)
    fields = {"user_id": user.pk, "key": key, "method": method, "path": path, "request_hash": request_hash}
    if connection.vendor == "postgresql":
        try:
            with connection.cursor() as cursor:
                execute_kept(cursor, (_CLAIM_SQL, [_wait_ms(), *fields.values(), now, cutoff]))
                if cursor.fetchone() is not None:
                    return None
        except OperationalError:  # still running after the wait (lock timeout): the transaction is spoilt
            transaction.set_rollback(True)
            raise KeyConflict(409) from None
        existing = IdempotencyKey.objects.filter(user=user, key=key).first()
    else:
        IdempotencyKey.objects.filter(user=user, key=key, created_at__lt=cutoff).delete()
        try:
            with transaction.atomic():  # a savepoint: a conflict leaves the request's transaction usable
                IdempotencyKey.objects.create(**fields)
            return None
        except IntegrityError:  # the first request with this key committed: replay its answer
            existing = IdempotencyKey.objects.filter(user=user, key=key).first()
        except OperationalError:  # still running after the wait (SQLite: database locked)
            raise KeyConflict(409) from None
    if existing is None or existing.state != IdempotencyKey.State.DONE:  # purged since, or left by an older version
        raise KeyConflict(409)
    if existing.request_hash != request_hash or existing.method != method or existing.path != path:
        raise KeyConflict(422)
    return existing


# The claim in one statement: the wait for a request still running with the key bounded (lock_timeout, set for the
# statement and set back by its RETURNING), a new key inserted, an expired one taken over; a row back: claimed.
# Its parameters: the wait, the key's fields (user_id, key, method, path, request_hash), now, the cutoff.
_CLAIM_SQL = """
    WITH timeout AS (
        SELECT current_setting('lock_timeout') AS before, set_config('lock_timeout', %s, true) AS during
    )
    INSERT INTO api_idempotencykey (user_id, key, method, path, request_hash, state, response_headers, created_at)
    SELECT %s, %s, %s, %s, %s, 'running', '{}'::jsonb, %s FROM timeout
    ON CONFLICT (user_id, key) DO UPDATE SET
        method = EXCLUDED.method, path = EXCLUDED.path, request_hash = EXCLUDED.request_hash, state = 'running',
        response_status = NULL, response_body = NULL, response_headers = '{}'::jsonb, created_at = EXCLUDED.created_at
        WHERE api_idempotencykey.created_at < %s
    RETURNING (SELECT set_config('lock_timeout', before, true) FROM timeout)
"""


def _wait_ms() -> str:
    return f"{int(settings.IDEMPOTENCY_WAIT_SECONDS * 1000)}ms"


def idempotency_key_finish(*, user, key: str, status_code: int, body_json: str | None, headers: dict | None = None):
    """Store the response to replay (``body_json``: its JSON as sent, None for no body), in the request's transaction
    (``idempotency_key_claim``); on PostgreSQL with the statement written out, as the claim (building the ORM's
    update was about 5 % of a one-call submission's CPU)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            execute_kept(cursor, (_FINISH_SQL, [status_code, body_json, json.dumps(headers or {}), user.pk, key]))
        return
    IdempotencyKey.objects.filter(user=user, key=key, state=IdempotencyKey.State.RUNNING).update(
        state=IdempotencyKey.State.DONE,
        response_status=status_code,
        response_body=body_json,
        response_headers=headers or {},
    )


_FINISH_SQL = """
    UPDATE api_idempotencykey SET state = 'done', response_status = %s, response_body = %s,
        response_headers = %s::jsonb
    WHERE user_id = %s AND key = %s AND state = 'running'
"""


def idempotency_keys_purge(*, now: dt.datetime | None = None) -> int:
    """Delete keys older than IDEMPOTENCY_KEY_TTL_SECONDS, batch by batch; return how many."""
    cutoff = (now or timezone.now()) - dt.timedelta(seconds=settings.IDEMPOTENCY_KEY_TTL_SECONDS)
    return rows_delete(queryset=IdempotencyKey.objects.filter(created_at__lt=cutoff))
