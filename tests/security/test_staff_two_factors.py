"""Two factors for staff everywhere: a caseworker signed in with a password alone reaches no resident's document,
on the web or in the app's API; signed in with the authenticator code, they reach their department's. Staff set up
their authenticator app only through a one-time link issued by an administrator or their supervisor."""

import io
import time

import pytest
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.core.management import CommandError, call_command
from django.test import Client, RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from bench.tools import _session_for
from services.accounts.actions import staff_enrolment_token
from services.accounts.models import DepartmentMembership
from services.applications.actions import document_attach
from services.common.errors import NotAllowed
from tests.api.problems import assert_problem
from tests.conftest import staff_login
from tests.factories import ApplicationFactory, DocumentFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def attached(resident, service, id_card):
    """A resident's document attached to an application in the health department's queue."""
    document = DocumentFactory(owner=resident, document_type=id_card, content=b"%PDF-1.4 household register")
    application = ApplicationFactory(applicant=resident, service=service, routed=True)
    document_attach(application=application, document=document, by=resident)
    return document


def _web(client, user, document, *, two_factors: bool) -> int:
    if two_factors:
        staff_login(client, user)
    else:
        client.force_login(user)  # the password step only
    return client.get(f"/documents/{document.public_id}/download/").status_code


def _api(client, user, document, *, two_factors: bool) -> int:
    client = APIClient(headers={"x-session-token": _session_for(user, with_totp=two_factors)})
    return client.get(f"/api/v1/documents/{document.public_id}/file/").status_code


@pytest.mark.parametrize("channel", [_web, _api], ids=["web", "api"])
def test_staff_document_access_requires_two_factors(channel, client, health_caseworker, attached):
    """A password alone (the authenticator app set up, its code not used in this session) opens nothing: 404."""
    TOTP.activate(health_caseworker, generate_totp_secret())

    assert channel(client, health_caseworker, attached, two_factors=False) == 404
    assert channel(client, health_caseworker, attached, two_factors=True) == 200


@pytest.mark.parametrize("channel", [_web, _api], ids=["web", "api"])
def test_staff_without_an_authenticator_open_no_document(channel, client, health_caseworker, attached):
    """Staff who never set up an authenticator app reach no resident's document either."""
    assert not Authenticator.objects.filter(user=health_caseworker).exists()

    assert channel(client, health_caseworker, attached, two_factors=False) == 404


# --- Enrolment: staff set up their authenticator app only through a one-time link --------------------------------


def _password_session(client, user):
    """Sign ``user`` in with the password just entered again (allauth lets them add a factor then)."""
    client.force_login(user)
    request = RequestFactory().get("/")
    request.session = client.session
    record_authentication(request, user, "password", reauthenticated=True)
    request.session.save()
    return client


def _activate(client) -> int:
    client.get(reverse("mfa_activate_totp"))  # shows the secret, kept in the session
    secret = client.session[SECRET_SESSION_KEY]
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    return client.post(reverse("mfa_activate_totp"), {"code": code}).status_code


def test_staff_cannot_enrol_an_authenticator_first_come(client, health_caseworker):
    """A staff password alone (a thief's, say) cannot set up an authenticator app: the page says how to get a link."""
    _password_session(client, health_caseworker)

    page = client.get(reverse("mfa_activate_totp"), HTTP_ACCEPT_LANGUAGE="en")
    posted = client.post(reverse("mfa_activate_totp"), {"code": "123456"})

    assert page.status_code == 403 and "needs an enrolment link" in page.content.decode()
    assert posted.status_code == 403
    assert not Authenticator.objects.filter(user=health_caseworker).exists()


def test_staff_enrol_with_the_link_their_supervisor_issued_once(client, health, health_caseworker):
    """The supervisor's link, opened signed in as the member, leads to the set-up; once used it is refused."""
    supervisor = StaffFactory(department=health, department__role=DepartmentMembership.Role.SUPERVISOR)
    link = reverse("accounts:staff-enrol", args=[staff_enrolment_token(user=health_caseworker, by=supervisor)])
    _password_session(client, health_caseworker)

    opened = client.get(link)

    assert opened.status_code == 302 and opened.url == reverse("mfa_activate_totp")
    assert _activate(client) == 302
    assert Authenticator.objects.filter(user=health_caseworker, type=Authenticator.Type.TOTP).exists()
    assert client.get(link).status_code == 403  # used


def test_an_enrolment_link_works_only_for_its_member_and_in_time(client, health, health_caseworker, settings):
    """Another member's link, or an expired one, is refused."""
    other = StaffFactory(department=health)
    admin = StaffFactory(is_superuser=True)
    _password_session(client, health_caseworker)

    assert client.get(reverse("accounts:staff-enrol", args=[staff_enrolment_token(user=other, by=admin)])).status_code \
        == 403  # fmt: skip
    settings.STAFF_ENROLMENT_HOURS = -1
    mine = staff_enrolment_token(user=health_caseworker, by=admin)
    assert client.get(reverse("accounts:staff-enrol", args=[mine])).status_code == 403


def test_only_an_administrator_or_the_members_supervisor_issues_a_link(health, education, health_caseworker):
    """A supervisor of another department, a caseworker or a resident cannot issue one."""
    for issuer in (
        StaffFactory(department=education, department__role=DepartmentMembership.Role.SUPERVISOR),
        StaffFactory(department=health),
        UserFactory(),
    ):
        with pytest.raises(NotAllowed):
            staff_enrolment_token(user=health_caseworker, by=issuer)


def test_a_supervisor_issues_links_to_their_departments_staff(health, education, health_caseworker):
    """A supervisor sees, in the admin's users list, their departments' staff only, and issues their links."""
    supervisor = StaffFactory(department=health, department__role=DepartmentMembership.Role.SUPERVISOR)
    elsewhere = StaffFactory(department=education)
    desk = staff_login(Client(headers={"accept-language": "en"}), supervisor)

    listed = desk.get(reverse("admin:accounts_user_changelist"))
    response = desk.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "issue_enrolment_link", "_selected_action": [health_caseworker.pk, elsewhere.pk]},
        follow=True,
    )

    assert listed.status_code == 200
    assert set(listed.context["cl"].result_list) == {supervisor, health_caseworker}
    (message,) = [str(m) for m in response.context["messages"]]
    assert health_caseworker.email in message and elsewhere.email not in message


def test_the_admin_issues_a_link(health_caseworker):
    """An administrator selects staff in the admin's users list and is shown each one's link."""
    admin = staff_login(Client(headers={"accept-language": "en"}), StaffFactory(is_superuser=True))

    response = admin.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "issue_enrolment_link", "_selected_action": [health_caseworker.pk]},
        follow=True,
    )

    (message,) = [str(m) for m in response.context["messages"]]
    assert health_caseworker.email in message and "/accounts/staff-enrolment/" in message


def test_staff_cannot_enrol_from_the_app(health_caseworker):
    """allauth's app API refuses a staff member's authenticator set-up: the link on the web is the only way."""
    api = APIClient(headers={"x-session-token": _session_for(health_caseworker)})

    response = api.post("/api/auth/app/v1/account/authenticators/totp", {"code": "123456"}, format="json")

    assert_problem(response, 403, "staff_enrolment_required")
    assert not Authenticator.objects.filter(user=health_caseworker).exists()


def test_the_first_administrator_gets_a_link_from_the_command_line(client):
    """``manage.py staff_enrolment_link`` prints a working link (no administrator exists yet to issue one)."""
    first = StaffFactory(is_superuser=True)
    out = io.StringIO()

    call_command("staff_enrolment_link", first.email.upper(), stdout=out)

    path = "/" + out.getvalue().split("/", 3)[3].split()[0]
    _password_session(client, first)
    assert client.get(path).status_code == 302
    with pytest.raises(CommandError):
        call_command("staff_enrolment_link", UserFactory().email, stdout=out)
