"""Documents and notifications with real services: ClamAV's clamd (with the EICAR test signature), and a
Celery worker for the documents and notifications queues on PostgreSQL and Redis."""

import json
import os
import shutil
import socket
import subprocess
import time
import uuid

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from services.documents.models import Document, ScanStatus
from services.documents.scanning import ClamdScanner
from services.notifications.models import Channel, DeliveryStatus, Event, Notification
from services.notifications.tasks import deliver_notification
from tests.conftest import unavailable
from tests.documents.files import EICAR, pdf
from tests.factories import ApplicationFactory, DocumentTypeFactory, ResidentProfileFactory

from .conftest import Worker, wait_for, worker_env

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

CLAMD = os.environ.get("CLAMD_BINARY", "/usr/sbin/clamd")


def clamd_ping(path: str) -> bool:
    try:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(2)
            sock.connect(path)
            sock.sendall(b"zPING\0")
            return sock.recv(16).startswith(b"PONG")
    except OSError:
        return False


@pytest.fixture(scope="module")
def clamd_url(tmp_path_factory):
    """A clamd of this run on a unix socket, its database one local signature: EICAR (no download needed).

    CLAMD_URL in the environment points at a running clamd instead (e.g. one with the full signature set).
    """
    if os.environ.get("CLAMD_URL"):
        yield os.environ["CLAMD_URL"]
        return
    if not shutil.which(CLAMD) and not os.path.exists(CLAMD):
        unavailable(f"the virus-scan tests need clamd at {CLAMD} (apt-get install clamav-daemon)")
    folder = tmp_path_factory.mktemp("clamd")
    (folder / "db").mkdir()
    (folder / "db" / "portal-test.ndb").write_text(f"Portal.Test.EICAR:0:*:{EICAR.hex()}\n")
    socket_path = folder / "clamd.sock"
    (folder / "clamd.conf").write_text(
        f"LocalSocket {socket_path}\nDatabaseDirectory {folder / 'db'}\nForeground yes\n"
        f"LogFile {folder / 'clamd.log'}\nStreamMaxLength 25M\n"
    )
    process = subprocess.Popen(
        [CLAMD, f"--config-file={folder / 'clamd.conf'}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while not clamd_ping(str(socket_path)):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            log = (folder / "clamd.log").read_text() if (folder / "clamd.log").exists() else ""
            pytest.fail(f"clamd did not start:\n{log[-2000:]}")
        time.sleep(0.2)
    yield f"unix://{socket_path}"
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="module")
def shared_folders(tmp_path_factory):
    return {"documents": tmp_path_factory.mktemp("documents"), "outbox": tmp_path_factory.mktemp("outbox")}


@pytest.fixture(scope="module")
def documents_worker(real_services, clamd_url, shared_folders):
    """A worker for the documents and notifications queues: it scans with the clamd above, reads the
    documents from the folder this test process writes them to, and writes each email to a file."""
    env = {
        **worker_env(real_services),
        "DOCUMENT_SCANNER": "clamd",
        "CLAMD_URL": clamd_url,
        "DOCUMENTS_STORAGE_OPTIONS": json.dumps({"location": str(shared_folders["documents"])}),
        "EMAIL_URL": f"filemail:///{shared_folders['outbox']}",  # environ drops the first slash of the path
    }
    worker = Worker(env, "documents,notifications", "documents-notifications").start()
    yield worker
    worker.stop()


@pytest.fixture
def on_the_worker(publish_to_broker, documents_worker, shared_folders, settings, clamd_url):
    """This test process publishes to Redis and shares the worker's document folder and scanner."""
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": shared_folders["documents"]},
        },
    }
    settings.DOCUMENT_SCANNER, settings.CLAMD_URL = "clamd", clamd_url
    return [*publish_to_broker, documents_worker]


def test_clamd_finds_eicar_and_passes_a_clean_file(clamd_url):
    scanner = ClamdScanner(clamd_url)

    assert scanner.scan(pdf(1)).clean
    verdict = scanner.scan(EICAR)
    assert not verdict.clean and "EICAR" in verdict.finding


def test_uploads_are_scanned_by_the_worker_and_eicar_is_refused(on_the_worker, resident, service, health_caseworker):
    """Upload on the web → pending → the worker's clamd scan: the clean PDF opens, the one carrying the EICAR
    test string is refused, its bytes deleted, and nobody can open it."""
    id_card = DocumentTypeFactory()
    web = Client()
    web.force_login(resident)
    files = [
        ("clean.pdf", pdf(1)),
        ("eicar.pdf", pdf(2) + b"\n" + EICAR + b"\n"),  # a real PDF with the test string after its end
    ]
    response = web.post(
        "/documents/",
        {"document_type": id_card.pk, "files": [SimpleUploadedFile(name, data) for name, data in files]},
    )
    assert response.status_code == 302
    assert Document.objects.count() == 2  # pending at first: the worker may already have checked them

    wait_for(
        lambda: not Document.objects.filter(scan_status=ScanStatus.PENDING).exists(),
        what="the worker to scan both uploads",
        workers=on_the_worker,
    )
    clean, infected = Document.objects.get(original_name="clean.pdf"), Document.objects.get(original_name="eicar.pdf")
    assert clean.scan_status == ScanStatus.CLEAN
    assert (infected.scan_status, infected.scan_finding) == (ScanStatus.INFECTED, "Portal.Test.EICAR.UNOFFICIAL")
    assert not storages["documents"].exists(infected.stored_name)
    assert web.get(f"/documents/{clean.public_id}/download/").status_code == 200
    assert web.get(f"/documents/{infected.public_id}/download/").status_code == 409


def test_a_redelivered_notification_task_sends_one_email(on_the_worker, shared_folders):
    """The same delivery task (one task id) delivered three times to a real worker sends one email."""
    resident = ResidentProfileFactory(preferred_language="zh-hans").user
    application = ApplicationFactory(applicant=resident)
    notification = Notification.objects.create(
        recipient=resident,
        event=Event.SUBMITTED,
        event_key=f"application-event:{uuid.uuid4()}",
        channel=Channel.EMAIL,
        payload={"reference": application.reference, "service": {"zh": "家庭医生签约", "en": "Family doctor"}},
    )
    task_id = str(uuid.uuid4())
    for _ in range(3):
        deliver_notification.apply_async((notification.pk,), task_id=task_id)

    worker = on_the_worker[-1]
    wait_for(
        lambda: worker.log.read_text().count(f"deliver_notification[{task_id}] succeeded") == 3,
        what="the worker to run the delivery three times",
        workers=[worker],
    )
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (DeliveryStatus.SENT, 1)
    emails = [path.read_text() for path in shared_folders["outbox"].iterdir()]
    mine = [text for text in emails if f"<{notification.public_id}@" in text]
    assert len(mine) == 1
    assert "=?utf-8?" in mine[0]  # the Chinese subject, encoded
