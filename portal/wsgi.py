import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.base")
application = get_wsgi_application()
# Import every view as the worker starts, before it takes a connection, not in its first request: on a loaded machine
# that was 1.4 s of imports added to the answer of each new worker's first caller (docs/decisions.md).
get_resolver().url_patterns  # noqa: B018 (reading it imports them)
