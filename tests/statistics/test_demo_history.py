"""The demo tells the story: `make run` loads months of decided applications, so the public statistics and the
supervisors' dashboard show figures and bars for every department, not empty ones."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from services.accounts.models import User
from services.applications.models import DECIDED, Application
from services.catalogue.models import Service
from services.ratings.models import FollowUp, Rating
from services.statistics.city import city_view
from services.statistics.selectors import public_statistics
from tests.conftest import staff_login

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


def test_the_demo_fills_the_city_view(settings, client):
    """`make run`: the city supervisor's login is printed, and their city view shows every district's demand, a
    forecast with its error, and each department's backlog and punctuality by month."""
    settings.DEBUG = True
    call_command("load_demo")
    call_command("load_demo_history")

    view = city_view(today=timezone.localdate())

    assert all(district.applications.shown and district.applications.value for district in view.districts)
    assert view.total.forecast.shown and view.total.error.shown
    assert all(row.forecast.shown for row in view.services if Service.objects.get(slug=row.code).is_active)
    assert view.returned and len(view.departments) == 3
    assert all(month.backlog.shown and month.on_time.shown for d in view.departments for month in d.months[:-1])
    supervisor = User.objects.get(email="city.supervisor@demo.portal")
    assert staff_login(client, supervisor).get(reverse("statistics:city")).status_code == 200
