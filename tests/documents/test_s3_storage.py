"""Documents in S3-compatible object storage (django-storages' S3Storage, as deploy/k8s and compose.yaml set it),
against moto's S3 server on this machine: stored private under their random names, served only through the
portal's download view with its permission checks."""

import socket
import subprocess
import sys
import time
import uuid

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from services.documents.actions import document_upload
from tests.factories import UserFactory

from .files import pdf

pytestmark = pytest.mark.django_db

CREDENTIALS = {"aws_access_key_id": "portal-test", "aws_secret_access_key": "portal-test-secret"}


@pytest.fixture(scope="module")
def s3_endpoint():
    """moto's S3 server on a free local port (no internet, no account)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            assert server.poll() is None and time.monotonic() < deadline, "moto's S3 server did not start"
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait()


@pytest.fixture
def bucket(s3_endpoint):
    """A new private bucket, and a client to look into it as the storage's administrator would."""
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **CREDENTIALS)
    name = f"portal-documents-{uuid.uuid4().hex[:8]}"
    client.create_bucket(Bucket=name)
    return client, name


@pytest.fixture(autouse=True)
def document_storage(settings, s3_endpoint, bucket):
    """The documents' storage on the bucket (replaces the local folder of tests/documents/conftest.py)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket[1],
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "access_key": CREDENTIALS["aws_access_key_id"],
                "secret_key": CREDENTIALS["aws_secret_access_key"],
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
    }


def upload(owner, document_type, content: bytes):
    document, _ = document_upload(
        owner=owner,
        document_type=document_type,
        upload=SimpleUploadedFile("户口簿.pdf", content, content_type="application/pdf"),
    )
    return document


def test_an_upload_is_stored_in_the_bucket_privately(bucket, resident, id_card):
    """The bytes are in the bucket under the document's random name, and nobody but the owner account may read it."""
    client, name = bucket
    content = pdf(pages=2)

    document = upload(resident, id_card, content)

    stored = client.get_object(Bucket=name, Key=document.stored_name)["Body"].read()
    assert stored == content and "户口簿" not in document.stored_name
    grants = client.get_object_acl(Bucket=name, Key=document.stored_name)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]
    assert "URI" not in grants[0]["Grantee"]  # no AllUsers or AuthenticatedUsers grant: not public


def test_the_bucket_keeps_the_sniffed_type_never_the_clients_claim(bucket, resident, id_card):
    """The upload itself is sent to the bucket (no copy in memory first), with the type sniffed from its bytes."""
    client, name = bucket
    claimed = SimpleUploadedFile("户口簿.pdf", pdf(pages=1), content_type="text/html")

    document, _ = document_upload(owner=resident, document_type=id_card, upload=claimed)

    assert client.head_object(Bucket=name, Key=document.stored_name)["ContentType"] == "application/pdf"


def test_downloads_go_through_the_portal_with_its_permission_checks(client, resident, id_card, upload_processed):
    """Once processed (read from the bucket by the documents queue), the owner gets the bytes from the bucket through
    the download view; another resident gets a 404."""
    content = pdf(pages=1)
    document, _ = upload_processed(resident, id_card, "户口簿.pdf", content)
    url = f"/documents/{document.public_id}/download/"

    client.force_login(resident)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Cache-Control"] == "no-store"

    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
