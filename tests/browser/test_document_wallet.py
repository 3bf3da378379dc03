"""A resident uploads a document once and attaches it to a second application from the wallet, in Chromium."""

import re

import pytest
from django.test import Client

from services.applications.models import ApplicationDocument
from services.documents.models import Document
from tests.browser.helpers import open_account_menu
from tests.documents.files import pdf
from tests.factories import ApplicationFactory, DocumentTypeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_resident_reuses_a_wallet_document_in_a_second_application(page, live_server, resident, service, settings,
                                                                   tmp_path):  # fmt: skip
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    service.document_types.add(DocumentTypeFactory())
    first = ApplicationFactory(applicant=resident, service=service, routed=True)
    second = ApplicationFactory(applicant=resident, service=service, routed=True)
    session = Client()
    session.force_login(resident)
    page.context.add_cookies(
        [
            {"name": "sessionid", "value": session.cookies["sessionid"].value, "url": live_server.url},
            {"name": "django_language", "value": "en", "url": live_server.url},
        ]
    )

    # on the first application, upload the household register: it goes into the wallet and is attached at once
    page.goto(first.get_absolute_url())
    assert page.get_by_text("This service asks for:").is_visible()
    page.get_by_role("link", name="Upload a document for this application").click()
    page.get_by_label("What is it?").select_option(label="Resident identity card")
    page.get_by_label("Files").set_input_files(
        [{"name": "身份证.pdf", "mimeType": "application/pdf", "buffer": pdf(2)}]
    )
    page.get_by_role("button", name="Upload and attach").click()
    page.wait_for_url(re.compile(re.escape(first.get_absolute_url()) + "$"))
    # the receipt at once; its pages are counted in the documents queue, after the virus check
    assert page.get_by_text(re.compile(r"Received “身份证\.pdf”, .*: it is being checked")).is_visible()
    assert page.get_by_text("Attached to your application.").is_visible()
    assert page.get_by_role("link", name="身份证.pdf").is_visible()

    # attach it to the second application from the wallet, without uploading again
    document = Document.objects.get()
    page.goto(second.get_absolute_url())
    page.get_by_label("Attach a document from your wallet").select_option(str(document.public_id))
    page.get_by_role("button", name="Attach", exact=True).click()
    assert page.get_by_text("“身份证.pdf” is attached to your application.").is_visible()
    assert page.get_by_role("link", name="身份证.pdf").is_visible()

    assert Document.objects.count() == 1
    assert ApplicationDocument.objects.filter(application__in=[first, second]).count() == 2

    # the wallet lists it once, with its receipt's facts; the header links to the wallet and the inbox
    open_account_menu(page)
    page.get_by_role("link", name="My documents").click()
    assert page.get_by_role("row", name=re.compile("身份证.pdf")).is_visible()
    open_account_menu(page)
    assert page.get_by_role("link", name=re.compile("^Messages")).is_visible()
