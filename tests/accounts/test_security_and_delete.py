import pytest
from allauth.account.models import EmailAddress

from services.accounts.models import ResidentProfile, User
from services.applications.models import Application, Status
from services.notifications.actions import notify
from services.notifications.models import Event, Notification
from tests.factories import ApplicationFactory, ResidentProfileFactory
from tests.web.html import assert_accessible

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["zh-hans", "en"])
def language_client(request, client):
    client.cookies["django_language"] = request.param
    return client


def test_security_page_links_password_two_factor_and_sessions(language_client, resident):
    """The security page links allauth's password change, TOTP set-up and active sessions."""
    language_client.force_login(resident)
    response = language_client.get("/profile/security/")
    assert_accessible(response)
    html = response.content.decode()
    for url in ("/accounts/password/change/", "/accounts/2fa/", "/accounts/sessions/", "/profile/delete/"):
        assert f'href="{url}"' in html


def test_delete_page_explains_and_asks_for_the_password(language_client, resident):
    language_client.force_login(resident)
    assert_accessible(language_client.get("/profile/delete/"))
    page = assert_accessible(language_client.post("/profile/delete/", {"password": "wrong"}))
    assert page.error_ids == ["id_password_error"]
    resident.refresh_from_db()
    assert resident.is_active


def test_delete_anonymises_and_keeps_submitted_applications(client, service):
    """Deleting erases the profile, email, drafts and messages; submitted applications stay with their reference."""
    profile = ResidentProfileFactory()
    user = profile.user
    draft = ApplicationFactory(applicant=user, service=service)
    submitted = ApplicationFactory(applicant=user, service=service, in_review=True)
    notify(event=Event.SUBMITTED, event_key="k", recipients=[user], payload={"reference": "x", "service": "s"})
    client.force_login(user)

    response = client.post("/profile/delete/", {"password": "correct-horse-battery"})

    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_active and not user.has_usable_password()
    assert user.email.endswith("@deleted.invalid")
    assert not ResidentProfile.objects.filter(user=user).exists()
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not Notification.objects.filter(recipient=user).exists()
    assert not Application.objects.filter(pk=draft.pk).exists()
    kept = Application.objects.get(pk=submitted.pk)
    assert kept.reference == submitted.reference and kept.status == Status.IN_REVIEW
    assert client.get("/profile/").status_code == 302  # signed out
    assert not User.objects.filter(email=profile.user.email).exclude(pk=user.pk).exists()
