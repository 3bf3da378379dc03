"""The production settings (``DJANGO_SETTINGS_MODULE=portal.settings.base``), read from the environment.

Embedded mode (``DJANGO_DEBUG=true``, no ``DATABASE_URL`` or ``CELERY_BROKER_URL``):
SQLite file, Celery tasks run in-process after commit, email to the console.
Full mode: PostgreSQL via ``DATABASE_URL``, Redis via ``CELERY_BROKER_URL``.
Outside DEBUG, the secret key and allowed hosts must come from the environment.

Each concern has its module; this one only gathers them. A setting is defined in exactly one module
(tests/test_settings_layout.py checks it), so the order of these imports does not matter.
"""

from .accounts import *  # noqa: F403
from .api import *  # noqa: F403
from .applications import *  # noqa: F403
from .appointments import *  # noqa: F403
from .celery import *  # noqa: F403
from .core import *  # noqa: F403
from .documents import *  # noqa: F403
from .env import *  # noqa: F403
from .events import *  # noqa: F403
from .identity import *  # noqa: F403
from .limits import *  # noqa: F403
from .metrics import *  # noqa: F403
from .notifications import *  # noqa: F403
from .payments import *  # noqa: F403
from .redis import *  # noqa: F403
from .security import *  # noqa: F403
