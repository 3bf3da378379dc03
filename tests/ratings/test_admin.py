import pytest

from services.ratings.actions import rating_submit
from services.ratings.models import FollowUpStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def follow_up(application, resident):
    return rating_submit(application=application, by=resident, speed=1, clarity=1, attitude=1).follow_up


@pytest.fixture(autouse=True)
def _no_staff_mfa(settings):
    settings.STAFF_REQUIRE_MFA = False


def test_supervisor_resolves_in_the_admin(client, follow_up, health_supervisor):
    """The department's supervisor lists the follow-up and saves the outcome through the action."""
    client.force_login(health_supervisor)
    changelist = client.get("/admin/ratings/followup/")
    assert changelist.status_code == 200
    assert follow_up.rating.application.reference in changelist.content.decode()
    change_url = f"/admin/ratings/followup/{follow_up.pk}/change/"
    assert client.get(change_url).status_code == 200
    response = client.post(change_url, {"contacted": "on", "outcome": "Apologised and sped up."})
    assert response.status_code == 302, response.content.decode()[:2000]
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.RESOLVED
    assert follow_up.outcome == "Apologised and sped up."


def test_caseworkers_and_other_departments_do_not_see_it(client, follow_up, health_caseworker, education_caseworker):
    """A caseworker has no follow-ups module; another department's staff get a 404 for the page."""
    for user in (health_caseworker, education_caseworker):
        client.force_login(user)
        assert client.get("/admin/ratings/followup/").status_code == 403
        assert client.get(f"/admin/ratings/followup/{follow_up.pk}/change/").status_code in (403, 404)


def test_the_follow_up_page_shows_the_contact_links_the_application_and_says_when_contacted(
    client, follow_up, health_supervisor, resident
):
    """The supervisor sees whom to call (name, phone, email) and opens the application from the page; once the
    contact is recorded the page says when; the look at personal data is in the audit log."""
    from services.accounts.models import ResidentProfile
    from services.audit.models import AuditEntry
    from services.ratings.actions import follow_up_record_contact

    ResidentProfile.objects.update_or_create(user=resident, defaults={"legal_name": "王小明", "phone": "13812345678"})
    client.force_login(health_supervisor)
    change_url = f"/admin/ratings/followup/{follow_up.pk}/change/"
    application = follow_up.rating.application

    page = client.get(change_url).content.decode()
    assert f"王小明 · 13812345678 · {resident.email}" in page
    assert f'href="/admin/applications/application/{application.pk}/change/"' in page
    assert AuditEntry.objects.filter(application=application, detail="follow-up").exists()

    follow_up_record_contact(follow_up=follow_up, by=health_supervisor)
    follow_up.refresh_from_db()
    assert "Contacted on " in client.get(change_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
