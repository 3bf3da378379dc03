"""Uploads: the matrix of good and hostile files, through the action, the web wallet and the API.

Every file is either accepted or refused with a message naming it; never a 500, and a refusal stores nothing.
"""

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image
from rest_framework.test import APIClient

from services.common.errors import ValidationFailed
from services.common.storage import private_storage
from services.documents.actions import document_upload
from services.documents.models import Document, ScanStatus
from services.notifications.models import Event, Notification
from tests.api.problems import assert_problem
from tests.web.html import assert_accessible

from .conftest import stored_files
from .files import ELF, HTML, SVG, image, pdf, zip_bytes

pytestmark = pytest.mark.django_db

ACCEPTED = {
    # name sent → (bytes, name kept, content type stored)
    "scan.pdf": (pdf(2), "scan.pdf", "application/pdf"),
    "photo.jpg": (image("JPEG"), "photo.jpg", "image/jpeg"),
    "card.PNG": (image("PNG"), "card.PNG", "image/png"),
    "IMG_0001.HEIC": (image("HEIF"), "IMG_0001.jpg", "image/jpeg"),
    "../../etc/passwd.pdf": (pdf(1), "passwd.pdf", "application/pdf"),
    "身份证 正面.pdf": (pdf(1), "身份证 正面.pdf", "application/pdf"),
}
REFUSED = {
    # name → (bytes, words of the message)
    "setup.pdf": (ELF, "is not a PDF, JPEG, PNG or HEIC file"),
    "page.png": (HTML, "is not a PDF, JPEG, PNG or HEIC file"),
    "drawing.png": (SVG, "is not a PDF, JPEG, PNG or HEIC file"),
    "empty.pdf": (b"", "is empty"),
    "polyglot.pdf": (pdf(1) + zip_bytes(), "has another file hidden inside it"),
    "../../etc/passwd": (b"root:x:0:0:root:/root:/bin/bash\n", "is not a PDF, JPEG, PNG or HEIC file"),
    "photo.png": (image("JPEG"), "does not match its content, which is JPEG"),
    "noextension": (pdf(1), "does not match its content, which is PDF"),
}
PHOTO = image("JPEG", size=(600, 400), gps=False)
# Refused by the documents queue, once the upload has answered: name → (bytes, words of the message, code).
REFUSED_IN_PROCESSING = {
    "locked.pdf": (pdf(1, password="secret"), "is protected with a password", "protected"),
    "broken.pdf": (b"%PDF-1.7\n" + b"\0" * 50, "is damaged or incomplete", "damaged"),
    "truncated.jpg": (PHOTO[: len(PHOTO) // 2], "is damaged or incomplete", "damaged"),
}


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.mark.parametrize("name", list(ACCEPTED))
def test_accepted_files_are_stored_under_a_random_name(resident, id_card, document_storage, upload_processed, name):
    """Valid PDF, JPEG, PNG and HEIC files are kept, with a safe display name, a sniffed type and a sha256 of what
    was uploaded; once processed, only the cleaned file is left."""
    data, kept_name, content_type = ACCEPTED[name]

    document, created = upload_processed(resident, id_card, name, data)

    assert created
    assert (document.original_name, document.content_type) == (kept_name, content_type)
    assert document.scan_status == ScanStatus.CLEAN  # scanning is switched off in these tests
    [path] = stored_files(document_storage)
    assert path.name == document.stored_name and len(path.stem.split("-")[0]) == 32  # nothing of the name given
    assert document.sha256 == hashlib.sha256(data).hexdigest() and document.size == path.stat().st_size


@pytest.mark.parametrize("name", list(REFUSED_IN_PROCESSING))
def test_files_refused_in_processing_are_deleted_and_the_owner_told(
    resident, id_card, document_storage, upload_processed, name
):
    """The upload answers pending; the documents queue refuses the file with a code (worded when shown, in the
    reader's language), deletes its bytes and tells the owner why in their inbox."""
    data, words, code = REFUSED_IN_PROCESSING[name]

    document, created = upload_processed(resident, id_card, name, data)

    assert created and (document.scan_status, document.refusal) == (ScanStatus.REFUSED, code)
    assert words in document.refusal_text and name in document.refusal_text
    assert not stored_files(document_storage)
    [message] = Notification.objects.filter(recipient=resident, event=Event.DOCUMENT_REFUSED, channel="in_app")
    assert words in message.payload["reason"]["en"] and "“" + name + "”" in message.payload["reason"]["zh"]
    with translation.override("zh-hans"):
        assert document.refusal_text == message.payload["reason"]["zh"]
    assert not Document.objects.usable().exists()


@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_files_name_the_file_and_store_nothing(resident, id_card, document_storage, name):
    data, words = REFUSED[name]

    with pytest.raises(ValidationFailed) as refused:
        document_upload(owner=resident, document_type=id_card, upload=upload(name, data))

    assert words in str(refused.value)
    assert refused.value.errors["file"] == [str(refused.value)]
    assert not Document.objects.exists()
    assert not stored_files(document_storage)


def test_one_byte_over_the_limit_is_refused(resident, id_card, document_storage, settings):
    """The limit is DOCUMENT_MAX_BYTES (10 MB by default): one byte more is refused, and nothing is stored."""
    assert settings.DOCUMENT_MAX_BYTES == 10 * 1024 * 1024
    data = pdf(1)
    too_big = data + b" " * (settings.DOCUMENT_MAX_BYTES + 1 - len(data))

    with pytest.raises(ValidationFailed, match="is larger than 10.0\xa0MB"):
        document_upload(owner=resident, document_type=id_card, upload=upload("big.pdf", too_big))

    assert not Document.objects.exists() and not stored_files(document_storage)


def test_exactly_the_limit_is_accepted(resident, id_card, settings, upload_processed):
    data = pdf(1)
    settings.DOCUMENT_MAX_BYTES = len(data)

    document, created = upload_processed(resident, id_card, "fits.pdf", data)

    assert created and document.size == len(data)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "HEIF"])
def test_images_lose_their_metadata_and_stand_upright(resident, id_card, fmt, upload_processed):
    """EXIF (the GPS position included) is gone from the stored image; its orientation was applied first."""
    name = {"JPEG": "a.jpg", "PNG": "a.png", "HEIF": "a.heic"}[fmt]

    document, _ = upload_processed(resident, id_card, name, image(fmt))

    with private_storage().open(document.stored_name) as file:
        stored = file.read()
    picture = Image.open(io.BytesIO(stored))
    assert not picture.getexif()
    assert b"PhoneMaker" not in stored and b"Exif" not in stored
    assert picture.size == (40, 60)  # the 60×40 photo was taken sideways (orientation 6)


def test_control_characters_never_reach_the_name(resident, id_card):
    """CR, LF, NUL and bidi overrides are removed from the display name (no header injection, no spoofing)."""
    document, _ = document_upload(
        owner=resident, document_type=id_card, upload=upload("a\r\nSet-Cookie: x=1\x00\u202egpj.pdf", pdf(1))
    )

    assert document.original_name == "aSet-Cookie: x=1gpj.pdf"


def test_the_same_file_twice_is_stored_once(resident, id_card, document_storage):
    """A second upload of the same bytes by the same owner returns the first document."""
    first, created = document_upload(owner=resident, document_type=id_card, upload=upload("a.pdf", pdf(1)))
    again, created_again = document_upload(owner=resident, document_type=id_card, upload=upload("b.pdf", pdf(1)))

    assert (created, created_again) == (True, False)
    assert again == first
    assert len(stored_files(document_storage)) == 1


def test_another_owner_may_upload_the_same_file(resident, id_card):
    from tests.factories import UserFactory

    document_upload(owner=resident, document_type=id_card, upload=upload("a.pdf", pdf(1)))
    _, created = document_upload(owner=UserFactory(), document_type=id_card, upload=upload("a.pdf", pdf(1)))

    assert created


def test_an_expired_document_is_refused(resident, id_card):
    with pytest.raises(ValidationFailed) as refused:
        document_upload(
            owner=resident,
            document_type=id_card,
            upload=upload("old-id.pdf", pdf(1)),
            expires_on=timezone.localdate() - timezone.timedelta(days=1),
        )

    assert "expired on" in refused.value.errors["expires_on"][0]


# --- The web wallet -------------------------------------------------------------------------------


def post_files(client, files, **data):
    return client.post("/documents/", {"document_type": data.pop("document_type"), "files": files, **data})


@pytest.mark.parametrize("name", list(REFUSED))
def test_web_refusals_are_shown_on_the_form(client, resident, id_card, document_storage, name):
    """The wallet page shows the message next to the files field, accessibly; nothing stored, no 500."""
    client.force_login(resident)
    client.cookies["django_language"] = "en"
    data, words = REFUSED[name]

    response = post_files(client, [upload(name, data)], document_type=id_card.pk)

    assert_accessible(response)
    assert words in response.content.decode()
    assert 'id="id_files_error"' in response.content.decode()
    assert not Document.objects.exists() and not stored_files(document_storage)


def test_web_upload_of_several_files_gives_a_receipt_for_each(client, resident, id_card):
    """Several files at once: each gets its receipt ("Received …, 1 KB: it is being checked …"), the good ones are
    kept even when another is refused, and the refused one is named."""
    client.force_login(resident)
    client.cookies["django_language"] = "en"
    files = [upload("front.jpg", image("JPEG")), upload("scan.pdf", pdf(2)), upload("virus.pdf", ELF)]

    response = post_files(client, files, document_type=id_card.pk, expires_on="2099-01-31")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Received “scan.pdf”, " in html and "it is being checked" in html
    assert "Received “front.jpg”, " in html
    assert "“virus.pdf” is not a PDF" in html
    assert sorted(Document.objects.values_list("original_name", flat=True)) == ["front.jpg", "scan.pdf"]
    assert set(Document.objects.values_list("expires_on", flat=True)) == {timezone.datetime(2099, 1, 31).date()}


def test_web_upload_redirects_with_the_receipt(client, resident, id_card, django_capture_on_commit_callbacks):
    """The upload answers with its receipt while the document is checked; the wallet shows its pages once ready."""
    client.force_login(resident)
    client.cookies["django_language"] = "en"

    with django_capture_on_commit_callbacks() as processing:
        response = post_files(client, [upload("身份证.pdf", pdf(2))], document_type=id_card.pk)

    assert response.status_code == 302 and response.url == "/documents/"
    page = client.get("/documents/").content.decode()
    assert "Received “身份证.pdf”, " in page and "Being checked" in page and "/download/" not in page
    [process] = processing
    process()
    page = client.get("/documents/").content.decode()
    assert "2 pages" in page and "Ready" in page and "/download/" in page


def test_web_wallet_says_why_a_document_was_refused(client, resident, id_card, upload_processed):
    """A refused document stays in the wallet's list, not openable, with the reason in the reader's language; the
    same file uploaded again is refused again, with that reason, at once."""
    data = pdf(1, password="secret")
    upload_processed(resident, id_card, "locked.pdf", data)
    client.force_login(resident)

    client.cookies["django_language"] = "zh-hans"
    page = client.get("/documents/").content.decode()
    assert "“locked.pdf”设有密码保护" in page and "已拒收" in page
    assert "/download/" not in page
    client.cookies["django_language"] = "en"
    again = post_files(client, [upload("locked.pdf", data)], document_type=id_card.pk)
    assert_accessible(again)
    assert "“locked.pdf” is protected with a password" in again.content.decode()


def test_web_upload_with_a_crlf_file_name_is_never_a_500(client, resident, id_card):
    client.force_login(resident)

    response = post_files(client, [upload("evil\r\nContent-Type: text/html.pdf", pdf(1))], document_type=id_card.pk)

    assert response.status_code in (200, 302)
    for name in Document.objects.values_list("original_name", flat=True):
        assert "\r" not in name and "\n" not in name


def test_web_upload_needs_a_file_and_a_type(client, resident, id_card):
    client.force_login(resident)
    client.cookies["django_language"] = "en"

    response = client.post("/documents/", {})

    assert_accessible(response)
    assert 'id="id_files_error"' in response.content.decode()
    assert 'id="id_document_type_error"' in response.content.decode()


# --- The API ------------------------------------------------------------------------------------------


@pytest.fixture
def api(resident):
    client = APIClient()
    client.force_authenticate(resident)
    return client


def test_api_upload_returns_the_document_with_its_receipt(api, id_card, django_capture_on_commit_callbacks):
    """201 once stored and sniffed (pending, 0 pages); the list shows it ready with its pages once processed."""
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/documents/",
            {"file": upload("scan.pdf", pdf(2)), "document_type": id_card.code, "expires_on": "2099-12-31"},
            format="multipart",
            HTTP_ACCEPT_LANGUAGE="en",
        )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "scan.pdf" and body["scan_status"] == "pending" and body["content_type"] == "application/pdf"
    assert body["receipt"].startswith("Received “scan.pdf”, ") and body["refusal"] == body["refusal_message"] == ""
    [ready] = api.get("/api/v1/documents/", HTTP_ACCEPT_LANGUAGE="en").json()["results"]
    assert (ready["scan_status"], ready["pages"]) == ("clean", 2)
    assert ready["receipt"].startswith("Received “scan.pdf”: 2 pages,")
    assert body["expires_on"] == "2099-12-31" and body["expired"] is False
    again = api.post(
        "/api/v1/documents/", {"file": upload("again.pdf", pdf(2)), "document_type": id_card.code}, format="multipart"
    )
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    listed = api.get("/api/v1/documents/").json()["results"]
    assert [d["id"] for d in listed] == [body["id"]]


@pytest.mark.parametrize("name", list(REFUSED))
def test_api_refusals_are_problems_naming_the_file_field(api, id_card, document_storage, name):
    data, words = REFUSED[name]

    response = api.post(
        "/api/v1/documents/",
        {"file": upload(name, data), "document_type": id_card.code},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    body = assert_problem(response, 400)
    assert [e["field"] for e in body["errors"]] == ["file"]
    assert words in body["errors"][0]["message"]
    assert not Document.objects.exists() and not stored_files(document_storage)


def test_api_says_why_a_document_was_refused_in_the_asked_language(api, resident, id_card, upload_processed):
    document, _ = upload_processed(resident, id_card, "broken.pdf", b"%PDF-1.7\n" + b"\0" * 50)

    english = api.get("/api/v1/documents/", HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]
    chinese = api.get("/api/v1/documents/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["results"][0]

    assert (english["scan_status"], english["refusal"]) == ("refused", "damaged")
    assert "“broken.pdf” is damaged or incomplete" in english["refusal_message"]
    assert chinese["refusal_message"].startswith("“broken.pdf”已损坏")
    assert assert_problem(api.get(f"/api/v1/documents/{document.public_id}/file/"), 409)


def test_api_upload_refuses_json_unknown_types_and_unknown_fields(api, id_card):
    assert_problem(api.post("/api/v1/documents/", {"document_type": id_card.code}, format="json"), 415)
    unknown = api.post(
        "/api/v1/documents/", {"file": upload("a.pdf", pdf(1)), "document_type": "passport"}, format="multipart"
    )
    assert "document_type" in {e["field"] for e in assert_problem(unknown, 400)["errors"]}
    extra = api.post(
        "/api/v1/documents/",
        {"file": upload("a.pdf", pdf(1)), "document_type": id_card.code, "owner": "someone"},
        format="multipart",
    )
    assert "owner" in {e["field"] for e in assert_problem(extra, 400)["errors"]}
    assert not Document.objects.exists()


def test_api_document_types_are_listed_in_the_asked_language(api, id_card):
    response = api.get("/api/v1/document-types/", HTTP_ACCEPT_LANGUAGE="en")

    assert {"code": "resident-id-card", "name": "Resident identity card"} in response.json()


def test_refusals_are_worded_in_chinese_too(client, resident, id_card):
    client.force_login(resident)
    client.cookies["django_language"] = "zh-hans"

    response = post_files(client, [upload("病毒.pdf", b"MZ\x90\x00")], document_type=id_card.pk)

    assert "“病毒.pdf”不是 PDF、JPEG、PNG 或 HEIC 文件" in response.content.decode()


def test_uploading_from_an_application_attaches_it_there(client, resident, id_card, service):
    """From an application's page, the upload goes into the wallet and is attached to that application; a refused
    file is explained on the form and nothing is attached; someone else's application is a 404."""
    from tests.factories import ApplicationFactory

    application = ApplicationFactory(applicant=resident, service=service, routed=True)
    url = f"/applications/{application.public_id}/documents/upload/"
    client.force_login(resident)
    client.cookies["django_language"] = "en"

    assert_accessible(client.get(url))
    refused = client.post(url, {"document_type": id_card.pk, "files": [upload("virus.pdf", ELF)]})
    assert refused.status_code == 200 and "“virus.pdf” is not a PDF" in refused.content.decode()
    assert not application.document_links.exists()

    sent = client.post(url, {"document_type": id_card.pk, "files": [upload("身份证.pdf", pdf(2))]})

    assert sent.status_code == 302 and sent.url == application.get_absolute_url()
    assert application.document_links.get().document == Document.objects.get(original_name="身份证.pdf")
    other = ApplicationFactory(service=service, routed=True)
    assert client.get(f"/applications/{other.public_id}/documents/upload/").status_code == 404


def test_a_large_jpeg_is_kept_at_a_scale_a_worker_can_decode(resident, id_card, upload_processed, monkeypatch):
    """A JPEG over DECODE_BUDGET_PIXELS is decoded (and kept) at the first of 1/2, 1/4, 1/8 that fits the budget;
    one within it keeps every pixel."""
    monkeypatch.setattr("services.documents.inspection.DECODE_BUDGET_PIXELS", 1_000)

    large, _ = upload_processed(resident, id_card, "large.jpg", image("JPEG", size=(96, 64), gps=False))
    small, _ = upload_processed(resident, id_card, "small.jpg", image("JPEG", size=(30, 20), gps=False))

    with private_storage().open(large.stored_name) as kept_large, private_storage().open(small.stored_name) as kept:
        assert Image.open(kept_large).size == (24, 16) and Image.open(kept).size == (30, 20)
