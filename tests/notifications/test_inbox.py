"""The in-app inbox: on the web (with the unread count in the header) and in the API; only one's own."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from services.notifications.actions import notify
from services.notifications.models import Channel, DeliveryStatus, Event, Notification
from tests.api.problems import assert_problem
from tests.conftest import staff_login
from tests.factories import UserFactory
from tests.web.html import assert_accessible

pytestmark = pytest.mark.django_db

PAYLOAD = {
    "reference": "HLT-2026-000042",
    "service": {"zh": "家庭医生签约", "en": "Family doctor registration"},
    "path": "/applications/00000000-0000-0000-0000-000000000042/",
}


def delivered(user, key: str, event=Event.SUBMITTED) -> Notification:
    """An in-app notification already delivered to ``user``."""
    notify(event=event, event_key=key, recipients=[user], payload=PAYLOAD)
    notification = Notification.objects.get(recipient=user, event_key=key, channel="in_app")
    Notification.objects.filter(pk=notification.pk).update(status=DeliveryStatus.SENT, sent_at=timezone.now())
    notification.refresh_from_db()
    return notification


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_inbox_page_lists_messages_in_the_readers_language_with_the_unread_count(client, resident, language):
    delivered(resident, "a")
    delivered(resident, "b", Event.ROUTED)
    client.force_login(resident)
    client.cookies["django_language"] = language

    page = assert_accessible(client.get("/notifications/"))
    html = client.get("/notifications/").content.decode()

    assert page.h1_count == 1
    words = {"zh-hans": "我们已收到您的申请 HLT-2026-000042", "en": "We received your application HLT-2026-000042"}
    assert words[language] in html
    assert '<span class="count">2<span class="visually-hidden">' in html


def test_marking_read_lowers_the_count(client, resident):
    first, second = delivered(resident, "a"), delivered(resident, "b")
    client.force_login(resident)

    client.post(f"/notifications/{first.public_id}/read/")
    assert '<span class="count">1<' in client.get("/").content.decode()
    client.post("/notifications/read-all/")

    assert '<span class="count">' not in client.get("/").content.decode()
    assert Notification.objects.filter(read_at__isnull=True, channel="in_app").count() == 0
    assert second.public_id


def test_another_users_message_cannot_be_marked(client, resident):
    theirs = delivered(UserFactory(), "a")
    client.force_login(resident)

    assert client.post(f"/notifications/{theirs.public_id}/read/").status_code == 404


def test_undelivered_and_other_channels_stay_out_of_the_inbox(client, resident):
    notify(event=Event.SUBMITTED, event_key="pending", recipients=[resident], payload=PAYLOAD)
    # The inbox's row is delivered as it is made; one still pending (made before that) stays out, as the email does.
    Notification.objects.filter(channel=Channel.IN_APP).update(status=DeliveryStatus.PENDING)
    client.force_login(resident)

    assert "HLT-2026-000042" not in client.get("/notifications/").content.decode()


def test_inbox_page_with_no_messages(client, resident):
    client.force_login(resident)
    client.cookies["django_language"] = "en"

    response = client.get("/notifications/")

    assert_accessible(response)
    assert "You have no messages." in response.content.decode()


# --- API --------------------------------------------------------------------------------------------------


@pytest.fixture
def api(resident):
    client = APIClient()
    client.force_authenticate(resident)
    return client


def test_api_lists_newest_first_and_since_a_time(api, resident):
    older = delivered(resident, "a")
    newer = delivered(resident, "b", Event.DECIDED)
    delivered(UserFactory(), "c")

    body = api.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert [n["id"] for n in body["results"]] == [str(newer.public_id), str(older.public_id)]
    assert body["results"][1]["subject"] == "We received your application HLT-2026-000042"
    assert body["results"][1]["path"] == PAYLOAD["path"] and body["results"][1]["read_at"] is None

    since = api.get("/api/v1/notifications/", {"since": older.created_at.isoformat()}).json()
    assert [n["id"] for n in since["results"]] == [str(newer.public_id)]


def test_api_unread_count_and_marking_read(api, resident):
    first = delivered(resident, "a")
    delivered(resident, "b")

    assert api.get("/api/v1/notifications/unread-count/").json() == {"count": 2}
    read = api.post(f"/api/v1/notifications/{first.public_id}/read/")
    assert read.status_code == 200 and read.json()["read_at"]
    assert api.get("/api/v1/notifications/unread-count/").json() == {"count": 1}
    assert api.post("/api/v1/notifications/read-all/").json() == {"count": 1}
    assert api.get("/api/v1/notifications/unread-count/").json() == {"count": 0}


def test_the_unread_count_stops_at_100_on_the_web_and_in_the_api(client, api, resident):
    """A resident who left hundreds of messages unread sees "99+", and the count reads no more than 100 of them."""
    delivered(resident, "first")
    Notification.objects.bulk_create(
        Notification(recipient=resident, event=Event.SUBMITTED, event_key=f"many-{n}", channel=Channel.IN_APP,
                     status=DeliveryStatus.SENT, payload=PAYLOAD, sent_at=timezone.now())
        for n in range(100)
    )  # fmt: skip
    client.force_login(resident)

    header = client.get("/notifications/").content.decode()

    assert ">99+<span" in header and ">101<" not in header
    assert api.get("/api/v1/notifications/unread-count/").json() == {"count": 100}
    Notification.objects.filter(event_key__startswith="many-").update(read_at=timezone.now())
    assert api.get("/api/v1/notifications/unread-count/").json() == {"count": 1}


def test_api_errors_are_problems(api):
    assert_problem(api.get("/api/v1/notifications/", {"since": "yesterday"}), 400)
    theirs = delivered(UserFactory(), "x")
    assert_problem(api.post(f"/api/v1/notifications/{theirs.public_id}/read/"), 404)
    assert_problem(APIClient().get("/api/v1/notifications/"), 401)


def test_api_list_query_count_is_constant(api, resident, django_assert_num_queries):
    for key in range(5):
        delivered(resident, str(key))

    with django_assert_num_queries(1):
        api.get("/api/v1/notifications/")


def test_delivery_status_is_in_the_admin_for_superusers_only(client, resident, health_caseworker):
    from tests.factories import UserFactory as Users

    notification = delivered(resident, "a")
    admin = Users(is_staff=True, is_superuser=True)

    staff_login(client, admin)
    listing = client.get("/admin/notifications/notification/?status__exact=sent")
    assert listing.status_code == 200 and resident.email in listing.content.decode()
    assert client.get(f"/admin/notifications/notification/{notification.pk}/change/").status_code == 200
    staff_login(client, health_caseworker)
    assert client.get("/admin/notifications/notification/").status_code == 403
