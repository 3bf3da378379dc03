import datetime as dt
import io
import json
import zipfile

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from services.accounts.actions import data_export_purge_expired, data_export_start
from services.accounts.models import DataExport
from services.accounts.tasks import build_data_export, sweep_data_exports
from services.common.storage import private_storage
from tests.factories import ApplicationFactory, ResidentProfileFactory, UserFactory
from tests.web.html import assert_accessible

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident_with_data(service):
    profile = ResidentProfileFactory()
    ApplicationFactory(applicant=profile.user, service=service, in_review=True)
    return profile.user


def _zip(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_web_export_is_built_in_the_background_and_downloaded_by_its_owner(
    client, resident_with_data, django_capture_on_commit_callbacks
):
    """Starting an export queues the build; the status page refreshes until ready; only the owner downloads."""
    client.force_login(resident_with_data)
    assert_accessible(client.get("/profile/export/"))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/profile/export/")
    export = DataExport.objects.get(user=resident_with_data)
    assert response.url == f"/profile/export/{export.public_id}/"
    waiting = client.get(response.url)
    assert_accessible(waiting)
    assert '<meta http-equiv="refresh" content="5">' in waiting.content.decode()

    for callback in callbacks:
        callback()  # the Celery task, run in-process

    ready = client.get(response.url)
    assert 'http-equiv="refresh"' not in ready.content.decode()
    download = client.get(f"/profile/export/{export.public_id}/download/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    data = json.loads(_zip(download).read("data.json"))
    assert data["profile"]["legal_name"] == "李雷"
    assert len(data["applications"]) == 1

    client.force_login(UserFactory())
    assert client.get(f"/profile/export/{export.public_id}/download/").status_code == 404
    assert client.get(f"/profile/export/{export.public_id}/").status_code == 404


def test_expired_exports_are_gone(client, resident_with_data, django_capture_on_commit_callbacks):
    client.force_login(resident_with_data)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/profile/export/")
    export = DataExport.objects.get()
    DataExport.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(f"/profile/export/{export.public_id}/download/").status_code == 404
    assert data_export_purge_expired() == 1
    assert not DataExport.objects.exists()


def test_api_export_start_status_download(resident_with_data, django_capture_on_commit_callbacks):
    """POST /me/export/ answers 202 with the status; when ready, the download link gives the zip."""
    api = APIClient()
    api.force_authenticate(resident_with_data)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        started = api.post("/api/v1/me/export/")
    assert started.status_code == 202
    body = started.json()
    assert body["status"] == "pending" and body["download"] is None
    not_ready = api.get(f"/api/v1/me/export/{body['id']}/download/")
    assert not_ready.status_code == 409 and not_ready.json()["code"] == "not_ready"
    for callback in callbacks:
        callback()
    status = api.get(f"/api/v1/me/export/{body['id']}/").json()
    assert status["status"] == "ready" and status["progress"] == 100
    download = api.get(f"/api/v1/me/export/{body['id']}/download/")
    assert download.status_code == 200
    assert "data.json" in _zip(download).namelist()

    other = APIClient()
    other.force_authenticate(UserFactory())
    assert other.get(f"/api/v1/me/export/{body['id']}/").status_code == 404


def test_a_ready_export_whose_file_is_lost_is_a_404_on_the_web_and_in_the_api(
    client, resident_with_data, django_capture_on_commit_callbacks
):
    """A ready export whose zip the storage no longer has answers 404 (a problem body in the API), never a 500."""
    client.force_login(resident_with_data)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/profile/export/")
    export = DataExport.objects.get()
    assert export.status == DataExport.Status.READY
    private_storage().delete(export.stored_name)

    assert client.get(f"/profile/export/{export.public_id}/download/").status_code == 404
    api = APIClient()
    api.force_authenticate(resident_with_data)
    response = api.get(f"/api/v1/me/export/{export.public_id}/download/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")


def _touched(export: DataExport, *, ago: dt.timedelta, status=DataExport.Status.PENDING) -> None:
    DataExport.objects.filter(pk=export.pk).update(status=status, updated_at=timezone.now() - ago)


def test_an_export_whose_build_was_lost_is_built_by_the_sweep(resident_with_data, settings):
    """An export left pending (its message lost), or running with its worker gone, untouched for longer than
    DATA_EXPORT_SWEEP_AFTER_SECONDS, is published again and built, instead of blocking a new one for 7 days."""
    settings.DATA_EXPORT_SWEEP_AFTER_SECONDS = 600
    lost = data_export_start(user=resident_with_data)  # its message never runs: the test transaction never commits
    died = data_export_start(user=UserFactory())
    _touched(lost, ago=dt.timedelta(minutes=11))
    _touched(died, ago=dt.timedelta(minutes=11), status=DataExport.Status.RUNNING)

    assert sweep_data_exports.apply().get() == 2

    assert set(DataExport.objects.values_list("status", "progress")) == {(DataExport.Status.READY, 100)}


def test_an_export_being_built_is_not_built_twice(resident_with_data, settings):
    """A pending or running export touched within DATA_EXPORT_SWEEP_AFTER_SECONDS is left alone by the sweep, and
    a second message for one running (the sweep's, say, while the first waited in a long queue) does nothing."""
    settings.DATA_EXPORT_SWEEP_AFTER_SECONDS = 600
    waiting = data_export_start(user=resident_with_data)
    running = data_export_start(user=UserFactory())
    _touched(waiting, ago=dt.timedelta(minutes=9))
    _touched(running, ago=dt.timedelta(minutes=9), status=DataExport.Status.RUNNING)

    assert sweep_data_exports.apply().get() == 0
    build_data_export.apply(args=[running.pk])

    running.refresh_from_db()
    assert (running.status, running.stored_name) == (DataExport.Status.RUNNING, "")
    assert DataExport.objects.get(pk=waiting.pk).status == DataExport.Status.PENDING
