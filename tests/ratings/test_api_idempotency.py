"""Rating from the app is a safe retry with an Idempotency-Key: the same request replays the first 201."""

import pytest
from rest_framework.test import APIClient

from services.ratings.models import Rating

pytestmark = pytest.mark.django_db


def test_a_retried_rating_replays_the_first_201(resident, application):
    """The same key and scores answer the first 201 again (not the 409 already_rated), and one rating exists."""
    api = APIClient()
    api.force_authenticate(resident)
    url = f"/api/v1/applications/{application.public_id}/ratings/"
    body = {"speed": 4, "clarity": 4, "attitude": 5}

    first = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="rate-1")
    again = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="rate-1")

    assert first.status_code == again.status_code == 201, first.content
    assert again["Idempotent-Replayed"] == "true"
    assert Rating.objects.count() == 1
