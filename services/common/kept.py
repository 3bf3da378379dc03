"""This process's copies of small configuration every task reads (the routing rules, the holiday calendar).

A routing worker would read the same rules and calendar again for every application: it keeps them for
ROUTING_CONFIG_CACHE_SECONDS. An edit in this process drops every copy at once (the apps connect their models'
save and delete signals to ``forget_kept``); other processes see it when their copy runs out.
"""

import time
from collections.abc import Callable

from django.conf import settings

_kept: dict[str, tuple[float, object]] = {}  # name -> (used until, value)


def kept_for_a_while(name: str, read: Callable[[], object]):
    """Return ``read()``, kept in this process for ROUTING_CONFIG_CACHE_SECONDS under ``name``."""
    now = time.monotonic()
    kept = _kept.get(name)
    if kept and kept[0] > now:
        return kept[1]
    value = read()
    if settings.ROUTING_CONFIG_CACHE_SECONDS:
        _kept[name] = (now + settings.ROUTING_CONFIG_CACHE_SECONDS, value)
    return value


def forget_kept() -> None:
    """Drop every copy this process keeps (something it holds was saved or deleted)."""
    _kept.clear()
