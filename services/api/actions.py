"""Idempotency-Key bookkeeping for unsafe API requests (IETF httpapi idempotency-key-header draft)."""

import datetime as dt
import hashlib
import json
import time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import IdempotencyKey


class KeyConflict(Exception):
    """The key is in use by a request still running (409) or was used with another request (422)."""

    def __init__(self, status_code: int):
        super().__init__(status_code)
        self.status_code = status_code


def request_fingerprint(*, method: str, path: str, data, files) -> str:
    """Return a hash of the request: method, path, fields and the bytes of every uploaded file."""
    digest = hashlib.sha256(f"{method} {path}\n".encode())
    # A QueryDict (multipart) keeps repeated fields; JSON is hashed as parsed.
    fields = {key: values for key, values in data.lists() if key not in files} if hasattr(data, "lists") else data
    digest.update(json.dumps(fields, sort_keys=True, default=str).encode())
    for name in sorted(files or {}):
        for upload in files.getlist(name):
            digest.update(f"\n{name}:{upload.name}:".encode())
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
    return digest.hexdigest()


def idempotency_key_claim(*, user, key: str, method: str, path: str, request_hash: str) -> IdempotencyKey | None:
    """Claim ``key`` for this request: None when it is new (run it), the stored row to replay, or KeyConflict."""
    cutoff = timezone.now() - dt.timedelta(seconds=settings.IDEMPOTENCY_KEY_TTL_SECONDS)
    IdempotencyKey.objects.filter(user=user, key=key, created_at__lt=cutoff).delete()
    try:
        # Its own transaction, committed at once, so a concurrent retry sees the key as running.
        with transaction.atomic():
            IdempotencyKey.objects.create(user=user, key=key, method=method, path=path, request_hash=request_hash)
        return None
    except IntegrityError:
        pass
    # Someone holds the key: wait a little for the first request's answer, so that parallel retries replay it.
    deadline, pause = time.monotonic() + settings.IDEMPOTENCY_WAIT_SECONDS, 0.02
    while True:
        existing = IdempotencyKey.objects.filter(user=user, key=key).first()
        if existing is None:  # purged, or freed by a server error, since our insert: a retry may try again
            raise KeyConflict(409)
        if existing.request_hash != request_hash or existing.method != method or existing.path != path:
            raise KeyConflict(422)
        if existing.state != IdempotencyKey.State.RUNNING:
            return existing
        if existing.created_at < timezone.now() - dt.timedelta(seconds=settings.IDEMPOTENCY_STALE_SECONDS):
            # Its request died without an answer (a killed worker finishes nothing): this retry runs instead.
            if IdempotencyKey.objects.filter(pk=existing.pk, state=IdempotencyKey.State.RUNNING).delete()[0]:
                return idempotency_key_claim(user=user, key=key, method=method, path=path, request_hash=request_hash)
            continue  # another retry took it over first: wait for that one
        if time.monotonic() >= deadline:
            raise KeyConflict(409)
        time.sleep(pause)
        pause = min(pause * 2, 0.25)


def idempotency_key_finish(*, user, key: str, status_code: int, body, headers: dict | None = None) -> None:
    """Store the response to replay; a server error frees the key instead, so the retry runs again."""
    rows = IdempotencyKey.objects.filter(user=user, key=key, state=IdempotencyKey.State.RUNNING)
    if status_code >= 500:
        rows.delete()
    else:
        rows.update(
            state=IdempotencyKey.State.DONE,
            response_status=status_code,
            response_body=body,
            response_headers=headers or {},
        )


def idempotency_keys_purge(*, now: dt.datetime | None = None) -> int:
    """Delete keys older than IDEMPOTENCY_KEY_TTL_SECONDS; return how many."""
    cutoff = (now or timezone.now()) - dt.timedelta(seconds=settings.IDEMPOTENCY_KEY_TTL_SECONDS)
    return IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()[0]
