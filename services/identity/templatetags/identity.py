"""Template tags of identity for pages of lower apps (templates are not imports): sign-in buttons, linked identities."""

from django import template

from ..providers import provider_list
from ..selectors import identity_links_for_user

register = template.Library()


@register.inclusion_tag("identity/_providers.html", takes_context=True)
def identity_sign_in(context, link: bool = False, next_url: str = ""):
    """The "Sign in with …" buttons (``link``: link the identity to the account signed in now)."""
    request = context["request"]
    return {"providers": provider_list(), "link": link, "next": next_url or request.GET.get("next", "")}


@register.simple_tag
def identity_links(user):
    return identity_links_for_user(user=user) if user.is_authenticated else []


@register.simple_tag
def identity_providers():
    return provider_list()
