"""/healthz, /readyz, /livez: JSON for load balancers, Kubernetes and operators, 503 naming the failing check."""

from contextlib import nullcontext
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.migrations.recorder import MigrationRecorder

pytestmark = pytest.mark.django_db


def test_healthy_in_embedded_mode(client):
    """With tasks in-process, /healthz is 200 with the database ok and the broker 'in-process'."""
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "in-process", "queues": "in-process"},
    }
    assert "no-cache" in response["Cache-Control"]


def test_database_failure_is_a_json_503(client):
    """When the database cannot be queried, /healthz is a 503 JSON body naming the database, never an HTML 500."""
    with mock.patch("portal.health.connection") as connection:
        connection.cursor.side_effect = OperationalError("connection refused")
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"] == {"database": "error: OperationalError", "broker": "in-process", "queues": "in-process"}
    assert "connection refused" not in response.content.decode()  # no internals leak


def test_broker_is_checked_when_tasks_go_to_a_broker(client, settings):
    """With a broker configured, /healthz connects to it and reports 'ok'."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    broker = mock.MagicMock()
    with (
        mock.patch("portal.health.app.connection_for_write", return_value=nullcontext(broker)),
        mock.patch("portal.health.queue_ages", return_value={"routing": None, "sweeps": 2.0}),
    ):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "ok", "queues": "ok"}
    broker.ensure_connection.assert_called_once()


def test_broker_failure_is_a_json_503(client, settings):
    """An unreachable broker makes /healthz a 503 naming the broker."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    broker = mock.MagicMock()
    broker.ensure_connection.side_effect = ConnectionRefusedError
    with (
        mock.patch("portal.health.app.connection_for_write", return_value=nullcontext(broker)),
        mock.patch("portal.health.queue_ages", side_effect=ConnectionRefusedError),
    ):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": "ok",
        "broker": "error: ConnectionRefusedError",
        "queues": "error: ConnectionRefusedError",
    }


def test_readiness_adds_the_migrations_to_the_health_checks(client):
    """/readyz is 200 with the database, the broker and the migrations checked (the test database is migrated)."""
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "in-process", "migrations": "ok"},
    }
    assert "no-cache" in response["Cache-Control"]


def test_readiness_is_a_503_while_a_migration_is_not_applied(client, monkeypatch):
    """A pod whose code has a migration the database lacks (the migration Job has not run) is not ready."""
    monkeypatch.setattr("portal.health._migrated", False)
    MigrationRecorder.Migration.objects.filter(app="ratings").order_by("-id").first().delete()

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "error: RuntimeError"


def test_readiness_is_a_503_when_the_database_is_down(client):
    """The database down makes /readyz a 503 naming it (Kubernetes takes the pod out of the Service)."""
    with mock.patch("portal.health.connection") as connection:
        connection.cursor.side_effect = OperationalError("connection refused")
        response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "error: OperationalError"


def test_liveness_touches_neither_the_database_nor_the_broker(client, django_assert_num_queries):
    """/livez is 200 with no query even while the database is down: an outage must not restart every pod."""
    with mock.patch("portal.health.connection") as connection, django_assert_num_queries(0):
        connection.cursor.side_effect = OperationalError("connection refused")
        response = client.get("/livez")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
