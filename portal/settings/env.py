"""The one reader of the environment (twelve-factor), shared by every settings module.

Every variable read through ``env`` (or ``os.environ``) in these modules is listed in the README's table
(tests/test_settings_documented.py checks it).
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

# Read first: several defaults below (email, HTTPS, scanning, log format) differ in the embedded mode.
DEBUG = env.bool("DJANGO_DEBUG", default=False)
