from django import template

from ..selectors import information_request_get_open, information_request_list

register = template.Library()


@register.inclusion_tag("applications/information_requests.html")
def information_requests(application):
    """The resident's side of the caseworker's questions: the one to answer now, and those answered."""
    return {
        "application": application,
        "open_request": information_request_get_open(application=application),
        "answered": [info for info in information_request_list(application=application) if info.answered_at],
    }
