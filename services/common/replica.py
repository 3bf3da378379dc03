"""Reads that tolerate replication lag go to the PostgreSQL replica (DATABASE_REPLICA_URL); all else to the primary.

A view showing everyone the same thing (the catalogue, the public statistics) is marked ``@reads_replica`` with the
apps whose models it may read from the replica. While it runs, reads of those apps' models go to the replica; the
session, the account and anything else of the resident's own, and every write, stay on the primary. Without a
replica configured everything reads the primary.
"""

from contextvars import ContextVar
from functools import wraps

from django.conf import settings

REPLICA = "replica"
_lag_tolerant: ContextVar[frozenset[str]] = ContextVar("lag_tolerant", default=frozenset())


def reads_replica(*app_labels: str):
    """Mark a view (function or method) whose reads of these apps' models may come from the replica."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            token = _lag_tolerant.set(frozenset(app_labels))
            try:
                return view(*args, **kwargs)
            finally:
                _lag_tolerant.reset(token)

        return wrapped

    return decorator


class ReplicaRouter:
    """Django's database router for the replica (settings.DATABASE_ROUTERS)."""

    def db_for_read(self, model, **hints) -> str | None:
        if model._meta.app_label in _lag_tolerant.get() and REPLICA in settings.DATABASES:
            return REPLICA
        return None  # the primary

    def db_for_write(self, model, **hints) -> None:
        return None  # always the primary

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # one database and its copy

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool | None:
        return False if db == REPLICA else None  # the replica follows the primary's schema
