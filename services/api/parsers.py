import io

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from .errors import RequestTooLarge


class SafeJSONParser(JSONParser):
    """JSON parsing that answers a nesting too deep for Python's parser with a 400, not a 500, and a body over
    DATA_UPLOAD_MAX_MEMORY_SIZE with a 413 (whatever Content-Length claims, no more than the limit is read)."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        request = (parser_context or {}).get("request")
        claimed = request.META.get("CONTENT_LENGTH") if request is not None else None
        if claimed and claimed.isdigit() and int(claimed) > limit:
            raise RequestTooLarge()
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise RequestTooLarge()
        try:
            return super().parse(io.BytesIO(body), media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None
