"""Administrators manage subscriptions, read every attempt and replay deliveries in the admin; nobody else sees them."""

import pytest

from services.events.actions import delivery_send
from services.events.models import DeliveryStatus, Subscription
from tests.conftest import staff_login
from tests.factories import StaffFactory

from .test_delivery import record

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    return staff_login(client, StaffFactory(is_superuser=True))


def test_an_administrator_adds_a_subscription_on_an_allowed_host_only(admin_client, settings, health):
    settings.WEBHOOK_ALLOWED_HOSTS = [".health.example"]
    form = {"name": "Health", "event_types": ["cn.gov.sh.portal.application.decided"], "departments": [health.pk],
            "is_active": "on"}  # fmt: skip

    refused = admin_client.post("/admin/events/subscription/add/", {**form, "url": "https://elsewhere.example/in"})
    added = admin_client.post("/admin/events/subscription/add/", {**form, "url": "https://cases.health.example/in"})

    assert refused.status_code == 200 and "WEBHOOK_ALLOWED_HOSTS" in refused.content.decode()
    assert added.status_code == 302
    subscription = Subscription.objects.get()
    assert subscription.secret.startswith("whsec_") and list(subscription.departments.all()) == [health]
    assert subscription.event_types == ["cn.gov.sh.portal.application.decided"]


def test_deliveries_with_their_attempts_and_replay(admin_client, subscription, receiver, settings):
    settings.WEBHOOK_RETRY_SCHEDULE = []
    receiver.status = 503
    delivery = record().deliveries.get()
    delivery_send(delivery_id=delivery.pk)

    page = admin_client.get(f"/admin/events/delivery/{delivery.pk}/change/").content.decode()
    replayed = admin_client.post("/admin/events/delivery/", {"action": "replay", "_selected_action": [delivery.pk]})

    assert "503" in page
    assert replayed.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 0
    assert admin_client.get("/admin/events/event/").status_code == 200


def test_caseworkers_do_not_see_subscriptions(client, health_caseworker):
    staff_login(client, health_caseworker)
    assert client.get("/admin/events/subscription/").status_code == 403
