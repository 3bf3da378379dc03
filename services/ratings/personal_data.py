"""The ratings' part of a resident's personal data."""

from services.accounts.privacy import register

from .models import Rating


def export_ratings(user):
    """Return the resident's ratings, each with the reference of the application it rates."""
    ratings = Rating.objects.filter(application__applicant=user).select_related("application")
    return [
        {
            "application": rating.application.reference,
            "step": rating.step,
            "speed": rating.speed,
            "clarity": rating.clarity,
            "attitude": rating.attitude,
            "comment": rating.comment,
        }
        for rating in ratings
    ], []


def erase_ratings(user) -> None:
    """Keep the ratings: they belong to applications the law keeps, and once the account is anonymised they are
    signed by nobody."""


register(app_label="ratings", section="ratings", export_for=export_ratings, erase_for=erase_ratings)
