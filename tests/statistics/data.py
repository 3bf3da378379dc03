"""Decided and rated applications for the statistics tests."""

import datetime as dt

from django.utils import timezone

from services.applications.models import Status
from services.ratings.models import Rating
from tests.factories import ApplicationFactory


def decided_applications(service, n: int, *, days_taken: int = 10, late_every: int = 0, scores=(4, 4, 5)):
    """``n`` applications to ``service`` submitted ``days_taken`` days ago and decided now (every
    ``late_every``-th after its due date), each rated once with ``scores`` (speed varied a little)."""
    now = timezone.now()
    for index in range(n):
        late = late_every and index % late_every == 0
        application = ApplicationFactory(
            service=service, approved=True, submitted_at=now - dt.timedelta(days=days_taken), decided_at=now,
            due_date=timezone.localdate() - dt.timedelta(days=1 if late else 0),
        )  # fmt: skip
        speed, clarity, attitude = scores
        Rating.objects.create(
            application=application, rater=application.applicant, step=Status.APPROVED,
            speed=max(1, min(5, speed + index % 3 - 1)), clarity=clarity, attitude=attitude,
        )  # fmt: skip
