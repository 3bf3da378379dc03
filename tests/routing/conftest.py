import importlib

import pytest
from django.apps import apps


@pytest.fixture
def calendar_2026(db):
    """The State Council's 2026 schedule, loaded as the data migration loads it (transactional tests empty it)."""
    importlib.import_module("services.routing.migrations.0002_holiday_calendar_2026").load(apps, None)
