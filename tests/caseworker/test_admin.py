"""The caseworker workspace in the Django admin: department scoping, buttons and their protections."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from services.applications.models import Status
from services.applications.selectors import application_timeline
from tests.factories import ApplicationFactory, ServiceFactory, StaffFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:applications_application_changelist")


def change_url(application) -> str:
    return reverse("admin:applications_application_change", args=[application.pk])


def act_url(application) -> str:
    return reverse("admin:applications_application_act", args=[application.pk])


def history_url(application) -> str:
    return reverse("admin:applications_application_history", args=[application.pk])


def logged_in(user, **kwargs) -> Client:
    """Return a client logged in as ``user``, reading the admin in English."""
    client = Client(headers={"accept-language": "en"}, **kwargs)
    client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def health_application(service):
    return ApplicationFactory(service=service, routed=True)


@pytest.fixture
def education_application(education):
    return ApplicationFactory(service=ServiceFactory(department=education), routed=True)


@pytest.fixture
def superuser():
    return StaffFactory(is_superuser=True)


# --- Scoping -----------------------------------------------------------------------------------


def test_changelist_shows_only_the_caseworkers_department(
    health_caseworker, health_application, education_application, education
):
    """A health caseworker's queue lists routed health applications, never education ones or drafts."""
    draft_elsewhere = ApplicationFactory(service=ServiceFactory(department=education))
    health_draft = ApplicationFactory(service=health_application.service)

    response = logged_in(health_caseworker).get(CHANGELIST)

    assert response.status_code == 200
    shown = set(response.context["cl"].result_list)
    assert shown == {health_application}
    content = response.content.decode()
    assert health_application.reference in content
    for hidden in (education_application, draft_elsewhere, health_draft):
        assert hidden.reference not in content


def test_service_filter_offers_only_services_in_the_caseworkers_queues(
    health_caseworker, health, health_application, education_application
):
    """The service filter does not list another department's services."""
    other_health = ApplicationFactory(service=ServiceFactory(department=health), routed=True)

    response = logged_in(health_caseworker).get(CHANGELIST)

    (service_filter,) = [
        spec for spec in response.context["cl"].filter_specs if getattr(spec, "field_path", "") == "service"
    ]
    offered = {pk for pk, _title in service_filter.lookup_choices}
    assert offered == {health_application.service_id, other_health.service_id}


@pytest.mark.parametrize("url_of", [change_url, history_url], ids=["change", "history"])
def test_another_departments_application_is_not_found(health_caseworker, education_application, url_of):
    """The change and history pages of another department's application are a 404, not a redirect."""
    response = logged_in(health_caseworker).get(url_of(education_application))

    assert response.status_code == 404


def test_acting_on_another_departments_application_is_not_found(health_caseworker, education_application):
    """POSTing a button to another department's application is a 404 and changes nothing."""
    response = logged_in(health_caseworker).post(act_url(education_application), {"action": "claim"})

    assert response.status_code == 404
    education_application.refresh_from_db()
    assert education_application.status == Status.ROUTED
    assert education_application.assignee is None


def test_superuser_sees_every_application(superuser, health_application, education_application):
    """A superuser's changelist holds every department's applications, drafts included."""
    draft = ApplicationFactory()

    response = logged_in(superuser).get(CHANGELIST)

    assert set(response.context["cl"].result_list) == {health_application, education_application, draft}
    assert logged_in(superuser).get(change_url(education_application)).status_code == 200


def test_resident_cannot_open_the_admin(resident, health_application):
    """A resident (not staff) is sent to the admin login for every admin page."""
    client = logged_in(resident)

    for url in ("/admin/", CHANGELIST, change_url(health_application)):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))
    response = client.post(act_url(health_application), {"action": "claim"})
    assert response.status_code == 302
    health_application.refresh_from_db()
    assert health_application.status == Status.ROUTED


def test_staff_without_a_department_sees_no_applications(health_application):
    """A staff member with no department membership gets no Applications module and no queue."""
    client = logged_in(StaffFactory())

    index = client.get("/admin/")

    assert index.status_code == 200
    assert CHANGELIST not in index.content.decode()
    assert all(app["app_label"] != "applications" for app in index.context["app_list"])
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(change_url(health_application)).status_code == 404


def test_mine_filter_lists_the_caseworkers_own_applications(health_caseworker, health, service):
    """The "Mine" filter keeps only the applications assigned to the caseworker."""
    mine = ApplicationFactory(service=service, in_review=True, assignee=health_caseworker)
    ApplicationFactory(service=service, in_review=True, assignee=StaffFactory(department=health))
    ApplicationFactory(service=service, routed=True)

    response = logged_in(health_caseworker).get(CHANGELIST, {"mine": "1"})

    assert list(response.context["cl"].result_list) == [mine]


def test_changelist_query_count_does_not_grow_with_rows(
    health_caseworker, health, service, django_assert_max_num_queries
):
    """The queue costs the same number of queries for 30 applications as for 5 (no query per row)."""
    other_service = ServiceFactory(department=health)
    ApplicationFactory.create_batch(5, service=service, routed=True, assignee=health_caseworker)
    client = logged_in(health_caseworker)
    client.get(CHANGELIST)  # warm up per-process caches (content types)
    with CaptureQueriesContext(connection) as five:
        assert client.get(CHANGELIST).status_code == 200

    ApplicationFactory.create_batch(13, service=service, routed=True, assignee=StaffFactory(department=health))
    ApplicationFactory.create_batch(12, service=other_service, in_review=True, assignee=health_caseworker)
    with django_assert_max_num_queries(len(five)) as thirty:
        response = client.get(CHANGELIST)

    assert len(response.context["cl"].result_list) == 30
    assert len(thirty) == len(five)


# --- Buttons -----------------------------------------------------------------------------------


def buttons(response) -> list[str]:
    return [name for name, _label in response.context["case_actions"]]


def test_claim_then_decide_buttons(health_caseworker, health_application):
    """A routed application offers Claim; once claimed, the assignee is offered Approve and Reject."""
    client = logged_in(health_caseworker)

    page = client.get(change_url(health_application))
    assert page.status_code == 200
    assert buttons(page) == ["claim"]
    assert 'value="claim"' in page.content.decode()

    response = client.post(act_url(health_application), {"action": "claim"}, follow=True)

    health_application.refresh_from_db()
    assert health_application.status == Status.IN_REVIEW
    assert health_application.assignee == health_caseworker
    assert response.redirect_chain[-1][0] == change_url(health_application)
    assert buttons(response) == ["approve", "reject"]
    content = response.content.decode()
    assert 'value="approve"' in content and 'value="reject"' in content and 'name="reason"' in content


def test_reject_without_a_reason_is_refused(health_caseworker, service):
    """Rejecting without a reason shows an error and leaves the application in review."""
    application = ApplicationFactory(service=service, in_review=True, assignee=health_caseworker)

    response = logged_in(health_caseworker).post(
        act_url(application), {"action": "reject", "reason": "   "}, follow=True
    )

    assert response.status_code == 200
    assert any("reason" in m for m in messages_of(response))
    application.refresh_from_db()
    assert application.status == Status.IN_REVIEW
    assert application.decision_reason == ""
    assert not application.events.exists()


def test_reject_with_a_reason_is_shown_to_the_resident(health_caseworker, service):
    """A rejection stores its reason, and the resident's timeline shows it."""
    application = ApplicationFactory(service=service, in_review=True, assignee=health_caseworker)

    logged_in(health_caseworker).post(
        act_url(application), {"action": "reject", "reason": " Missing proof of address. "}
    )

    application.refresh_from_db()
    assert application.status == Status.REJECTED
    assert application.decision_reason == "Missing proof of address."
    assert application.decided_at is not None
    resident_events = list(application_timeline(application=application, for_resident=True))
    assert [(e.to_status, e.message) for e in resident_events] == [(Status.REJECTED, "Missing proof of address.")]


def test_approve(health_caseworker, service):
    """Approve moves an application in review to approved and shows a success message."""
    application = ApplicationFactory(service=service, in_review=True, assignee=health_caseworker)

    response = logged_in(health_caseworker).post(act_url(application), {"action": "approve"}, follow=True)

    application.refresh_from_db()
    assert application.status == Status.APPROVED
    assert application.decided_at is not None
    assert any(application.reference in m for m in messages_of(response))
    assert buttons(response) == []


def test_second_claim_is_refused_with_a_clear_message(health_caseworker, health, health_application):
    """A colleague claiming an application already claimed gets an error; the first caseworker keeps it."""
    colleague = StaffFactory(department=health)
    logged_in(health_caseworker).post(act_url(health_application), {"action": "claim"})

    response = logged_in(colleague).post(act_url(health_application), {"action": "claim"}, follow=True)

    assert response.status_code == 200
    assert messages_of(response) == ["Another caseworker has already claimed this application."]
    health_application.refresh_from_db()
    assert health_application.status == Status.IN_REVIEW
    assert health_application.assignee == health_caseworker
    assert health_application.events.count() == 1


def test_a_caseworker_who_is_not_the_assignee_cannot_decide(health_caseworker, health, service):
    """Only the assignee (or a supervisor) may decide; a colleague gets an error and nothing changes."""
    application = ApplicationFactory(service=service, in_review=True, assignee=StaffFactory(department=health))

    page = logged_in(health_caseworker).get(change_url(application))
    response = logged_in(health_caseworker).post(act_url(application), {"action": "approve"}, follow=True)

    assert buttons(page) == []
    assert messages_of(response)
    application.refresh_from_db()
    assert application.status == Status.IN_REVIEW


def test_unknown_action_is_not_found(health_caseworker, health_application):
    """An action name that is not a button is a 404."""
    response = logged_in(health_caseworker).post(act_url(health_application), {"action": "delete"})

    assert response.status_code == 404


def test_get_on_the_action_url_is_not_allowed(health_caseworker, health_application):
    """The action URL only accepts POST."""
    response = logged_in(health_caseworker).get(act_url(health_application))

    assert response.status_code == 405


def test_actions_need_a_csrf_token(health_caseworker, health_application):
    """Without a CSRF token a button POST is refused and changes nothing; with the page's token it works."""
    client = logged_in(health_caseworker, enforce_csrf_checks=True)

    refused = client.post(act_url(health_application), {"action": "claim"})

    assert refused.status_code == 403
    health_application.refresh_from_db()
    assert health_application.status == Status.ROUTED

    page = client.get(change_url(health_application))
    token = page.context["csrf_token"]
    accepted = client.post(act_url(health_application), {"action": "claim", "csrfmiddlewaretoken": str(token)})

    assert accepted.status_code == 302
    health_application.refresh_from_db()
    assert health_application.status == Status.IN_REVIEW


def test_change_page_shows_answers_and_internal_timeline(health_caseworker, health_application):
    """The change page shows the answers with their labels and every event, internal ones included."""
    health_application.events.create(message="Called the applicant", visible_to_resident=False)

    content = logged_in(health_caseworker).get(change_url(health_application)).content.decode()

    assert "Li Lei" in content
    assert "Called the applicant" in content
    assert "Not checked yet." in content  # the intake checks' result


def test_no_add_change_or_delete(health_caseworker, health_application):
    """Applications are never added, edited or deleted through the admin."""
    client = logged_in(health_caseworker)

    assert client.get(reverse("admin:applications_application_add")).status_code == 403
    delete = reverse("admin:applications_application_delete", args=[health_application.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    page = client.get(change_url(health_application))
    assert 'name="_save"' not in page.content.decode()
