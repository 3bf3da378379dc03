"""The portal's routes read from the URL configuration, for checks that must hold on every page and endpoint."""

from django.urls import URLPattern, URLResolver, get_resolver

REGEX_SIGNS = set("^$()[]?*+\\|")


def plain_routes(patterns=None, prefix: str = "/") -> list[str]:
    """Return the path of every route that takes no argument (the admin's, allauth's and the API's included)."""
    paths = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        part = str(pattern.pattern).removeprefix("^").removesuffix("$")
        if "<" in part or REGEX_SIGNS & set(part):
            continue
        if isinstance(pattern, URLResolver):
            paths += plain_routes(pattern.url_patterns, prefix + part)
        elif isinstance(pattern, URLPattern):
            paths.append(prefix + part)
    return sorted(set(paths))
