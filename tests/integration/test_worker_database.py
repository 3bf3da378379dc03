"""A worker whose database connections were cut (PostgreSQL restarted, or a proxy dropped them) runs its next task
at once on a new connection, instead of failing tasks until Celery's reuse limit closes the dead one."""

import pytest
from django.db import connection

from services.applications.models import Application, Status
from services.routing.tasks import route_application
from tests.factories import ApplicationFactory

from .conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.fault, pytest.mark.django_db(transaction=True)]


def _routed(application) -> bool:
    return Application.objects.filter(pk=application.pk).exclude(status=Status.SUBMITTED).exists()


def test_the_next_task_after_the_database_dropped_the_workers_connections_succeeds_first_time(
    publish_to_broker, routing_worker, service, resident
):
    """The routing worker routes one application (its connection is then kept); PostgreSQL ends every other
    connection to the test database, as a restart does; the next application is routed by its first attempt."""
    first = ApplicationFactory(applicant=resident, service=service, submitted=True)
    route_application.apply_async((first.pk,))
    wait_for(lambda: _routed(first), what="the first routing", workers=publish_to_broker)
    log_before = len(routing_worker.log.read_text())

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        [(cut,)] = cursor.fetchall()
    second = ApplicationFactory(applicant=resident, service=service, submitted=True)
    route_application.apply_async((second.pk,))
    wait_for(lambda: _routed(second), timeout=20, what="the second routing", workers=publish_to_broker)

    after = routing_worker.log.read_text()[log_before:]
    assert cut >= 1  # the workers' connections
    assert "retry" not in after.lower() and "OperationalError" not in after, after[-3000:]
