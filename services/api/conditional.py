"""Conditional GET for catalogue responses: an ETag on the content, 304 for an If-None-Match that matches."""

import hashlib
import json

from django.utils.cache import patch_vary_headers
from rest_framework import status
from rest_framework.response import Response


def conditional_response(request, data) -> Response:
    """Answer ``data`` with a strong ETag of its content (which is in the request's language), or 304 if unchanged."""
    body = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    given = {tag.strip().removeprefix("W/") for tag in request.headers.get("If-None-Match", "").split(",")}
    response = Response(status=status.HTTP_304_NOT_MODIFIED) if etag in given or "*" in given else Response(data)
    response["ETag"] = etag
    patch_vary_headers(response, ["Accept-Language"])
    return response
