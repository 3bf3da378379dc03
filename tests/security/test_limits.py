"""Costly operations are limited per account and per address (data exports, uploads, answers kept for signed-out
visitors, searches), and failed logins cannot lock the owner out: they lock an (account, address) pair and slow the
account down progressively, and the owner is told."""

import time
import uuid

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from services.accounts.models import DataExport
from tests.api.problems import assert_problem
from tests.documents.files import pdf

pytestmark = pytest.mark.django_db

LOGIN = "/api/auth/app/v1/auth/login"
PASSWORD = "correct-horse-battery"


def test_data_exports_are_limited_per_day(resident_client, resident, settings):
    """A few exports a day; the one being prepared is returned rather than started again; then a 429."""
    settings.DATA_EXPORTS_PER_DAY = 2
    first = resident_client.post("/api/v1/me/export/")
    again = resident_client.post("/api/v1/me/export/")  # still being prepared: the same one
    DataExport.objects.update(status=DataExport.Status.READY)
    second = resident_client.post("/api/v1/me/export/")
    DataExport.objects.update(status=DataExport.Status.READY)

    refused = resident_client.post("/api/v1/me/export/")

    assert first.status_code == again.status_code == second.status_code == 202
    assert again.json()["id"] == first.json()["id"] != second.json()["id"]
    assert_problem(refused, 429, "throttled")
    assert DataExport.objects.filter(user=resident).count() == 2


def test_the_web_says_when_the_exports_of_the_day_are_used_up(client, resident, settings):
    settings.DATA_EXPORTS_PER_DAY = 0
    client.force_login(resident)

    response = client.post("/profile/export/", follow=True, HTTP_ACCEPT_LANGUAGE="en")

    assert "Try again tomorrow" in response.content.decode()
    assert not DataExport.objects.exists()


def _upload(client, name: str, data: bytes, id_card):
    file = SimpleUploadedFile(name, data, content_type="application/pdf")
    return client.post("/api/v1/documents/", {"file": file, "document_type": id_card.code}, format="multipart")


def test_uploads_are_limited_in_files_per_hour(resident_client, settings, id_card):
    settings.UPLOAD_FILES_RATE = "2/hour"

    statuses = [_upload(resident_client, f"scan-{n}.pdf", pdf(n + 1), id_card).status_code for n in range(2)]
    refused = _upload(resident_client, "scan-3.pdf", pdf(3), id_card)

    assert statuses == [201, 201]
    assert_problem(refused, 429, "throttled")


def test_uploads_are_limited_in_bytes_per_hour(resident_client, settings, id_card):
    settings.UPLOAD_BYTES_RATE = "1000/hour"
    big = pdf(20)
    assert len(big) > 1000

    assert_problem(_upload(resident_client, "big.pdf", big, id_card), 429, "throttled")


def test_answers_posted_signed_out_are_kept_in_few_sessions_per_address(client, settings):
    """Anyone may post to a form step; what is kept for after the sign-in fills at most a few sessions per
    address (it filled a new 100 KB session on every post)."""
    settings.SIGNED_OUT_ANSWERS_RATE = "2/hour"
    url = reverse("applications:step", kwargs={"public_id": uuid.uuid4(), "key": "answers"})

    for _ in range(4):
        client.cookies.clear()
        assert client.post(url, {"full_name": "x" * 50_000}).status_code == 302

    assert Session.objects.count() == 2


def test_searches_are_limited_per_address(client, settings):
    settings.SEARCH_RATE = "2/hour"

    statuses = [client.get("/services/", {"q": "unemployment"}).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def _login(email: str, password: str, address: str) -> int:
    body = {"email": email, "password": password}
    return APIClient().post(LOGIN, body, format="json", REMOTE_ADDR=address).status_code


def test_failed_logins_lock_the_address_not_the_owner(resident, settings):
    """A stranger's wrong passwords lock the stranger's address out of the account; the owner still signs in."""
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "100/m/ip,3/5m/key"}

    stranger = [_login(resident.email, "wrong-password", "198.51.100.9") for _ in range(4)]

    assert stranger == [400, 400, 400, 429]
    assert _login(resident.email, PASSWORD, "203.0.113.7") == 200


def test_failures_from_many_addresses_slow_the_account_down_and_tell_the_owner(resident, settings):
    """Past LOGIN_FAILURES_BEFORE_SLOWDOWN failures from anywhere, each try waits longer (1 s, 2 s, ...), never
    locked for good, and the owner is emailed once."""
    settings.LOGIN_FAILURES_BEFORE_SLOWDOWN = 3

    failures = [_login(resident.email, "wrong-password", f"198.51.100.{n}") for n in range(3)]
    too_soon = _login(resident.email, PASSWORD, "203.0.113.7")
    time.sleep(1.1)
    later = _login(resident.email, PASSWORD, "203.0.113.7")

    assert failures == [400, 400, 400]
    assert too_soon == 429 and later == 200
    (message,) = mail.outbox
    assert message.to == [resident.email] and "3" in message.body
