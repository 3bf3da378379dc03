"""The public statistics page in Chromium, without an account, in both languages: the figures in the tables and
beside each bar, withheld ones said in words; screenshots at 375 and 1280 px."""

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from services.catalogue.models import Service
from tests.factories import ApplicationFactory
from tests.statistics.data import decided_applications

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_anyone_reads_the_statistics_with_charts(page, live_server, screenshot, language):
    call_command("load_catalogue")
    doctor = Service.objects.get(slug="family-doctor-registration")
    decided_applications(doctor, 12, days_taken=6, late_every=4)
    decided_applications(Service.objects.get(slug="job-seeker-registration"), 8, days_taken=3, scores=(5, 5, 4))
    decided_applications(Service.objects.get(slug="kindergarten-enrolment"), 3)  # too few to publish
    for _ in range(7):
        ApplicationFactory(service=doctor, routed=True, submitted_at=timezone.now())
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])

    with translation.override(language):
        page.goto("/")
        page.get_by_role("link", name=translation.gettext("Service statistics")).click()
        heading = translation.gettext("How we are doing: service statistics")
        few = translation.gettext("fewer than %(n)d applications") % {"n": 5}
        doctor_title = doctor.title

    assert page.get_by_role("heading", level=1).inner_text() == heading
    row = page.get_by_role("row", name=re.compile(re.escape(doctor_title)))
    assert "75 %" in row.inner_text()  # 9 of 12 on time (the 1st, 5th and 9th late)
    # applications this month: the 7 just submitted, and the 12 decided ones too early in a month (submitted 6 days
    # ago, which may still fall in this month in Shanghai)
    decided_this_month = timezone.localtime(
        timezone.now() - dt.timedelta(days=6)
    ).date() >= timezone.localdate().replace(day=1)
    assert re.search(rf"\t{7 + 12 * decided_this_month}\t", row.inner_text())
    assert few in page.get_by_role("row", name=re.compile("幼儿园|Kindergarten")).inner_text()
    assert page.locator(".bar-chart").count() == 3 + 3  # the overview's three, one per department with decisions
    assert page.locator(".bar-chart").nth(3).locator("li").count() == 1  # education: only the kindergarten
    assert page.locator(".bar-chart svg[aria-hidden=true]").count() == page.locator(".bar-chart li").count()
    screenshot(page, f"statistics-{language}")
