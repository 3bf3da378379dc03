"""An API request finds its signed-in user in the cache (no query), yet a deactivated account, a changed password, a
logout and an ended session are refused at the very next request."""

import uuid

import pytest
import redis
from django.core.cache import cache, caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_redis.cache import RedisCache
from rest_framework.test import APIClient

from services.api import session_users
from services.api.throttling import UserRateThrottle
from tests.factories import ApplicationFactory, UserFactory

from .test_auth_flows import AUTH, PASSWORD, login, token_of
from .test_throttle_counting import redis_location

pytestmark = pytest.mark.django_db

MINE = "/api/v1/applications/"


@pytest.fixture
def redis_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": redis_location(),
            "KEY_PREFIX": f"session-user-test-{uuid.uuid4().hex}",
        }
    }
    yield
    cache.clear()


@pytest.fixture(params=["memory", "redis"])
def either_cache(request):
    """Each refusal is checked on the cache in memory and on Redis (where one round trip reads it all)."""
    if request.param == "redis":
        request.getfixturevalue("redis_cache")


def signed_in(resident) -> tuple[APIClient, str]:
    """Log the app in, and let a first request keep the user (the login's own save of the user stops that for a
    while: the cache starts empty here instead)."""
    token = token_of(login(APIClient(), resident.email))
    cache.clear()
    app = APIClient(headers={"x-session-token": token})
    assert app.get(MINE).status_code == 200
    return app, token


def test_my_applications_costs_one_query_once_the_user_is_kept(resident, service):
    """GET /api/v1/applications/ reads only the applications: the user comes from the cache."""
    ApplicationFactory.create_batch(3, applicant=resident, service=service)
    app, _token = signed_in(resident)

    with CaptureQueriesContext(connection) as queries:
        response = app.get(MINE)

    assert response.status_code == 200 and len(response.json()["results"]) == 3
    assert len(queries) == 1, [query["sql"] for query in queries]
    assert "applications_application" in queries[0]["sql"]


def test_a_deactivated_user_is_refused_at_once(either_cache, resident):
    app, _token = signed_in(resident)

    resident.is_active = False
    resident.save()

    assert app.get(MINE).status_code == 401


def test_a_changed_password_ends_the_other_sessions_at_once(either_cache, resident):
    """The app changes its password on one session: the account's other token is refused at its next request."""
    app, _token = signed_in(resident)
    other = token_of(login(APIClient(), resident.email))
    assert app.get(MINE).status_code == 200  # kept again after the second login's save

    changed = APIClient().post(
        f"{AUTH}/account/password/change",
        {"current_password": PASSWORD, "new_password": "a-brand-new-passphrase"},
        format="json",
        HTTP_X_SESSION_TOKEN=other,
    )

    resident.refresh_from_db()
    assert changed.status_code == 401, changed.content  # changed, and this session logged out too (allauth's choice)
    assert resident.check_password("a-brand-new-passphrase")
    assert app.get(MINE).status_code == 401


def test_a_password_set_elsewhere_is_refused_at_once(either_cache, resident):
    """A password set outside the app (the web, the admin, a reset) ends the token too."""
    app, _token = signed_in(resident)

    resident.set_password("set-in-the-admin-2026")
    resident.save()

    assert app.get(MINE).status_code == 401


def test_a_logged_out_token_is_refused_at_once(either_cache, resident):
    app, token = signed_in(resident)

    logged_out = APIClient().delete(f"{AUTH}/auth/session", HTTP_X_SESSION_TOKEN=token)

    assert logged_out.status_code == 401  # allauth's answer to a logout: no longer authenticated
    assert app.get(MINE).status_code == 401


def test_an_ended_session_is_refused_at_once(either_cache, resident):
    app, _token = signed_in(resident)
    mine = token_of(login(APIClient(), resident.email))
    sessions = APIClient().get(f"{AUTH}/auth/sessions", HTTP_X_SESSION_TOKEN=mine).json()["data"]
    assert app.get(MINE).status_code == 200

    ended = APIClient().delete(
        f"{AUTH}/auth/sessions",
        {"sessions": [s["id"] for s in sessions if not s["is_current"]]},
        format="json",
        HTTP_X_SESSION_TOKEN=mine,
    )

    assert ended.status_code == 200
    assert app.get(MINE).status_code == 401


def test_a_kept_user_is_never_put_back_over_a_change(resident):
    """A request that read the user before a change cannot keep that old copy afterwards."""
    key = session_users._key(resident.pk)
    old = session_users._snapshot(resident)

    session_users.user_changed(user_id=resident.pk)
    cache.add(key, old, 300)  # what a request that read the row before the change would try

    assert cache.get(key) == session_users.INVALIDATED


def test_the_kept_user_has_no_password_and_saves_only_what_it_holds(resident):
    """The copy keeps the session hash, never the password; saving it cannot overwrite the password."""
    snapshot = session_users._snapshot(resident)
    user = session_users._user_from(snapshot)
    user.save()

    resident.refresh_from_db()
    assert "password" not in snapshot
    assert resident.check_password(PASSWORD)


def test_on_redis_a_signed_in_request_is_one_round_trip(redis_cache, resident, monkeypatch):
    """On Redis a signed-in request reads its session, its user and its throttle count in one round trip (once a
    request has noted the session's user), and the request is counted once."""
    app, _token = signed_in(resident)
    assert app.get(MINE).status_code == 200  # the session's user noted beside it
    trips = []
    real = redis.connection.AbstractConnection.send_packed_command
    monkeypatch.setattr(
        redis.connection.AbstractConnection,
        "send_packed_command",
        lambda self, *args, **kwargs: trips.append(1) or real(self, *args, **kwargs),
    )
    throttle = UserRateThrottle()

    with CaptureQueriesContext(connection) as queries:
        assert app.get(MINE).status_code == 200
    round_trips = len(trips)
    counted = cache.get(throttle.window_key(throttle.account_key(resident.pk)))

    assert isinstance(caches["default"], RedisCache)
    assert round_trips == 1
    assert len(queries) == 1
    assert counted == 3  # the two warm-up requests and this one, each once


def test_a_wrong_user_noted_beside_the_session_is_not_believed(redis_cache, resident):
    """The session says whose it is: a user id noted beside it that says otherwise is overruled, and the other
    account's allowance is given back."""
    other_resident = UserFactory()
    app, token = signed_in(resident)
    throttle = UserRateThrottle()
    cache.client.get_client(write=True).set(cache.make_and_validate_key(f"session-user-id:{token}"), other_resident.pk)
    cache.set(session_users._key(other_resident.pk), session_users._snapshot(other_resident), 300)

    response = app.get(MINE)

    assert response.status_code == 200
    assert cache.get(throttle.window_key(throttle.account_key(other_resident.pk))) == 0
    assert cache.get(throttle.window_key(throttle.account_key(resident.pk))) == 2
    mine = ApplicationFactory(applicant=resident)
    assert [row["id"] for row in app.get(MINE).json()["results"]] == [str(mine.public_id)]
