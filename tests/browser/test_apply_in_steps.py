"""A new resident finds the unemployment benefit by searching 失业, sees they are eligible and why, fills the
multi-step form over several sessions (a conditional step, a repeating group, an error, Back, an expired
session, a switch to English), checks the answers and submits, in real Chromium against the real catalogue."""

import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from services.accounts.models import ResidentProfile
from services.applications.models import Application, Status
from services.identity.models import IdentityLink
from tests.browser.helpers import open_account_menu, sign_in
from tests.documents.files import pdf
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_new_resident_finds_checks_fills_over_sessions_and_submits_the_unemployment_benefit(page):
    call_command("load_catalogue")
    resident = UserFactory(email="new.resident@example.test")
    # a profile saved empty (a new account without one is sent to the profile first: test_nothing_typed_twice)
    ResidentProfile.objects.create(user=resident)
    # A benefit needs a verified identity to be submitted: this resident linked theirs (the sign-in has its own tests).
    IdentityLink.objects.create(
        user=resident, issuer="https://idp.example", subject="s", assurance="real_name", verified_at=timezone.now()
    )

    # find it by searching 失业, in Chinese (the browser's language)
    page.goto("/")
    page.get_by_label("搜索服务事项").fill("失业")
    page.get_by_role("button", name="搜索").click()
    page.get_by_role("link", name="失业保险金申领").click()

    # without an account: can't tell yet, then the small check form says eligible, rule by rule
    assert page.get_by_role("heading", name="暂无法判断您是否可以申请").is_visible()
    page.get_by_label("您的出生日期").fill("1990-03-07")
    page.get_by_label("您居住的区").select_option("pudong")
    page.get_by_label("劳动合同期满终止").check()
    page.get_by_label("累计缴纳失业保险月数").fill("24")
    page.get_by_label("是", exact=True).check()
    page.get_by_role("button", name="查看", exact=True).click()
    assert page.get_by_role("heading", name="您可以申请").is_visible()
    reasons = page.locator(".eligibility-rules").inner_text()
    assert "您现年36周岁" in reasons and "您居住在浦东新区" in reasons and "不少于12" in reasons

    # start: sign in first, then step 1 of the form
    page.get_by_role("link", name="立即办理").click()
    sign_in(page, resident.email)
    assert page.locator(".progress").inner_text() == "第1步"  # a conditional step ahead: no total to jump
    assert page.get_by_role("heading", level=1).inner_text() == "申请人信息"

    # a mistake is explained, and nothing typed is lost
    page.get_by_label("姓名").fill("王小明")
    page.get_by_label("公民身份号码").fill("11010519491231002X")
    page.get_by_label("手机号码").fill("12345")
    page.get_by_label("所在区").select_option("pudong")
    page.get_by_label("街道地址").fill("世纪大道100号")
    page.get_by_role("button", name="保存并继续").last.click()
    assert page.get_by_role("alert").is_visible()
    assert "手机号码" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("姓名").input_value() == "王小明"
    page.get_by_label("手机号码").fill("13812345678")
    page.get_by_role("button", name="保存并继续").last.click()

    # last job: a yes to severance pay asks one more step (the steps are counted, never out of a changing total)
    page.get_by_label("原工作单位").fill("上海某贸易有限公司")
    page.get_by_label("最后工作日").fill("2026-10-31")
    page.get_by_label("劳动合同期满终止").check()
    page.get_by_role("group", name="单位是否支付了经济补偿金？").get_by_label("是").check()
    page.get_by_role("button", name="保存并继续").last.click()
    assert page.locator(".progress").inner_text() == "第3步"

    # switch to English: the same step, in English
    page.get_by_role("button", name="English").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Your severance pay"
    page.get_by_label("Severance paid (yuan)").fill("15000")
    page.get_by_role("button", name="Save and continue").last.click()

    # the insurance record: a repeating group of employers, a second row added without JavaScript
    page.get_by_label("Months of unemployment insurance paid").fill("24")
    page.get_by_label("Employer", exact=True).fill("上海某贸易有限公司")
    page.get_by_label("Started").fill("2022-11-01")
    page.get_by_label("Ended").fill("2026-10-31")
    page.get_by_role("button", name="Add another: Employers in the last two years").click()
    second = page.get_by_role("group", name="Employer 2")
    second.get_by_label("Employer", exact=True).fill("上海某餐饮公司")
    second.get_by_label("Started").fill("2021-03-01")
    second.get_by_label("Ended").fill("2022-10-31")
    page.get_by_role("button", name="Save and continue").last.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Looking for work"

    # the session expires while the resident fills a step: after signing in again, the same step, answers kept
    page.context.clear_cookies(name="sessionid")
    page.get_by_label("Yes", exact=True).check()
    page.get_by_label("Work you are looking for").fill("外贸业务员")
    page.get_by_role("button", name="Save and continue").last.click()
    sign_in(page, resident.email)
    assert page.get_by_role("heading", level=1).inner_text() == "Looking for work"
    assert page.get_by_label("Work you are looking for").input_value() == "外贸业务员"

    # another session, another day: sign out, sign in, carry on from My applications
    open_account_menu(page)
    page.get_by_role("button", name="Sign out").click()
    page.goto("/accounts/login/")
    sign_in(page, resident.email)
    page.goto("/applications/")
    page.get_by_role("link", name=re.compile("^Continue")).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Where we pay the benefit"

    # Back keeps the answers of the step left
    page.get_by_label("Bank").fill("中国工商银行")
    page.get_by_role("button", name="Back", exact=True).click()
    assert page.get_by_label("Work you are looking for").input_value() == "外贸业务员"
    page.get_by_role("button", name="Save and continue").last.click()
    assert page.get_by_label("Bank").input_value() == "中国工商银行"
    page.get_by_label("Account number").fill("6222021234567890123")
    # the proof is uploaded right there, in the step (a multipart post)
    page.get_by_label("Upload it").set_input_files(
        files=[{"name": "termination.pdf", "mimeType": "application/pdf", "buffer": pdf(1)}]
    )
    page.get_by_role("button", name="Save and continue").last.click()

    # check your answers: every step, a change link that comes back here, eligibility, submit
    assert page.get_by_role("heading", level=1).inner_text() == "Check your answers before you submit"
    assert "1. 上海某贸易有限公司, 2022-11-01, 2026-10-31" in page.locator("main").inner_text()
    assert page.get_by_role("heading", name="You can apply").is_visible()
    page.get_by_role("link", name="Change Severance paid (yuan)").click()
    page.get_by_label("Severance paid (yuan)").fill("16000")
    page.get_by_role("button", name="Save and return to your answers").click()
    assert "16000" in page.locator("main").inner_text()
    page.get_by_role("button", name="Submit application").click()

    reference = page.locator(".reference").inner_text()
    assert re.fullmatch(r"EMP-\d{4}-\d{6}", reference)
    application = Application.objects.get(reference=reference)
    assert application.status == Status.ROUTED  # tasks run in-process after commit
    assert application.answers["severance_amount"] == 16000
    assert len(application.answers["employers"]) == 2
    assert application.form_version.number == 1
    assert application.document_links.get().document.original_name == "termination.pdf"
