"""The resident chooses email and text messages in the profile; the inbox always gets every message."""

import pytest

from services.accounts.models import ResidentProfile

pytestmark = pytest.mark.django_db


def test_preferences_are_saved(client, resident):
    client.force_login(resident)

    client.post("/profile/", {"preferred_language": "en", "phone": "13800138000", "notify_by_sms": "on"})

    profile = ResidentProfile.objects.get(user=resident)
    assert (profile.notify_by_email, profile.notify_by_sms) == (False, True)


def test_text_messages_need_a_mobile_number(client, resident):
    client.force_login(resident)
    client.cookies["django_language"] = "en"

    response = client.post("/profile/", {"preferred_language": "en", "notify_by_sms": "on"})

    assert response.status_code == 200
    assert "Add your mobile number to get text messages." in response.content.decode()
    assert not ResidentProfile.objects.filter(user=resident).exists()
