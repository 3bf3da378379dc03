"""A proactive offer made by real Celery workers: an approval's event reaches the rule through the `default` queue's
worker, the same event published again makes nothing new, and the offer confirmed by API is routed by the routing
worker."""

import pytest

from services.applications.actions import application_decide
from services.applications.models import Application, Status
from services.common.tasks import publish
from services.events.models import Event
from services.proactive.models import Entitlement, EntitlementStatus
from tests.factories import ApplicationFactory
from tests.proactive.conftest import DECIDED, family_doctor, offer_after_approval, pudong_resident  # noqa: F401

from .conftest import Worker, wait_for, worker_env
from .test_journey import app_login

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reactions_worker(publish_to_broker, real_services):
    """A worker for the default queue, where the reactions to events go (with the routing worker of the session)."""
    worker = Worker(worker_env(real_services), "default", "reactions").start()
    yield [worker, *publish_to_broker]
    worker.stop()


def test_an_approval_offers_once_and_the_confirmed_offer_is_routed(
    reactions_worker,
    offer_after_approval,  # noqa: F811 (a fixture)
    pudong_resident,  # noqa: F811 (a fixture)
    service,
    health_caseworker,
):
    application = ApplicationFactory(applicant=pudong_resident, service=service, in_review=True,
                                     assignee=health_caseworker)  # fmt: skip

    application_decide(application=application, by=health_caseworker, approve=True)

    offer = wait_for(lambda: Entitlement.objects.first(), what="the offer", workers=reactions_worker)
    assert (offer.person, offer.status) == (pudong_resident, EntitlementStatus.OFFERED)
    event = Event.objects.get(type=DECIDED)

    def reacted():
        return not Event.objects.get(pk=event.pk).reactions_pending

    wait_for(reacted, what="the mark cleared", workers=reactions_worker)
    Event.objects.filter(pk=event.pk).update(reactions_pending=True)  # as if the sweep and a late message both ran
    publish("services.events.tasks.react_to_event", (event.pk,))
    publish("services.events.tasks.react_to_event", (event.pk,))
    wait_for(reacted, what="the reaction again", workers=reactions_worker)
    assert Entitlement.objects.count() == 1

    api = app_login(pudong_resident.email, "correct-horse-battery")
    confirmed = api.post(f"/api/v1/entitlements/{offer.public_id}/confirm/")
    assert confirmed.status_code == 200, confirmed.content
    routed = wait_for(
        lambda: Application.objects.filter(public_id=confirmed.json()["application"], status=Status.ROUTED).first(),
        what="routing of the confirmed offer", workers=reactions_worker,
    )  # fmt: skip
    assert (routed.applicant, routed.service) == (pudong_resident, offer_after_approval.service)
