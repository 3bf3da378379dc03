"""Mandates (代办): grant and accept, revoke, a parent's mandate from the identity provider's family claim (ending
by itself at 18), staff approval, and applications made by an agent for the person they act for."""

import datetime as dt
import re

import pytest
from django.contrib.admin.sites import site
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from services.accounts.models import ResidentProfile
from services.applications.models import Application, Status
from services.applications.selectors import application_get_for_resident
from services.audit.models import AuditEntry, AuditRole
from services.caseworker.admin.applications import ApplicationAdmin
from services.common.errors import NotAllowed
from services.identity.actions import identity_login
from services.identity.models import IdentityLink
from services.identity.providers import Provider
from services.mandates.actions import mandate_approve, mandate_grant
from services.mandates.models import Mandate
from services.mandates.selectors import mandate_snapshot
from services.notifications.models import Event, Notification
from tests.conftest import staff_login
from tests.factories import (
    ApplicationFactory,
    DocumentFactory,
    ResidentProfileFactory,
    ServiceFactory,
    StaffFactory,
    UserFactory,
)
from tests.web.html import assert_accessible

pytestmark = pytest.mark.django_db
PROVIDER = Provider(id="demo", issuer="https://idp.example", client_id="portal", name_zh="随申办", name_en="Suishenban")
CHILD_ID = "310115201509011241"


def family_claims(*, sub="demo-adult", child_id=CHILD_ID, relation="child") -> dict:
    return {
        "sub": sub,
        "name": "张伟",
        "resident_id": "310115198503071230",
        "birthdate": "1985-03-07",
        "family": [{"relation": relation, "resident_id": child_id, "name": "张小明"}],
    }


def grant_and_accept(client, grantor, agent, **form) -> Mandate:
    client.force_login(grantor)
    page = client.post(reverse("mandates:grant"), {"access": "apply", **form})
    link = re.search(r'value="(http://testserver/mandates/accept/[^"]+/)"', page.content.decode()).group(1)
    client.force_login(agent)
    client.post(link)
    return Mandate.objects.get(grantor=grantor)


def test_a_grant_becomes_active_when_the_agent_accepts_its_link_and_the_grantor_is_told(client):
    grantor, agent = UserFactory(), UserFactory()

    mandate = grant_and_accept(client, grantor, agent)

    assert (mandate.grantee, mandate.status, mandate.basis) == (agent, Mandate.Status.ACTIVE, "power_of_attorney")
    assert Notification.objects.filter(recipient=grantor, event=Event.MANDATE_CHANGED).exists()
    assert client.post(reverse("mandates:accept", args=["used-or-made-up"])).status_code == 302
    assert Mandate.objects.filter(status=Mandate.Status.ACTIVE).count() == 1


def test_a_self_mandate_and_a_loop_are_refused(client):
    """Accepting one's own link is refused; so is a mandate back to someone who already acts for you."""
    grantor, agent = UserFactory(), UserFactory()
    client.force_login(grantor)
    mine = grant_and_accept(client, grantor, grantor)
    assert mine.status == Mandate.Status.REQUESTED and mine.grantee is None

    Mandate.objects.all().delete()
    grant_and_accept(client, grantor, agent)
    back = grant_and_accept(client, agent, grantor)

    assert back.status == Mandate.Status.REQUESTED


def test_an_agent_applies_for_the_person_they_act_for(client, service):
    """The draft is the grantor's (legal subject), made by the agent (acting subject) with a snapshot of the
    mandate, filled from the grantor's profile; the submission is the agent's act and the grantor is told."""
    grantor, agent = UserFactory(), UserFactory()
    ResidentProfileFactory(user=grantor, legal_name="李秀英", id_number="310104195005121028")
    ResidentProfileFactory(user=agent, legal_name="张伟", id_number="310115198503071230")
    mandate = grant_and_accept(client, grantor, agent)
    client.force_login(agent)

    page = client.get(f"/services/{service.slug}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"?for={mandate.public_id}" in page
    client.get(f"{reverse('applications:apply', args=[service.slug])}?for={mandate.public_id}")

    application = Application.objects.get()
    assert (application.applicant, application.acting_user, application.mandate) == (grantor, agent, mandate)
    assert application.mandate_snapshot["grantee_name"] == "张伟"
    application.answers = {"full_name": "Li Xiuying", "start_date": "2026-12-01", "urgent": False}
    application.save()
    client.post(reverse("applications:check", kwargs={"public_id": application.public_id}))
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert application.events.get(to_status=Status.SUBMITTED).actor == agent
    assert Notification.objects.filter(recipient=grantor, event=Event.ACTED_FOR_YOU).exists()
    client.force_login(grantor)
    timeline = client.get(application.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "由 张伟 依委托代办" in timeline  # the grantor's profile language, Chinese


def test_the_agent_opening_the_application_is_in_the_grantors_access_log(client, service):
    grantor, agent = UserFactory(), UserFactory()
    ResidentProfileFactory(user=agent, legal_name="张伟")
    grant_and_accept(client, grantor, agent)
    application = ApplicationFactory(applicant=grantor, service=service, submitted=True)
    client.force_login(agent)

    assert client.get(application.get_absolute_url()).status_code == 200

    entry = AuditEntry.objects.get(application=application)
    assert (entry.actor, entry.role, entry.detail) == (agent, AuditRole.AGENT, "张伟")
    client.force_login(grantor)
    log = client.get(reverse("applications:access_log", args=[application.public_id])).content.decode()
    assert "张伟" in log


def test_revoking_ends_access_at_once_on_web_and_api(client, service):
    grantor, agent = UserFactory(), UserFactory()
    mandate = grant_and_accept(client, grantor, agent)
    application = ApplicationFactory(applicant=grantor, service=service, submitted=True)
    api = APIClient()
    api.force_authenticate(agent)
    assert api.get(f"/api/v1/applications/{application.public_id}/").status_code == 200
    client.force_login(agent)
    assert application.reference in client.get(reverse("applications:mine")).content.decode()

    client.force_login(grantor)
    client.post(reverse("mandates:revoke", args=[mandate.public_id]))

    client.force_login(agent)
    assert client.get(application.get_absolute_url()).status_code == 404
    assert api.get(f"/api/v1/applications/{application.public_id}/").status_code == 404
    assert application.reference not in client.get(reverse("applications:mine")).content.decode()


def test_a_read_only_mandate_shows_but_does_not_act(service, client):
    grantor, agent = UserFactory(), UserFactory()
    Mandate.objects.create(grantor=grantor, grantee=agent, basis="guardian", access="read", status="active")
    application = ApplicationFactory(applicant=grantor, service=service, submitted=True)
    api = APIClient()
    api.force_authenticate(agent)

    assert api.get(f"/api/v1/applications/{application.public_id}/").status_code == 200
    # Acting outside the mandate's scope is a "not found", as for another person's application (web and API).
    assert api.post(f"/api/v1/applications/{application.public_id}/withdraw/").status_code == 404
    client.force_login(agent)
    assert client.get(application.get_absolute_url()).status_code == 200
    assert client.post(reverse("applications:withdraw", args=[application.public_id])).status_code == 404
    application.refresh_from_db()
    assert application.status == "submitted"
    created = api.post(
        "/api/v1/applications/",
        {"service": service.slug, "on_behalf_of": str(Mandate.objects.get().public_id)},
        format="json",
    )
    assert created.status_code == 404


def test_a_parent_signing_in_gets_a_mandate_for_their_minor_child_ending_before_18():
    """The provider's family claim names a minor child: the child gets a verified account (no grant from them is
    needed) and the parent a mandate in force until the day before the 18th birthday."""
    parent = identity_login(provider=PROVIDER, claims=family_claims())

    mandate = Mandate.objects.get(grantee=parent)
    assert (mandate.basis, mandate.status, mandate.valid_until) == ("parent_of_minor", "active", dt.date(2033, 8, 31))
    child = ResidentProfile.objects.get(id_number=CHILD_ID)
    assert child.identity_verified_at is not None and child.legal_name == "张小明"
    assert mandate.grantor == child.user
    identity_login(provider=PROVIDER, claims=family_claims())
    assert Mandate.objects.count() == 1


def test_the_child_signing_in_later_finds_the_account_made_for_them():
    identity_login(provider=PROVIDER, claims=family_claims())
    made = ResidentProfile.objects.get(id_number=CHILD_ID).user

    child = identity_login(
        provider=PROVIDER, claims={"sub": "demo-child", "name": "张小明", "resident_id": CHILD_ID, "family": []}
    )

    assert child == made and IdentityLink.objects.get(subject="demo-child").user == made


def test_no_mandate_for_an_adult_child_and_a_minors_mandate_ends_by_itself_at_18(service):
    adult_child = "310115200501011236"
    parent = identity_login(provider=PROVIDER, claims=family_claims(child_id=adult_child))
    assert not Mandate.objects.exists()

    identity_login(provider=PROVIDER, claims=family_claims())
    mandate = Mandate.objects.get(grantee=parent)
    application = ApplicationFactory(applicant=mandate.grantor, service=service, submitted=True)
    api = APIClient()
    api.force_authenticate(parent)
    assert api.get(f"/api/v1/applications/{application.public_id}/").status_code == 200
    Mandate.objects.filter(pk=mandate.pk).update(valid_until=timezone.localdate() - dt.timedelta(days=1))

    assert api.get(f"/api/v1/applications/{application.public_id}/").status_code == 404
    mandate.refresh_from_db()
    assert mandate.effective_status == Mandate.Status.EXPIRED


def test_staff_approve_a_guardianship_backed_by_evidence():
    ward, guardian, admin = UserFactory(), UserFactory(), UserFactory(is_staff=True, is_superuser=True)
    evidence = DocumentFactory(owner=guardian)
    mandate = Mandate.objects.create(grantor=ward, grantee=guardian, basis="guardian", evidence=evidence)

    mandate_approve(mandate=mandate, by=admin, grantee=guardian)

    mandate.refresh_from_db()
    assert (mandate.status, mandate.approved_by) == (Mandate.Status.ACTIVE, admin)
    without = Mandate.objects.create(grantor=UserFactory(), grantee=guardian, basis="guardian")
    with pytest.raises(NotAllowed):
        mandate_approve(mandate=without, by=admin, grantee=guardian)


def test_caseworkers_see_that_an_agent_made_it_and_on_what_basis(service):
    grantor, agent = UserFactory(), UserFactory()
    ResidentProfileFactory(user=agent, legal_name="张伟")
    mandate, _token = mandate_grant(grantor=grantor, access="apply")
    Mandate.objects.filter(pk=mandate.pk).update(grantee=agent, status="active")
    mandate.refresh_from_db()
    application = ApplicationFactory(
        applicant=grantor, acting_user=agent, service=service, mandate_snapshot=mandate_snapshot(mandate=mandate)
    )
    shown = ApplicationAdmin(Application, site).made_by_agent(application)

    assert "张伟" in str(shown) and "授权委托" in str(shown)  # power of attorney, in the default language
    assert ApplicationAdmin(Application, site).made_by_agent(Application(service=service)) == "—"


def test_administrators_approve_an_evidenced_guardianship_in_the_admin(client, health_caseworker):
    """The admin's Mandates: an administrator approves with the action; a caseworker does not see them."""
    admin_user = StaffFactory(is_superuser=True)
    ward, guardian = UserFactory(), UserFactory()
    mandate = Mandate.objects.create(
        grantor=ward, grantee=guardian, basis="guardian", evidence=DocumentFactory(owner=guardian)
    )
    staff_login(client, admin_user)

    assert client.get("/admin/mandates/mandate/").status_code == 200
    assert client.get("/admin/mandates/mandate/add/").status_code == 200
    assert client.get(f"/admin/mandates/mandate/{mandate.pk}/change/").status_code == 200
    client.post(
        "/admin/mandates/mandate/", {"action": "approve_selected", "_selected_action": [mandate.pk], "index": 0}
    )

    mandate.refresh_from_db()
    assert (mandate.status, mandate.approved_by) == (Mandate.Status.ACTIVE, admin_user)
    staff_login(client, health_caseworker)
    assert client.get("/admin/mandates/mandate/").status_code in (302, 403, 404)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_mandate_pages_meet_the_accessibility_basics(client, language):
    """The list (with a mandate each way), the grant form (empty and with an error), the link page and the accept
    page: one h1, labelled controls, errors tied to their fields, in both languages."""
    grantor, agent = UserFactory(), UserFactory()
    client.cookies["django_language"] = language
    mandate = grant_and_accept(client, grantor, agent)
    Mandate.objects.create(grantor=agent, grantee=UserFactory(), basis="guardian", status="active")
    client.force_login(agent)

    assert_accessible(client.get(reverse("mandates:list")))
    assert_accessible(client.get(reverse("mandates:grant")))
    refused = client.post(reverse("mandates:grant"), {"access": "apply", "valid_until": "2001-01-01"})
    assert_accessible(refused)
    assert_accessible(client.post(reverse("mandates:grant"), {"access": "apply"}))
    assert_accessible(client.get(reverse("mandates:accept", args=["any"])))
    assert mandate.status == Mandate.Status.ACTIVE


def test_eligibility_is_the_legal_subjects(client):
    """A service for children: the parent applying for their 11-year-old is eligible (the child's age counts, the
    application being the child's), while the parent's own application is not."""
    children_only = ServiceFactory(eligibility_rules=[{"kind": "age", "max": 17}])
    parent = identity_login(provider=PROVIDER, claims=family_claims())
    mandate = Mandate.objects.get(grantee=parent)
    client.force_login(parent)

    client.get(f"{reverse('applications:apply', args=[children_only.slug])}?for={mandate.public_id}")
    application = Application.objects.get(service=children_only)
    application.answers = {"full_name": "张小明", "start_date": "2026-12-01", "urgent": False}
    application.save()
    client.post(reverse("applications:check", kwargs={"public_id": application.public_id}))

    application.refresh_from_db()
    assert application.applicant.profile.id_number == CHILD_ID
    assert application.status != Status.DRAFT, "the child's age should make it eligible"
    own = ApplicationFactory(applicant=parent, service=children_only, answers=application.answers)
    client.post(reverse("applications:check", kwargs={"public_id": own.public_id}))
    own.refresh_from_db()
    assert own.status == Status.DRAFT  # the parent, 41, is not


def test_an_agent_finds_the_persons_application_theirs_and_their_own_with_one_read(
    client, service, django_assert_num_queries
):
    """The resident's own application is found with one read; one of the person they act for with one more (the
    mandate's condition), and it is the person's, not the agent's; another person's is not found."""
    grantor, agent = UserFactory(), UserFactory()
    grant_and_accept(client, grantor, agent)
    theirs = ApplicationFactory(applicant=grantor, service=service, submitted=True)
    own = ApplicationFactory(applicant=agent, service=service)
    stranger = ApplicationFactory(service=service)

    with django_assert_num_queries(1):
        assert application_get_for_resident(user=agent, public_id=own.public_id).applicant == agent
    with django_assert_num_queries(2):
        found = application_get_for_resident(user=agent, public_id=theirs.public_id)
    assert found == theirs and found.applicant_id == grantor.pk and found.applicant == grantor
    with pytest.raises(Http404):
        application_get_for_resident(user=agent, public_id=stranger.public_id)
