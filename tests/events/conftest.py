import pytest

from services.events.models import Subscription

from .receiver import Receiver


@pytest.fixture
def receiver(settings):
    """A local receiver on an allowed host, answering 200."""
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    settings.WEBHOOK_RETRY_SCHEDULE = [0, 0, 0]
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def subscription(receiver):
    return Subscription.objects.create(name="Health case system", url=receiver.url)
