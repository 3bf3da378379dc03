"""The caseworker workspace in the Django admin: the queue, the application page and its buttons, bulk actions."""

import csv
import datetime as dt
import io
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from services.accounts.models import DepartmentMembership
from services.applications.models import RejectionReason, Status
from services.applications.selectors import application_timeline
from services.audit.models import AuditAction, AuditEntry
from tests.factories import ApplicationFactory, ResidentProfileFactory, ServiceFactory, StaffFactory, TeamFactory

from .conftest import CHANGELIST, act, change_url, logged_in

pytestmark = pytest.mark.django_db

CONFIRM = "admin/applications/application/decision_confirm.html"


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def listed(response) -> list:
    return list(response.context["cl"].result_list)


def buttons(response) -> list[str]:
    return [name for name, _label in response.context["case_actions"]]


# --- The queue -----------------------------------------------------------------------------------------


def test_queue_shows_the_departments_open_applications_by_due_date(health_caseworker, service, education):
    """Routed, in review and awaiting applications of the department, the earliest due first; never another
    department's, nor drafts; decided ones only under the status filter."""
    later = ApplicationFactory(service=service, routed=True, due_date=dt.date(2026, 12, 20))
    sooner = ApplicationFactory(service=service, in_review=True, due_date=dt.date(2026, 12, 10))
    waiting = ApplicationFactory(service=service, awaiting_information=True, due_date=dt.date(2026, 12, 15))
    approved = ApplicationFactory(service=service, approved=True)
    ApplicationFactory(service=service)  # a draft
    ApplicationFactory(service=ServiceFactory(department=education), routed=True)
    client = logged_in(health_caseworker)

    assert listed(client.get(CHANGELIST)) == [sooner, waiting, later]
    assert listed(client.get(CHANGELIST, {"status": "approved"})) == [approved]
    assert set(listed(client.get(CHANGELIST, {"status": "all"}))) == {sooner, waiting, later, approved}


def test_queue_columns_and_deadline_flags(health_caseworker, service, applicant):
    """Reference, service, the applicant's name, status, priority, submitted, due (overdue / due soon / paused
    said in words, not only colour), team and assignee."""
    today = timezone.localdate()
    team = TeamFactory(department=service.department, code="pudong")
    overdue = ApplicationFactory(service=service, applicant=applicant, in_review=True, team=team,
                                 assignee=health_caseworker, due_date=today - dt.timedelta(days=1))  # fmt: skip
    soon = ApplicationFactory(service=service, routed=True, due_date=today + dt.timedelta(days=2))
    paused = ApplicationFactory(service=service, awaiting_information=True, due_date=today - dt.timedelta(days=5))

    content = logged_in(health_caseworker).get(CHANGELIST).content.decode()

    for application in (overdue, soon, paused):
        assert application.reference in content
    assert "王小明" in content and team.name_en in content and health_caseworker.email in content
    assert 'class="due-overdue">overdue' in content
    assert 'class="due-soon">due soon' in content
    assert 'class="due-paused">paused' in content


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"assigned": "me"}, {"mine"}),
        ({"assigned": "nobody"}, {"unassigned", "overdue"}),
        ({"deadline": "overdue"}, {"overdue"}),
        ({"deadline": "soon"}, {"unassigned"}),
        ({"deadline": "paused"}, {"waiting"}),
        ({"status": "awaiting_information"}, {"waiting"}),
    ],
)
def test_queue_filters(health_caseworker, health, service, query, expected):
    today = timezone.localdate()
    colleague = StaffFactory(department=health)
    applications = {
        "mine": ApplicationFactory(service=service, in_review=True, assignee=health_caseworker,
                                   due_date=today + dt.timedelta(days=30)),
        "unassigned": ApplicationFactory(service=service, routed=True, due_date=today + dt.timedelta(days=1)),
        "overdue": ApplicationFactory(service=service, routed=True, due_date=today - dt.timedelta(days=1)),
        "waiting": ApplicationFactory(service=service, awaiting_information=True, assignee=colleague,
                                      due_date=today - dt.timedelta(days=3)),
    }  # fmt: skip

    shown = set(listed(logged_in(health_caseworker).get(CHANGELIST, query)))

    assert shown == {applications[name] for name in expected}


def test_team_and_service_filters_offer_only_the_users_departments(health_caseworker, health, education, service):
    """The filters list the department's teams and services (read from those small tables), not another's."""
    TeamFactory(department=health, code="pudong")
    TeamFactory(department=health, code="city")
    TeamFactory(department=education, code="xuhui")
    other_health_service = ServiceFactory(department=health)
    ServiceFactory(department=education)
    ApplicationFactory(service=service, routed=True)

    response = logged_in(health_caseworker).get(CHANGELIST)

    specs = {getattr(spec, "field_path", None): spec for spec in response.context["cl"].filter_specs}
    assert {title for _pk, title in specs["team"].lookup_choices} == {
        "Health department · City team", "Health department · Pudong team"
    }  # fmt: skip
    assert {pk for pk, _title in specs["service"].lookup_choices} == {service.pk, other_health_service.pk}


@pytest.mark.parametrize("term", ["reference", "id_number", "id_number_lower", "name_start"])
def test_search_by_reference_id_number_or_name(health_caseworker, health_application, service, term):
    other = ApplicationFactory(service=service, routed=True)
    terms = {
        "reference": health_application.reference.lower(),
        "id_number": "11010519491231002X",
        "id_number_lower": " 11010519491231002x ",
        "name_start": "王小",
    }

    shown = listed(logged_in(health_caseworker).get(CHANGELIST, {"q": terms[term]}))

    assert shown == [health_application]
    assert other not in shown


def test_search_never_finds_another_departments_application(health_caseworker, education_application):
    response = logged_in(health_caseworker).get(CHANGELIST, {"q": education_application.reference, "status": "all"})

    assert listed(response) == []


@pytest.mark.parametrize("query", ["", "?assigned=nobody&o=2", "?q=HLT-2026-000001"])
def test_queue_rows_are_the_html_djangos_change_list_writes(health_caseworker, health, service, applicant, query,
                                                            monkeypatch):  # fmt: skip
    """The queue writes its rows itself (for speed): cell for cell what Django's change list would write, links
    with the filters kept, checkboxes, empty values, the deadline flags and the applicant's name (or address, for an
    applicant with none) included."""
    from services.caseworker.admin import ApplicationAdmin

    team = TeamFactory(department=health, code="pudong")
    ApplicationFactory(
        service=service, applicant=applicant, routed=True, due_date="2026-01-05", reference="HLT-2026-000001"
    )
    ApplicationFactory(service=service, in_review=True, team=team, assignee=health_caseworker, due_date="2099-01-01",
                       reference="HLT-2026-000002", submitted_at=timezone.now())  # fmt: skip
    for name, reference in [("", "HLT-2026-000003"), ("<b>O'Brien</b>", "HLT-2026-000004")]:  # no name: the address
        ApplicationFactory(service=service, applicant=ResidentProfileFactory(legal_name=name).user, routed=True,
                           reference=reference)  # fmt: skip
    client = logged_in(health_caseworker)

    written = client.get(CHANGELIST + query)
    monkeypatch.setattr(ApplicationAdmin, "queue_rows", lambda self, cl: None)  # Django's own rows
    djangos = client.get(CHANGELIST + query)

    def rows(response) -> str:  # the rows' markup, whatever the white space between two tags
        html = response.content.decode()
        return re.sub(r">\s+<", "><", html[html.index("<tbody>") : html.index("</tbody>")]).strip()

    assert rows(written) == rows(djangos)
    assert "HLT-2026-000001" in rows(written) and 'class="action-select"' in rows(written)


# --- The application page --------------------------------------------------------------------------------


def test_page_shows_answers_with_the_form_versions_labels_and_the_applicant(health_caseworker, health_application):
    """Answers are labelled by the form version the resident filled (a later change of the form does not
    relabel them); the applicant's name, ID number and contact are there; internal notes are marked."""
    health_application.service.form_schema = {
        **health_application.service.form_schema,
        "properties": {**health_application.service.form_schema["properties"],
                       "full_name": {"type": "string", "title": "Renamed question"}},
    }  # fmt: skip
    health_application.service.save()
    health_application.events.create(message="Called the applicant", visible_to_resident=False)

    content = logged_in(health_caseworker).get(change_url(health_application)).content.decode()

    assert "Full name" in content and "Renamed question" not in content and "Li Lei" in content
    assert "王小明" in content and "11010519491231002X" in content
    assert "Called the applicant" in content and "staff only" in content
    assert "Not checked yet." in content


def test_claim_then_the_handlers_buttons(health_caseworker, health_application):
    """A routed application offers Claim and a note; once claimed, the assignee may release, ask the resident,
    approve or reject."""
    client = logged_in(health_caseworker)
    page = client.get(change_url(health_application))
    assert buttons(page) == ["claim", "note"]

    response = act(client, health_application, "claim")

    health_application.refresh_from_db()
    assert (health_application.status, health_application.assignee) == (Status.IN_REVIEW, health_caseworker)
    assert response.redirect_chain[-1][0] == change_url(health_application)
    assert buttons(response) == ["release", "request_information", "approve", "reject", "note"]
    content = response.content.decode()
    assert 'name="version" value="1"' in content and 'name="items"' in content and 'name="reason"' in content


def test_second_claim_is_refused_with_a_clear_message(health_caseworker, health, health_application):
    """Two caseworkers press Claim on pages showing the same version: the first wins, the second is told."""
    colleague = StaffFactory(department=health)
    version = health_application.version
    first = logged_in(health_caseworker).post(
        reverse("admin:applications_application_act", args=[health_application.pk]),
        {"action": "claim", "version": version},
    )
    second = logged_in(colleague).post(
        reverse("admin:applications_application_act", args=[health_application.pk]),
        {"action": "claim", "version": version},
        follow=True,
    )

    assert first.status_code == 302
    assert messages_of(second) == ["Another caseworker has already claimed this application."]
    health_application.refresh_from_db()
    assert health_application.assignee == health_caseworker
    assert health_application.events.count() == 1


def test_a_stale_page_is_refused_not_overwritten(health_caseworker, health_supervisor, service, health):
    """A supervisor reassigns while the caseworker's page is open: the caseworker's decision from the old page
    is refused with a clear message, and nothing changes."""
    application = ApplicationFactory(service=service, in_review=True, assignee=health_caseworker)
    stale_version = application.version
    act(logged_in(health_supervisor), application, "assign", assignee=StaffFactory(department=health).pk)

    client, url = logged_in(health_supervisor), reverse("admin:applications_application_act", args=[application.pk])
    shown = client.post(url, {"action": "approve", "version": stale_version})
    response = client.post(
        url, {"action": "approve", "version": stale_version, "confirm": shown.context["fingerprint"]}, follow=True
    )

    (message,) = messages_of(response)
    assert "has changed since your page was loaded" in message
    application.refresh_from_db()
    assert application.status == Status.IN_REVIEW


def test_an_action_without_the_pages_version_is_refused(health_caseworker, health_application):
    response = logged_in(health_caseworker).post(
        reverse("admin:applications_application_act", args=[health_application.pk]), {"action": "claim"}, follow=True
    )

    assert messages_of(response) == ["This page is out of date: reload it and try again."]
    health_application.refresh_from_db()
    assert health_application.status == Status.ROUTED


def test_release_gives_it_back_to_the_queue_unassigned(health_caseworker, service):
    application = ApplicationFactory(service=service, in_review=True, assignee=health_caseworker)

    act(logged_in(health_caseworker), application, "release")

    application.refresh_from_db()
    assert (application.status, application.assignee) == (Status.ROUTED, None)
    assert not application_timeline(application=application, for_resident=True).exists()  # staffing only


def test_supervisor_assigns_and_reassigns(health_supervisor, health_caseworker, health, health_application):
    """Assigning a routed application puts it in review with the caseworker; a supervisor may hand it on."""
    colleague = StaffFactory(department=health)
    client = logged_in(health_supervisor)
    assert "assign" in buttons(client.get(change_url(health_application)))

    act(client, health_application, "assign", assignee=health_caseworker.pk)
    act(client, health_application, "assign", assignee=colleague.pk)

    health_application.refresh_from_db()
    assert (health_application.status, health_application.assignee) == (Status.IN_REVIEW, colleague)
    content = client.get(change_url(health_application)).content.decode()
    assert f"Assigned to {colleague.email}" in content


def test_caseworkers_cannot_assign_nor_to_someone_outside_the_department(
    health_caseworker, health_supervisor, education_caseworker, health_application
):
    assert "assign" not in buttons(logged_in(health_caseworker).get(change_url(health_application)))

    response = act(logged_in(health_supervisor), health_application, "assign", assignee=education_caseworker.pk)

    assert messages_of(response) == ["Choose a caseworker."]
    health_application.refresh_from_db()
    assert health_application.assignee is None


def test_internal_note_is_never_shown_to_the_resident(health_caseworker, health_application):
    act(logged_in(health_caseworker), health_application, "note", note="Neighbour confirmed the address.")

    event = health_application.events.get()
    assert (event.message, event.visible_to_resident, event.actor) == (
        "Neighbour confirmed the address.", False, health_caseworker
    )  # fmt: skip
    assert not application_timeline(application=health_application, for_resident=True).exists()


def test_reject_without_a_reason_is_refused(health_caseworker, service):
    application = ApplicationFactory(service=service, in_review=True, assignee=health_caseworker)

    response = act(logged_in(health_caseworker), application, "reject", reason="   ")

    assert any("reason" in m for m in messages_of(response))
    application.refresh_from_db()
    assert application.status == Status.IN_REVIEW and not application.events.exists()


def test_reject_with_the_services_reason_in_the_residents_language(health_caseworker, service):
    """With reasons defined for the service one must be chosen; the resident reads it in their language, followed
    by the caseworker's words."""
    resident = ResidentProfileFactory(preferred_language="en", id_number=None).user
    application = ApplicationFactory(service=service, applicant=resident, in_review=True, assignee=health_caseworker)
    texts = {"text_zh": "申请材料不齐全。", "text_en": "The application is incomplete."}
    reason = RejectionReason.objects.create(service=service, title_zh="材料不全", title_en="Incomplete", **texts)
    RejectionReason.objects.create(service=ServiceFactory(), title_zh="别", title_en="Other", **texts)
    client = logged_in(health_caseworker)
    page = client.get(change_url(application))
    assert list(page.context["rejection_reasons"]) == [reason]

    refused = act(client, application, "reject", reason="No proof of address.")
    assert messages_of(refused) == ["Choose the reason for the rejection."]
    act(client, application, "reject", rejection_reason=reason.pk, reason="No proof of address.")

    application.refresh_from_db()
    assert application.status == Status.REJECTED
    assert application.decision_reason == "The application is incomplete.\n\nNo proof of address."


def test_approve(health_caseworker, service):
    application = ApplicationFactory(service=service, in_review=True, assignee=health_caseworker)

    response = act(logged_in(health_caseworker), application, "approve", reason="Welcome.")

    application.refresh_from_db()
    assert (application.status, application.decision_reason) == (Status.APPROVED, "Welcome.")
    assert any(application.reference in m for m in messages_of(response))
    assert buttons(response) == ["note"]


def test_a_caseworker_who_is_not_the_assignee_cannot_decide(health_caseworker, health, service):
    application = ApplicationFactory(service=service, in_review=True, assignee=StaffFactory(department=health))

    page = logged_in(health_caseworker).get(change_url(application))
    response = act(logged_in(health_caseworker), application, "approve")

    assert buttons(page) == ["note"]
    assert messages_of(response) == ["You may not make this change to this application."]
    application.refresh_from_db()
    assert application.status == Status.IN_REVIEW


def test_unknown_action_get_and_csrf(health_caseworker, health_application):
    """An action that is not a button is a 404; GET is not allowed; a POST without the CSRF token is refused."""
    url = reverse("admin:applications_application_act", args=[health_application.pk])
    assert logged_in(health_caseworker).post(url, {"action": "delete", "version": 0}).status_code == 404
    assert logged_in(health_caseworker).get(url).status_code == 405
    strict = logged_in(health_caseworker, enforce_csrf_checks=True)
    assert strict.post(url, {"action": "claim", "version": 0}).status_code == 403
    token = str(strict.get(change_url(health_application)).context["csrf_token"])
    assert strict.post(url, {"action": "claim", "version": 0, "csrfmiddlewaretoken": token}).status_code == 302


def test_no_add_change_or_delete(health_caseworker, health_application):
    client = logged_in(health_caseworker)

    assert client.get(reverse("admin:applications_application_add")).status_code == 403
    delete = reverse("admin:applications_application_delete", args=[health_application.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert 'name="_save"' not in client.get(change_url(health_application)).content.decode()


def test_documents_open_in_the_browser_after_the_checks(health_caseworker, health_application, attached_document):
    """The page links each clean document to a view that shows it inline (a PDF may not be sandboxed, or
    Chrome's viewer refuses it), never sniffed, never cached."""
    client = logged_in(health_caseworker)
    url = reverse("admin:applications_application_document", args=[health_application.pk, attached_document.public_id])
    assert url in client.get(change_url(health_application)).content.decode()

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline;")
    assert response["Content-Security-Policy"] == "frame-ancestors 'none'"
    assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]


def test_a_document_not_attached_to_this_application_is_not_found(health_caseworker, service, attached_document):
    other = ApplicationFactory(service=service, routed=True)
    url = reverse("admin:applications_application_document", args=[other.pk, attached_document.public_id])

    assert logged_in(health_caseworker).get(url).status_code == 404


# --- Bulk actions ------------------------------------------------------------------------------------------


def test_supervisor_assigns_the_selected(health_supervisor, health_caseworker, health, service, education_caseworker):
    """The bulk action asks whom to give them to (the department's staff only), then assigns each one."""
    selected = ApplicationFactory.create_batch(3, service=service, routed=True)
    client = logged_in(health_supervisor)
    ids = [a.pk for a in selected]

    page = client.post(CHANGELIST, {"action": "assign_selected", "_selected_action": ids})
    assert page.status_code == 200
    offered = set(page.context["form"].fields["assignee"].queryset)
    assert health_caseworker in offered and education_caseworker not in offered

    done = client.post(
        CHANGELIST,
        {"action": "assign_selected", "_selected_action": ids, "apply": "1", "assignee": health_caseworker.pk},
        follow=True,
    )

    assert "3 applications assigned to" in messages_of(done)[0]
    for application in selected:
        application.refresh_from_db()
        assert (application.status, application.assignee) == (Status.IN_REVIEW, health_caseworker)


def test_caseworkers_are_not_offered_bulk_assignment(health_caseworker, health_application):
    response = logged_in(health_caseworker).get(CHANGELIST)

    actions = [name for name, _label in response.context["action_form"].fields["action"].choices]
    assert "assign_selected" not in actions and "export_selected" in actions


def read_csv(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_export_filtered_with_personal_fields_for_supervisors_only(
    health_caseworker, health_supervisor, health_application, service
):
    """The export link takes the queue's filters; a caseworker's export has no personal columns."""
    ApplicationFactory(service=service, approved=True)
    url = reverse("admin:applications_application_export") + "?q=" + health_application.reference

    by_caseworker = read_csv(logged_in(health_caseworker).get(url))
    by_supervisor = read_csv(logged_in(health_supervisor).get(url))

    assert [row[0] for row in by_caseworker[1:]] == [health_application.reference]
    assert "Legal name" not in by_caseworker[0] and "王小明" not in str(by_caseworker)
    header, row = by_supervisor
    assert dict(zip(header, row, strict=True))["Legal name"] == "王小明"
    assert dict(zip(header, row, strict=True))["Resident ID number"] == "11010519491231002X"


def test_export_selected_keeps_formulas_from_running(health_supervisor, service):
    application = ApplicationFactory(service=service, rejected=True, decision_reason='=HYPERLINK("http://evil")')

    response = logged_in(health_supervisor).post(  # from the list of all statuses, as the page posts it
        CHANGELIST + "?status=all", {"action": "export_selected", "_selected_action": [application.pk]}
    )

    header, row = read_csv(response)
    assert dict(zip(header, row, strict=True))["Reason for the decision"] == '\'=HYPERLINK("http://evil")'


def test_supervisor_sees_the_queues_of_their_department_only(health_supervisor, health_application,
                                                             education_application):  # fmt: skip
    response = logged_in(health_supervisor).get(CHANGELIST)

    assert listed(response) == [health_application]
    assert DepartmentMembership.objects.get(user=health_supervisor).role == "supervisor"


def test_superuser_sees_every_department_and_the_routing_failures(superuser, health_application, education_application):
    draft = ApplicationFactory()
    client = logged_in(superuser)

    assert set(listed(client.get(CHANGELIST))) == {health_application, education_application}
    assert draft in listed(client.get(CHANGELIST, {"status": "draft"}))
    assert client.get(change_url(education_application)).status_code == 200


def test_staff_without_a_department_sees_no_applications(health_application):
    client = logged_in(StaffFactory())

    index = client.get("/admin/")

    assert index.status_code == 200
    assert all(app["app_label"] != "applications" for app in index.context["app_list"])
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(change_url(health_application)).status_code == 404


def test_an_export_too_big_is_refused_before_reading_it(health_caseworker, service, monkeypatch):
    monkeypatch.setattr("services.caseworker.exports.EXPORT_MAX_ROWS", 2)
    ApplicationFactory.create_batch(3, service=service, routed=True)

    response = logged_in(health_caseworker).get(reverse("admin:applications_application_export"), follow=True)

    assert messages_of(response) == ["More than 2 applications: narrow the filters to export them."]
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_queue_never_counts_past_its_cap(health_caseworker, service, monkeypatch):
    """Beyond the cap the page says "more than" instead of counting every row."""
    monkeypatch.setattr("services.common.admin.COUNT_CAP", 2)
    ApplicationFactory.create_batch(3, service=service, routed=True)

    content = logged_in(health_caseworker).get(CHANGELIST).content.decode()

    assert "More than 2 applications: narrow the filters or search." in content


def test_the_application_page_shows_the_case_first_and_the_actions_after_it(health_caseworker, health_application):
    """A caseworker reads the answers, the documents and the timeline before the buttons; approve and reject do not
    look alike."""
    client = logged_in(health_caseworker)
    act(client, health_application, "claim")

    html = client.get(change_url(health_application)).content.decode()

    assert html.index("field-answers") < html.index("Information requests") < html.index('id="case-actions-title"')
    assert "case-button-approve" in html and "case-button-reject" in html


def test_a_decision_shows_the_letter_in_the_residents_language_and_asks_to_confirm(health_caseworker, service):
    """Approve and reject first show the letter the resident would get, in the resident's language inside the
    caseworker's English page, with the reason as written; nothing is decided until confirmed for that letter; the
    look is audited."""
    resident = ResidentProfileFactory(preferred_language="zh-hans").user
    application = ApplicationFactory(service=service, applicant=resident, in_review=True, assignee=health_caseworker)
    client, url = logged_in(health_caseworker), reverse("admin:applications_application_act", args=[application.pk])
    posted = {"action": "reject", "version": application.version, "reason": "Income above the limit."}

    shown = client.post(url, posted)

    html = shown.content.decode()
    assert shown.status_code == 200 and CONFIRM in {t.name for t in shown.templates}
    assert "You are about to reject" in html and 'lang="zh-Hans"' in html and "决定：您的申请未获批准" in html
    assert "Income above the limit." in html and "Reject and send this letter" in html
    application.refresh_from_db()
    assert (application.status, application.decided_at) == (Status.IN_REVIEW, None)
    assert AuditEntry.objects.filter(application=application, detail="decision letter preview").count() == 1

    # words changed after reading the letter: shown again, not decided
    changed = client.post(url, {**posted, "reason": "Something else.", "confirm": shown.context["fingerprint"]})
    assert CONFIRM in {t.name for t in changed.templates}
    assert messages_of(changed) == ["The words changed since you read the letter: read it again."]
    application.refresh_from_db()
    assert application.status == Status.IN_REVIEW

    client.post(url, {**posted, "confirm": shown.context["fingerprint"]})
    application.refresh_from_db()
    assert (application.status, application.decision_reason) == (Status.REJECTED, "Income above the limit.")


def test_a_rejection_without_a_reason_is_explained_and_keeps_what_was_chosen(health_caseworker, service):
    """No letter to confirm: the page says what is missing and keeps the chosen reason and the words typed."""
    application = ApplicationFactory(service=service, in_review=True, assignee=health_caseworker)
    texts = {"text_zh": "申请材料不齐全。", "text_en": "The application is incomplete."}
    RejectionReason.objects.create(service=service, title_zh="材料不全", title_en="Incomplete", **texts)

    shown = logged_in(health_caseworker).post(
        reverse("admin:applications_application_act", args=[application.pk]),
        {"action": "reject", "version": application.version, "reason": "  My words  "},
    )

    assert messages_of(shown) == ["Choose the reason for the rejection."]
    assert shown.context["fingerprint"] is None and "Reject and send this letter" not in shown.content.decode()
    assert "  My words  </textarea>" in shown.content.decode()


def test_approve_and_reject_differ_in_words_and_mark_not_only_colour(health_caseworker, health_application):
    client = logged_in(health_caseworker)
    act(client, health_application, "claim")

    html = client.get(change_url(health_application)).content.decode()

    assert '<span aria-hidden="true">✓ </span>Approve</button>' in html
    assert '<span aria-hidden="true">✗ </span>Reject</button>' in html


def test_a_decision_the_user_may_not_make_is_refused_before_the_letter(health_caseworker, health, service):
    application = ApplicationFactory(service=service, in_review=True, assignee=StaffFactory(department=health))

    response = act(logged_in(health_caseworker), application, "approve")

    assert messages_of(response) == ["You may not make this change to this application."]
    assert AuditEntry.objects.filter(application=application).exclude(action=AuditAction.VIEW).count() == 0


def test_next_case_opens_the_first_application_waiting_to_be_claimed(health_caseworker, service, education):
    """In the queue's order (due date first), skipping the one the caseworker comes from and those already
    claimed or of another department; none left: back to the queue, with a word."""
    later = ApplicationFactory(service=service, routed=True, due_date="2026-12-31")
    sooner = ApplicationFactory(service=service, routed=True, due_date="2026-12-20")
    ApplicationFactory(service=service, in_review=True, assignee=health_caseworker, due_date="2026-12-01")
    ApplicationFactory(service=ServiceFactory(department=education), routed=True, due_date="2026-12-01")
    client = logged_in(health_caseworker)
    url = reverse("admin:applications_application_next")

    assert client.get(url).url == change_url(sooner)
    assert client.get(url, {"after": sooner.pk}).url == change_url(later)
    assert 'aria-keyshortcuts="N"' in client.get(change_url(sooner)).content.decode()
    later.delete()
    empty = client.get(url, {"after": sooner.pk}, follow=True)
    assert empty.redirect_chain[-1][0] == CHANGELIST
    assert messages_of(empty) == ["No application is waiting to be claimed in your queues."]
