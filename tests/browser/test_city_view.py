"""The city view in Chromium, in both languages: a city supervisor reads the map of the 16 districts with its
table, the forecast and each department's charts; axe-core finds no serious or critical violation; the page does
not scroll sideways on a phone; screenshots at 375 and 1280 px."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation

from services.catalogue.models import Service
from services.statistics.actions import city_figures_refresh, city_supervisor_grant
from tests.browser.test_resident_web import serious_violations
from tests.conftest import staff_login
from tests.factories import ApplicationFactory, ResidentProfileFactory, StaffFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def city_page(browser, live_server):
    """A city supervisor's browser (two factors recorded in the session) whose CSP lets axe-core be injected."""
    call_command("load_catalogue")
    residents = [ResidentProfileFactory(district=d).user for d in ("pudong", "pudong", "xuhui", "chongming")]
    doctor = Service.objects.get(slug="family-doctor-registration")
    for months_ago in range(5):
        submitted = timezone.now() - dt.timedelta(days=31 * months_ago + 1)
        for n in range(6):
            ApplicationFactory(service=doctor, applicant=residents[n % 4], submitted=True, submitted_at=submitted)
    city_figures_refresh()
    supervisor = StaffFactory()
    city_supervisor_grant(user=supervisor)
    session = staff_login(Client(), supervisor).cookies["sessionid"].value
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_city_supervisor_reads_the_city_view(city_page, live_server, screenshot, language):
    page = city_page
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])

    page.goto("/statistics/city/")

    with translation.override(language):
        heading = translation.gettext("City view: demand and delays")
        pudong = translation.gettext("Pudong New Area")
    assert page.get_by_role("heading", level=1).inner_text() == heading
    assert page.locator(".city-map rect").count() == 16
    assert page.get_by_role("row", name=pudong).inner_text().split("\t")[-1].strip().isdigit()
    assert page.locator(".bar-chart").count() == 2 * 3  # backlog and punctuality for each department
    assert serious_violations(page) == []
    page.set_viewport_size({"width": 375, "height": 812})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, f"city-view-{language}")
