import json

import pytest
import requests
from django.urls import reverse

from services.applications.actions import application_create_draft, application_submit
from services.payments import fakeserver
from tests.factories import VALID_ANSWERS, ServiceFactory

SECRET = "fakepay-test-secret"
FEE_RULE = {"amount_fen": 2000, "per": "children"}


@pytest.fixture
def fakepay(settings):
    """The fake provider, a real HTTP server on a free port; it sends no notification unless a test asks."""
    server = fakeserver.serve(port=0, secret=SECRET)
    settings.PAYMENT_PROVIDER = "fake"
    settings.FAKEPAY_URL = f"http://127.0.0.1:{server.server_address[1]}"
    settings.FAKEPAY_SECRET = SECRET
    server.RequestHandlerClass.ledger.control.update(copies=0)
    yield server
    server.shutdown()
    server.server_close()


def ledger(server) -> fakeserver.Ledger:
    return server.RequestHandlerClass.ledger


def provider_payment(server, payment) -> dict:
    """Return the fake provider's own record of the portal's payment."""
    book = ledger(server)
    return dict(book.payments[book.by_trade[payment.trade_number]])


def pay_at_checkout(payment, action="pay") -> requests.Response:
    """Press a button of the provider's checkout page, as the resident's browser does."""
    return requests.post(payment.checkout_url, data={"action": action}, allow_redirects=False, timeout=5)


def notify(client, server, payment, *, event_id=None, secret=SECRET, **changes):
    """Post the provider's signed notification of the payment (as it now stands at the provider) to the portal."""
    record = {**provider_payment(server, payment), **changes}
    body, headers = fakeserver.notification(secret, record, event_id=event_id)
    url = reverse("payments:notify", kwargs={"provider": "fake"})
    return client.post(url, data=body, content_type="application/json", headers=headers)


@pytest.fixture
def fee_service(health):
    return ServiceFactory(department=health, fee_rule=FEE_RULE)


@pytest.fixture
def unpaid(fee_service, resident, django_capture_on_commit_callbacks):
    """A submitted application whose fee of ¥40.00 is due."""
    draft = application_create_draft(applicant=resident, service=fee_service, answers={**VALID_ANSWERS, "children": 2})
    with django_capture_on_commit_callbacks(execute=True):
        application = application_submit(application=draft, by=resident)
    assert application.awaits_payment and application.fee_fen == 4000
    return application


def json_body(response) -> dict:
    return json.loads(response.content)
