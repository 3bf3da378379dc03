"""The resident's side: the page of offers and the API (confirm with one tap, decline, the facts, how to object,
offers off), another person's entitlement not found, and an agent acting within a mandate's scope."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from services.applications.models import Status
from services.mandates.models import Mandate
from services.proactive.actions import entitlement_make
from services.proactive.models import Entitlement, EntitlementStatus, OptOut
from services.proactive.selectors import person_check, uptake_by_service
from tests.factories import ResidentProfileFactory, UserFactory
from tests.web.html import assert_accessible

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer(offer_after_approval, pudong_resident):
    """An offer of the family doctor to the Pudong resident, as the rule makes it."""
    rule = offer_after_approval
    _entitled, facts = person_check(service=rule.service, profile=pudong_resident.profile, answers={})
    return entitlement_make(rule=rule, person=pudong_resident, facts=facts, period="", trigger={"type": "test"})


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_page_lists_the_offer_with_its_facts_and_is_accessible(client, offer, pudong_resident, language):
    client.cookies["django_language"] = language
    client.force_login(pudong_resident)

    response = client.get(reverse("proactive:list"))

    page = assert_accessible(response)
    text = response.content.decode()
    assert offer.service.title_zh in text or offer.service.title_en in text
    assert ("浦东新区" if language == "zh-hans" else "Pudong") in text  # the district the offer rests on
    assert reverse("proactive:confirm", args=[offer.public_id]) in text
    assert page is not None


def test_one_tap_confirms_and_opens_the_application(client, offer, pudong_resident, django_capture_on_commit_callbacks):
    client.force_login(pudong_resident)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("proactive:confirm", args=[offer.public_id]))

    offer.refresh_from_db()
    assert offer.status == EntitlementStatus.CONFIRMED
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:detail", args=[offer.application.public_id])
    assert offer.application.status == Status.ROUTED
    again = client.post(reverse("proactive:confirm", args=[offer.public_id]), follow=True)
    assert "already been answered" in again.content.decode() or "已经答复" in again.content.decode()
    assert Entitlement.objects.get().application_id == offer.application_id


def test_declining_and_turning_offers_off_on_the_web(client, offer, pudong_resident):
    client.force_login(pudong_resident)

    client.post(reverse("proactive:decline", args=[offer.public_id]))
    client.post(reverse("proactive:preferences"), {"offers": "off"})

    offer.refresh_from_db()
    assert (offer.status, offer.application) == (EntitlementStatus.DECLINED, None)
    assert OptOut.objects.filter(user=pudong_resident).exists()
    client.post(reverse("proactive:preferences"), {"offers": "on"})
    assert not OptOut.objects.exists()


def test_another_persons_entitlement_is_not_found_on_the_web_and_the_api(client, offer):
    stranger = UserFactory()
    client.force_login(stranger)

    assert client.post(reverse("proactive:confirm", args=[offer.public_id])).status_code == 404
    assert _api(stranger).get(f"/api/v1/entitlements/{offer.public_id}/").status_code == 404
    assert _api(stranger).post(f"/api/v1/entitlements/{offer.public_id}/decline/").status_code == 404
    assert _api(stranger).get("/api/v1/entitlements/").json() == []
    offer.refresh_from_db()
    assert offer.status == EntitlementStatus.OFFERED


def test_the_api_lists_reads_confirms_and_answers_a_second_answer_with_409(offer, pudong_resident):
    api = _api(pudong_resident)
    api.credentials(HTTP_ACCEPT_LANGUAGE="en")

    listed = api.get("/api/v1/entitlements/").json()
    assert [(row["id"], row["status"], row["for_self"]) for row in listed] == [(str(offer.public_id), "offered", True)]
    assert "Pudong" in listed[0]["reasons"][0]["reason"]

    confirmed = api.post(f"/api/v1/entitlements/{offer.public_id}/confirm/")
    assert confirmed.status_code == 200
    assert confirmed.json()["application"]

    second = api.post(f"/api/v1/entitlements/{offer.public_id}/decline/")
    assert second.status_code == 409
    assert second["Content-Type"].startswith("application/problem+json")


def test_the_api_turns_offers_off_and_refuses_a_bad_body(pudong_resident):
    api = _api(pudong_resident)

    assert api.get("/api/v1/entitlements/preferences/").json() == {"offers": True}
    assert api.put("/api/v1/entitlements/preferences/", {"offers": False}, format="json").json() == {"offers": False}
    bad = api.put("/api/v1/entitlements/preferences/", {"offers": "perhaps"}, format="json")
    assert bad.status_code == 400
    assert [error["field"] for error in bad.json()["errors"]] == ["offers"]


def test_an_agent_confirms_within_the_mandate_and_a_read_only_agent_cannot(offer, pudong_resident):
    """A guardian whose mandate covers the service confirms for the person (the application is the person's, made
    by the agent); an agent who may only read sees the offer but answering it is not found."""
    agent, reader = ResidentProfileFactory(id_number="").user, UserFactory()
    Mandate.objects.create(grantor=pudong_resident, grantee=agent, basis="guardian", status="active",
                           access="apply", all_services=True)  # fmt: skip
    Mandate.objects.create(grantor=pudong_resident, grantee=reader, basis="guardian", status="active",
                           access="read", all_services=True)  # fmt: skip

    assert [row["for_self"] for row in _api(reader).get("/api/v1/entitlements/").json()] == [False]
    assert _api(reader).post(f"/api/v1/entitlements/{offer.public_id}/confirm/").status_code == 404

    confirmed = _api(agent).post(f"/api/v1/entitlements/{offer.public_id}/confirm/")

    assert confirmed.status_code == 200
    offer.refresh_from_db()
    assert (offer.application.applicant, offer.application.acting_user, offer.answered_by) == (
        pudong_resident,
        agent,
        agent,
    )


def test_uptake_per_service_counts_each_answer(offer, offer_after_approval):
    """The city view's figures: every offer made is counted as offered, then by what became of it."""
    for status in (EntitlementStatus.DECLINED, EntitlementStatus.CONFIRMED):
        person = ResidentProfileFactory(district="pudong", id_number="").user
        Entitlement.objects.create(rule=offer_after_approval, service=offer.service, person=person, status=status)

    assert uptake_by_service() == [
        {"service": "family-doctor", "title_zh": offer.service.title_zh, "title_en": offer.service.title_en,
         "offered": 3, "confirmed": 1, "declined": 1, "granted": 0}
    ]  # fmt: skip
