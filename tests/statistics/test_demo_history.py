"""The demo tells the story: `make run` loads months of decided applications, so the public statistics and the
supervisors' dashboard show figures and bars for every department, not empty ones."""

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from services.applications.models import DECIDED, Application
from services.ratings.models import FollowUp, Rating
from services.statistics.selectors import public_statistics

pytestmark = pytest.mark.django_db


def test_the_demo_history_fills_the_statistics_of_every_department_once(settings, client):
    settings.DEBUG = True
    call_command("load_demo")
    call_command("load_demo_history")
    counts = (Application.objects.count(), Rating.objects.count(), FollowUp.objects.count())
    call_command("load_demo_history")  # again: nothing more

    assert (Application.objects.count(), Rating.objects.count(), FollowUp.objects.count()) == counts
    assert Application.objects.filter(status__in=DECIDED).count() >= 100 and counts[2] > 0
    statistics = public_statistics(today=timezone.localdate())
    assert len(statistics.department_rows) == 3
    for row in statistics.department_rows:
        assert row.median_days.shown and row.on_time.shown and row.average_rating.shown, row.name_en
    assert client.get("/statistics/").status_code == 200


def test_the_demo_history_refuses_outside_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo_history")
    assert not Application.objects.exists()
