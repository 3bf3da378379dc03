"""Catalogue responses: cached for a short while, with an ETag on the content and 304 for a matching If-None-Match."""

import hashlib
import json
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language


def _render(build: Callable[[], object]) -> tuple[bytes, str]:
    body = json.dumps(build(), ensure_ascii=False, default=str).encode()
    return body, f'"{hashlib.sha256(body).hexdigest()[:32]}"'


def conditional_response(request, build: Callable[[], object]) -> HttpResponse:
    """Answer the data ``build`` returns, in the request's language, with a strong ETag (or 304 if unchanged).

    The rendered body is kept in the cache for CATALOGUE_CACHE_SECONDS per language and URL, so a burst of
    residents opening the catalogue costs one database read, and catalogue edits show within that time.
    """
    seconds = settings.CATALOGUE_CACHE_SECONDS
    key = "catalogue:v2:" + hashlib.sha256(f"{get_language()}|{request.get_full_path()}".encode()).hexdigest()
    cached = cache.get(key) if seconds else None
    if cached is None:
        body, etag = _render(build)
        fresh_until = time.time() + seconds
        if seconds:
            cache.set(key, (body, etag, fresh_until), seconds)
    else:
        body, etag, fresh_until = cached
    if etag_matches(request, etag):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    patch_vary_headers(response, ["Accept-Language"])
    # The same public content for everyone: any cache may keep it, asking again each time (the ETag makes it cheap).
    response["Cache-Control"] = "no-cache"
    # Until when this content may be served again without asking the database (read by CataloguePageCache).
    response.catalogue_fresh_until = fresh_until
    return response


def etag_matches(request, etag: str) -> bool:
    """Whether the request's If-None-Match names ``etag`` (weakly compared, as GET allows) or is ``*``."""
    given = {tag.strip().removeprefix("W/") for tag in request.headers.get("If-None-Match", "").split(",")}
    return etag in given or "*" in given
