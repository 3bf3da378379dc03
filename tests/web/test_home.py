import pytest

from tests.factories import ApplicationFactory, ServiceFactory
from tests.web.html import assert_accessible

pytestmark = pytest.mark.django_db


def test_home_shows_popular_services_and_the_residents_drafts(client, resident, health):
    """The home page offers search, popular services and "continue your draft"."""
    popular = ServiceFactory(department=health, title_en="Popular one", title_zh="热门服务")
    ApplicationFactory(service=popular, submitted=True)
    draft = ApplicationFactory(applicant=resident, service=ServiceFactory(department=health))
    client.force_login(resident)
    client.cookies["django_language"] = "en"

    response = client.get("/")

    assert_accessible(response)
    html = response.content.decode()
    assert 'role="search"' in html
    assert "Popular services" in html and "Popular one" in html
    assert "Continue your draft" in html and draft.get_absolute_url() in html


def test_anonymous_home_has_no_drafts(client, service):
    assert "drafts-title" not in client.get("/").content.decode()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_accessibility_statement_is_linked_from_every_page(client, language):
    client.cookies["django_language"] = language
    assert 'href="/accessibility/"' in client.get("/").content.decode()
    assert_accessible(client.get("/accessibility/"))
