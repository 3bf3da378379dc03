"""The portal's own reactions to its events, without the events app (or the apps that record events) importing
the apps that react: a higher app registers, in its AppConfig.ready(), a listener for the event types it reacts to.

An event of such a type is recorded with ``reactions_pending``; once its transaction commits, one task calls the
listeners and clears the mark, and a sweep publishes again the events a lost message left pending. A listener must
be idempotent: a message may be delivered twice, and the sweep may run it again after a failure.
"""

from collections.abc import Callable, Iterable

Listener = Callable[..., None]  # listener(event=Event)

_listeners: dict[str, list[Listener]] = {}


def listener_register(*, types: Iterable[str], listener: Listener) -> None:
    """Call ``listener(event=...)`` for every event of one of ``types`` recorded from now on (once per listener)."""
    for type in types:
        chosen = _listeners.setdefault(type, [])
        if listener not in chosen:
            chosen.append(listener)


def listeners_for(*, type: str) -> list[Listener]:
    """Return the listeners of an event type (none: nobody in the portal reacts to it)."""
    return list(_listeners.get(type, ()))


def listened_types() -> set[str]:
    """Return the event types some listener reacts to."""
    return {type for type, listeners in _listeners.items() if listeners}
