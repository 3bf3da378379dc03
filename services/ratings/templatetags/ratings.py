from django import template

from ..forms import RatingForm
from ..selectors import rating_can_rate, rating_list_for_application

register = template.Library()


@register.inclusion_tag("ratings/application_ratings.html", takes_context=True)
def application_ratings(context, application):
    """The rating section of a resident's application page: past ratings with follow-ups, and the form."""
    ratings = list(rating_list_for_application(application=application))
    can_rate = rating_can_rate(application=application, user=context["request"].user, ratings=ratings)
    return {
        "application": application,
        "ratings": ratings,
        "form": RatingForm() if can_rate else None,
        "csrf_token": context.get("csrf_token"),
    }
