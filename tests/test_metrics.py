"""/metrics: Prometheus's text, only with the bearer token; request latency per view and the operators' figures
(outbox lag, overdue per department, failed notifications, broker); the Grafana dashboard asks only for them."""

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from django.utils import timezone

from services.events.actions import event_record
from services.events.models import Delivery, Subscription
from services.events.models import DeliveryStatus as WebhookStatus
from services.notifications.models import Channel, DeliveryStatus, Event, Notification
from tests.factories import ApplicationFactory, DepartmentFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "metrics-test-token-0123456789"


@pytest.fixture
def scrape(client, settings):
    settings.METRICS_TOKEN = TOKEN

    def scrape() -> str:
        response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/plain")
        return response.content.decode()

    return scrape


def value(text: str, name: str, **labels: str) -> float:
    """Return the sample ``name{labels}`` of a scrape (the labels given must all match)."""
    for line in text.splitlines():
        match = re.fullmatch(r"(\w+)(?:\{(.*)\})? (\S+)", line)
        if match and match[1] == name:
            found = dict(re.findall(r'(\w+)="([^"]*)"', match[2] or ""))
            if labels.items() <= found.items():
                return float(match[3])
    raise AssertionError(f"no sample {name}{labels} in:\n{text}")


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", TOKEN])
def test_without_the_token_metrics_are_a_404(client, settings, authorization):
    settings.METRICS_TOKEN = TOKEN
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}

    assert client.get("/metrics", **headers).status_code == 404


def test_with_no_token_configured_metrics_are_off(client, settings):
    settings.METRICS_TOKEN = ""

    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_request_latency_is_counted_per_view_and_status(client, scrape):
    """Two answered catalogue pages and a 404 are counted under their view's name, never under their path."""
    before = scrape()
    client.get("/services/")
    client.get("/services/")
    client.get("/no/such/page/")

    after = scrape()

    def count(text, **labels):
        try:
            return value(text, "portal_request_duration_seconds_count", **labels)
        except AssertionError:
            return 0.0

    answered = {"view": "catalogue:list", "method": "GET", "status": "2xx"}
    assert count(after, **answered) - count(before, **answered) == 2
    assert count(after, view="unresolved", status="4xx") >= 1
    assert "/no/such/page/" not in after


def test_the_operators_figures(scrape, service, health, settings):
    """Overdue per department, the age of the oldest unrouted application, failed notifications per channel,
    webhook dead letters per subscription."""
    settings.METRICS_CACHE_SECONDS = 0
    subscription = Subscription.objects.create(name="Health case system", url="http://127.0.0.1:9/")
    event_record(type="gov.sh.portal.test", source="/applications", subject="a", data={})
    Delivery.objects.filter(subscription=subscription).update(status=WebhookStatus.DEAD)
    DepartmentFactory(code="education", reference_prefix="EDU")
    ApplicationFactory(service=service, routed=True, due_date=timezone.localdate() - dt.timedelta(days=3))
    ApplicationFactory(service=service, submitted=True, submitted_at=timezone.now() - dt.timedelta(minutes=10))
    recipient = ApplicationFactory(service=service).applicant
    Notification.objects.create(
        recipient=recipient, event=Event.SUBMITTED, event_key="t:1", channel=Channel.SMS, status=DeliveryStatus.FAILED
    )

    text = scrape()

    assert value(text, "portal_overdue_applications", department="health") == 1
    assert value(text, "portal_overdue_applications", department="education") == 0
    assert 600 <= value(text, "portal_outbox_oldest_seconds", stage="routing") < 700
    assert value(text, "portal_notifications_failed", channel="sms") == 1
    assert value(text, "portal_notifications_failed", channel="email") == 0
    assert value(text, "portal_broker_up") == 1
    assert value(text, "portal_webhook_dead_letters", subscription="Health case system") == 1


def test_the_figures_are_counted_once_per_cache_period(scrape, service, settings, django_assert_max_num_queries):
    """Scraping again within METRICS_CACHE_SECONDS counts nothing again (every pod is scraped)."""
    settings.METRICS_CACHE_SECONDS = 60
    scrape()

    with django_assert_max_num_queries(0):
        scrape()


def test_the_grafana_dashboard_asks_only_for_metrics_the_portal_exports(client, scrape, service):
    """Each panel's query names metrics /metrics has (a renamed metric would leave a panel silently empty)."""
    client.get("/services/")
    lines = scrape().splitlines()
    exported = {re.split(r"[{ ]", line)[0] for line in lines if line and not line.startswith("#")}
    exported |= {line.split()[2] for line in lines if line.startswith("# TYPE")}  # families with no sample yet
    dashboard = json.loads((ROOT / "deploy" / "grafana" / "portal.json").read_text())

    queries = [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]
    assert len(queries) >= 7
    for query in queries:
        names = set(re.findall(r"\b(portal_[a-z_]+)", query))
        assert names and names <= exported, query
