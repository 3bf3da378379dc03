"""/healthz: a JSON answer for load balancers and operators, 503 naming the failing check."""

from contextlib import nullcontext
from unittest import mock

import pytest
from django.db import OperationalError

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
