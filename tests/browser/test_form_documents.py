"""A required document on a phone, without JavaScript: the check page lists what is missing with a link to its
step, the step takes the file in a plain multipart post, and the application is then submitted."""

import re

import pytest

from services.applications.models import Application, Status
from tests.browser.helpers import give_session
from tests.documents.files import pdf
from tests.factories import ApplicationFactory, DocumentTypeFactory, ServiceFactory
from tests.web.test_form_documents import DOCUMENT_SCHEMA

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_missing_document_is_listed_then_uploaded_inline_on_a_phone_without_javascript(
    browser, live_server, resident, health
):
    DocumentTypeFactory(code="employment-termination", name_zh="解除劳动合同证明", name_en="Proof of termination")
    service = ServiceFactory(department=health, form_schema=DOCUMENT_SCHEMA)
    draft = ApplicationFactory(applicant=resident, service=service, answers={"name": "李雷"})
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport={"width": 375, "height": 812}
    )
    context.set_default_timeout(10000)
    page = context.new_page()
    give_session(page, live_server, resident, language="zh-hans")

    # the check page names the missing document and links to the step that asks for it
    page.goto(f"/applications/{draft.public_id}/check/")
    assert page.get_by_role("region", name="尚缺材料").get_by_role("link", name="解除劳动合同证明").is_visible()
    page.get_by_role("button", name="提交申请").click()  # refused: the same document, linked to its step
    page.locator(".error-summary").get_by_role("link", name=re.compile("上传“解除劳动合同证明”")).click()

    # the step: the file chosen in the question's own fieldset, sent with the form
    question = page.get_by_role("group", name="离职证明")
    question.get_by_label("上传文件").set_input_files(
        files=[{"name": "离职证明.pdf", "mimeType": "application/pdf", "buffer": pdf(1)}]
    )
    page.get_by_role("button", name="保存并返回核对页").click()

    assert page.get_by_role("heading", level=1).inner_text() == "提交前请核对填写内容"
    assert page.get_by_role("region", name="尚缺材料").count() == 0
    page.get_by_role("button", name="提交申请").click()
    application = Application.objects.get(pk=draft.pk)
    assert application.status != Status.DRAFT
    assert application.document_links.get().document.original_name == "离职证明.pdf"
    context.close()
