import pytest
from django.urls import reverse

from services.ratings.actions import follow_up_resolve, rating_submit
from services.ratings.models import Rating
from tests.factories import UserFactory
from tests.web.html import assert_accessible

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["zh-hans", "en"])
def language_client(request, client):
    client.cookies["django_language"] = request.param
    return client


def test_application_page_offers_the_rating_form(language_client, resident, application):
    """The application page has the rating form, accessible in both languages."""
    language_client.force_login(resident)
    page = language_client.get(application.get_absolute_url())
    assert_accessible(page)
    assert reverse("ratings:rate", args=[application.public_id]) in page.content.decode()


def test_rating_from_the_web_then_no_form_for_that_step(client, resident, application):
    """Sending the form records the rating; the page then shows it instead of the form."""
    client.force_login(resident)
    url = reverse("ratings:rate", args=[application.public_id])
    response = client.post(url, {"speed": "5", "clarity": "4", "attitude": "5", "comment": "Good"})
    assert response.status_code == 302
    rating = Rating.objects.get(application=application)
    assert (rating.speed, rating.clarity, rating.attitude, rating.comment) == (5, 4, 5, "Good")
    html = client.get(application.get_absolute_url()).content.decode()
    assert url not in html
    assert client.post(url, {"speed": "1", "clarity": "1", "attitude": "1"}).status_code == 302
    assert Rating.objects.filter(application=application).count() == 1


def test_errors_keep_what_was_entered(language_client, resident, application):
    """A rating with a missing score comes back with the error summary and the comment kept."""
    language_client.force_login(resident)
    url = reverse("ratings:rate", args=[application.public_id])
    response = language_client.post(url, {"speed": "2", "comment": "Slow reply"})
    page = assert_accessible(response)
    assert set(page.error_ids) == {"id_clarity_error", "id_attitude_error"}
    assert "Slow reply" in response.content.decode()
    assert not Rating.objects.exists()


def test_someone_elses_application_is_not_found(client, application):
    """Another resident gets a 404 and cannot rate."""
    client.force_login(UserFactory())
    response = client.post(
        reverse("ratings:rate", args=[application.public_id]), {"speed": "1", "clarity": "1", "attitude": "1"}
    )
    assert response.status_code == 404
    assert not Rating.objects.exists()


def test_resident_sees_the_follow_up_outcome(en_client, resident, application, health_supervisor):
    """A bad rating shows its deadlines, then the supervisor's outcome."""
    follow_up = rating_submit(application=application, by=resident, speed=1, clarity=2, attitude=3).follow_up
    en_client.force_login(resident)
    html = en_client.get(application.get_absolute_url()).content.decode()
    assert "will contact you by" in html
    follow_up_resolve(follow_up=follow_up, by=health_supervisor, outcome="The caseworker will call you today.")
    html = en_client.get(application.get_absolute_url()).content.decode()
    assert "The caseworker will call you today." in html
