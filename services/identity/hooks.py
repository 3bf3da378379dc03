"""What higher apps do when an identity is verified (the mandates app makes a parent's mandates from the family
claim): a registry, since identity sits below them."""

from collections.abc import Callable

_HANDLERS: list[Callable] = []


def on_identity_verified(handler: Callable) -> None:
    """Call ``handler(user=..., attributes=...)`` after every verified sign-in, in its transaction."""
    if handler not in _HANDLERS:
        _HANDLERS.append(handler)


def identity_verified(*, user, attributes: dict) -> None:
    for handler in _HANDLERS:
        handler(user=user, attributes=attributes)
