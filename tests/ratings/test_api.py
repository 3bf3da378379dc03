import pytest
from rest_framework.test import APIClient

from services.ratings.models import Rating
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(resident):
    client = APIClient()
    client.force_authenticate(resident)
    return client


def url(application):
    return f"/api/v1/applications/{application.public_id}/ratings/"


def test_rate_and_list(api, application, health_supervisor):
    """POST rates the current step (201); GET lists it with its follow-up."""
    response = api.post(url(application), {"speed": 2, "clarity": 4, "attitude": 4, "comment": "Slow"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["step"] == "in_review"
    assert response.json()["follow_up"]["status"] == "open"
    listed = api.get(url(application)).json()
    assert [r["comment"] for r in listed] == ["Slow"]
    assert listed[0]["follow_up"]["contact_due"]


def test_good_rating_has_no_follow_up(api, application):
    response = api.post(url(application), {"speed": 5, "clarity": 5, "attitude": 5}, format="json")
    assert response.status_code == 201
    assert response.json()["follow_up"] is None


def test_second_rating_of_a_step_is_a_409_problem(api, application):
    """Stuffing is refused with a problem body, code already_rated."""
    body = {"speed": 5, "clarity": 5, "attitude": 5}
    assert api.post(url(application), body, format="json").status_code == 201
    response = api.post(url(application), body, format="json")
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "already_rated"
    assert Rating.objects.count() == 1


def test_bad_input_is_a_400_problem_with_fields(api, application):
    response = api.post(url(application), {"speed": 0, "clarity": "x", "extra": 1}, format="json")
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"speed", "clarity", "attitude"} <= fields or "extra" in fields


def test_another_residents_application_is_a_404(application):
    client = APIClient()
    client.force_authenticate(UserFactory())
    assert client.post(url(application), {"speed": 1, "clarity": 1, "attitude": 1}, format="json").status_code == 404
    assert client.get(url(application)).status_code == 404


def test_anonymous_is_401(application):
    assert APIClient().get(url(application)).status_code == 401
