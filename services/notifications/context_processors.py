from django.utils.functional import SimpleLazyObject

from .selectors import UNREAD_COUNTED_UP_TO, unread_count


def unread_notifications(request):
    """Give templates the signed-in user's unread count as the badge shows it ("", "7", "99+"), counted only if a
    template shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_badge(unread_count(user=user)))}


def unread_badge(count: int) -> str:
    if count >= UNREAD_COUNTED_UP_TO:
        return f"{UNREAD_COUNTED_UP_TO - 1}+"
    return str(count) if count else ""
