"""The applications list reads only the columns it shows, and shows them as the application's own page does; the
application's page is what its serializer gives."""

import json
from datetime import date, timedelta

import pytest
from django.utils import timezone, translation
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from services.applications.apis.applications import ApplicationDetailOutputSerializer, ApplicationOutputSerializer
from services.applications.models import Application, ApplicationEvent, Status
from services.applications.selectors import application_get_for_resident
from services.mandates.actions import mandate_grant
from services.mandates.models import Mandate
from services.mandates.selectors import mandate_snapshot
from tests.factories import ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db

SHARED = ("id", "reference", "service", "status", "status_label", "form_version", "answers", "submitted_at",
          "due_date", "decided_at", "decision_reason", "created_at")  # fmt: skip


@pytest.mark.parametrize(("language", "label"), [("en", "Submitted"), ("zh-hans", "已提交")])
def test_a_list_item_is_the_detail_without_form_and_timeline(resident_client, resident, service, language, label):
    """Each field of a list item equals the detail's, the status label in the reader's language."""
    application = ApplicationFactory(applicant=resident, service=service, submitted=True)

    item = resident_client.get("/api/v1/applications/", HTTP_ACCEPT_LANGUAGE=language).json()["results"][0]
    detail = resident_client.get(f"/api/v1/applications/{application.public_id}/", HTTP_ACCEPT_LANGUAGE=language)

    assert set(item) == set(SHARED)
    assert item == {name: detail.json()[name] for name in SHARED}
    assert item["status_label"] == label


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC"])
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_list_is_byte_for_byte_what_the_output_serializer_gives(resident_client, resident, service, settings,
                                                                    language, zone):  # fmt: skip
    """The list's rows, built without the serializer, are exactly ApplicationOutputSerializer's, page by page: the
    same document, its keys in the same order (the answers are sent as the JSON text the database holds, so only
    their spacing may differ from the serializer's rendering)."""
    settings.TIME_ZONE = zone
    decided = timezone.now() - timedelta(days=1)
    ApplicationFactory(applicant=resident, service=service, form_version=None, answers={})
    ApplicationFactory(
        applicant=resident, service=service, submitted=True, submitted_at=decided, due_date=date(2027, 2, 28)
    )
    ApplicationFactory(applicant=resident, service=service, approved=True, submitted_at=decided,
                       due_date=date(2027, 1, 15), decided_at=decided)  # fmt: skip
    ApplicationFactory(applicant=resident, service=service, rejected=True, decided_at=decided,
                       decision_reason="Not resident in the district.")  # fmt: skip
    ApplicationFactory(service=service)  # someone else's

    first = resident_client.get("/api/v1/applications/?page_size=3", HTTP_ACCEPT_LANGUAGE=language)
    second = resident_client.get(first.json()["next"], HTTP_ACCEPT_LANGUAGE=language)

    mine = Application.objects.filter(applicant=resident).select_related("service", "form_version")
    with translation.override(language):
        for response, applications in [(first, mine[:3]), (second, mine[3:])]:
            body = response.json()
            expected = {"next": body["next"], "previous": body["previous"],
                        "results": ApplicationOutputSerializer(applications, many=True).data}  # fmt: skip
            assert response.status_code == 200
            assert json.dumps(response.json()) == json.dumps(json.loads(JSONRenderer().render(expected)))
    assert {item["status"] for item in first.json()["results"] + second.json()["results"]} == {
        Status.DRAFT, Status.SUBMITTED, Status.APPROVED, Status.REJECTED}  # fmt: skip


def test_the_first_page_compiled_once_is_each_residents_own(resident, service, django_assert_num_queries):
    """The usual first page runs SQL compiled once per process: each resident in turn gets their own applications,
    in one statement, and a filtered list or a later page still gets only the caller's."""
    others = UserFactory()
    mine = ApplicationFactory(applicant=resident, service=service)
    theirs = [ApplicationFactory(applicant=others, service=service) for _ in range(3)]
    clients = {}
    for user in (resident, others):
        clients[user] = APIClient()
        clients[user].force_authenticate(user)

    for _ in range(2):  # compiled by the first request, reused by the others
        with django_assert_num_queries(1):
            own = clients[resident].get("/api/v1/applications/").json()
        first = clients[others].get("/api/v1/applications/?page_size=2").json()
        second = clients[others].get(first["next"]).json()
        filtered = clients[others].get("/api/v1/applications/", {"service": service.slug}).json()

        assert [item["id"] for item in own["results"]] == [str(mine.public_id)]
        assert {item["id"] for item in first["results"] + second["results"]} == {str(a.public_id) for a in theirs}
        assert {item["id"] for item in filtered["results"]} == {str(a.public_id) for a in theirs}


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC"])
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_detail_is_byte_for_byte_what_the_detail_serializer_gives(resident_client, resident, service, settings,
                                                                      language, zone):  # fmt: skip
    """An application's page, built without the serializer, renders exactly as ApplicationDetailOutputSerializer's:
    a draft (its fee quote), one without a form version, a decided one with its timeline, one an agent made."""
    settings.TIME_ZONE = zone
    decided = timezone.now() - timedelta(days=1)
    agent = UserFactory()
    mandate, _token = mandate_grant(grantor=resident, access="apply")
    Mandate.objects.filter(pk=mandate.pk).update(grantee=agent, status="active")
    mandate.refresh_from_db()
    applications = [
        ApplicationFactory(applicant=resident, service=service),
        ApplicationFactory(applicant=resident, service=service, form_version=None, answers={}),
        ApplicationFactory(applicant=resident, service=service, rejected=True, decided_at=decided,
                           due_date=date(2027, 1, 15), decision_reason="Not resident in the district."),
        ApplicationFactory(applicant=resident, acting_user=agent, service=service, submitted=True,
                           mandate_snapshot=mandate_snapshot(mandate=mandate)),
    ]  # fmt: skip
    ApplicationEvent.objects.create(application=applications[2], from_status="in_review", to_status="rejected",
                                    message="Not resident in the district.")  # fmt: skip
    ApplicationEvent.objects.create(application=applications[2], note="overdue", visible_to_resident=False)

    for application in applications:
        response = resident_client.get(f"/api/v1/applications/{application.public_id}/", HTTP_ACCEPT_LANGUAGE=language)
        with translation.override(language):
            loaded = application_get_for_resident(user=resident, public_id=application.public_id)
            expected = JSONRenderer().render(ApplicationDetailOutputSerializer(loaded).data)
        assert response.status_code == 200
        assert response.content == expected
    assert resident_client.get(f"/api/v1/applications/{applications[2].public_id}/").json()["timeline"]
    assert resident_client.get(f"/api/v1/applications/{applications[3].public_id}/").json()["made_by_agent"]
    assert resident_client.get(f"/api/v1/applications/{applications[0].public_id}/").json()["fee_quote"]
