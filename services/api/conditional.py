"""Catalogue responses: cached for a short while, with an ETag on the content and 304 for a matching If-None-Match."""

import hashlib
import json
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
    key = "catalogue:" + hashlib.sha256(f"{get_language()}|{request.get_full_path()}".encode()).hexdigest()
    cached = cache.get(key) if seconds else None
    body, etag = cached or _render(build)
    if seconds and cached is None:
        cache.set(key, (body, etag), seconds)
    given = {tag.strip().removeprefix("W/") for tag in request.headers.get("If-None-Match", "").split(",")}
    if etag in given or "*" in given:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    patch_vary_headers(response, ["Accept-Language"])
    return response
