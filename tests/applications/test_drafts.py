"""Drafts: saving answers, the form version they keep, once-only prefill and reuse, the eligibility check at
submission, and the purge of forgotten drafts after a reminder."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone, translation

from services.applications.actions import application_create_draft, application_save_answers, application_submit
from services.applications.attachments import document_attach
from services.applications.drafts import application_drafts_purge, application_drafts_remind
from services.applications.models import Application, Status
from services.applications.tasks import purge_stale_drafts
from services.catalogue.actions import form_version_publish
from services.catalogue.models import DocumentType
from services.common.errors import InvalidTransition, NotAllowed, NotEligible, ValidationFailed
from services.dynamic_forms.selectors import answers_for_display
from services.notifications.models import Channel, DeliveryStatus, Event, Notification
from tests.factories import (
    STEPS_ANSWERS,
    STEPS_SCHEMA,
    VALID_ANSWERS,
    ApplicationFactory,
    DocumentFactory,
    ResidentProfileFactory,
    ServiceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def steps_service(health):
    DocumentType.objects.create(code="employment-termination", name_zh="证明", name_en="Proof")
    return ServiceFactory(department=health, form_schema=STEPS_SCHEMA)


def with_proof(draft: Application) -> Application:
    """Attach the proof the steps' form requires (a submission without it is refused: test_form_documents.py)."""
    kind = DocumentType.objects.get(code="employment-termination")
    proof = DocumentFactory(owner=draft.applicant, document_type=kind)
    document_attach(application=draft, document=proof, by=draft.applicant)
    return draft


@pytest.fixture
def draft(resident, steps_service):
    return application_create_draft(applicant=resident, service=steps_service)


# --- Saving answers ---------------------------------------------------------------------------------


def test_save_merges_each_answer_whole_and_none_removes(draft, resident):
    """Answers are merged question by question (an address replaced whole); None removes an answer."""
    application_save_answers(
        application=draft, changes={"name": "李雷", "address": {"district": "pudong"}}, by=resident
    )
    draft = application_save_answers(
        application=draft,
        changes={"address": {"district": "xuhui", "street": "漕溪北路1号"}, "name": None},
        by=resident,
    )

    assert draft.answers == {"address": {"district": "xuhui", "street": "漕溪北路1号"}}
    assert Application.objects.get(pk=draft.pk).answers == draft.answers


def test_save_refuses_a_wrong_answer_and_saves_nothing(draft, resident):
    """One wrong answer refuses the whole save; the stored answers stay as they were."""
    application_save_answers(application=draft, changes={"name": "李雷"}, by=resident)

    with pytest.raises(ValidationFailed) as raised:
        application_save_answers(application=draft, changes={"name": "王五", "phone": "12"}, by=resident)

    assert set(raised.value.errors) == {"phone"}
    assert Application.objects.get(pk=draft.pk).answers == {"name": "李雷"}


def test_save_drops_answers_a_change_makes_unasked_but_refuses_one_sent_with_it(draft, resident):
    """No to severance removes the stored amount; sending an amount with the no is an error on the amount."""
    application_save_answers(application=draft, changes={"severance": True, "severance_amount": 100}, by=resident)

    with pytest.raises(ValidationFailed) as raised:
        application_save_answers(application=draft, changes={"severance": False, "severance_amount": 5}, by=resident)
    assert raised.value.errors == {"severance_amount": ["This question does not apply to your other answers."]}

    draft = application_save_answers(application=draft, changes={"severance": False}, by=resident)
    assert draft.answers == {"severance": False}


def test_only_the_applicant_saves_and_only_a_draft(draft, resident, health_caseworker):
    with pytest.raises(NotAllowed):
        application_save_answers(application=draft, changes={"name": "x"}, by=health_caseworker)
    Application.objects.filter(pk=draft.pk).update(status=Status.SUBMITTED)
    with pytest.raises(InvalidTransition):
        application_save_answers(application=draft, changes={"name": "x"}, by=resident)


def test_saving_restarts_the_reminder_clock(draft, resident):
    """A reminded draft that the resident saves again is no longer marked as reminded."""
    Application.objects.filter(pk=draft.pk).update(draft_reminder_sent_at=timezone.now())

    draft = application_save_answers(application=draft, changes={"name": "李雷"}, by=resident)

    assert draft.draft_reminder_sent_at is None


# --- Form versions ----------------------------------------------------------------------------------


def change_the_form(service):
    schema = {**service.form_schema, "properties": {**service.form_schema["properties"]}}
    schema["properties"]["name"] = {**schema["properties"]["name"], "title": "Legal name", "maxLength": 10}
    schema["properties"]["nickname"] = {"type": "string", "title": "Nickname"}
    schema["x-steps"] = [
        {**schema["x-steps"][0], "fields": [*schema["x-steps"][0]["fields"], "nickname"]},
        *schema["x-steps"][1:],
    ]
    service.form_schema = schema
    service.save()
    return form_version_publish(service=service)


def test_publishing_an_unchanged_form_keeps_its_version(steps_service):
    first = form_version_publish(service=steps_service)

    assert form_version_publish(service=steps_service) == first
    assert change_the_form(steps_service).number == first.number + 1
    assert steps_service.form_versions.count() == 2


def test_a_draft_and_a_submitted_application_keep_their_version(steps_service, resident):
    """After the form changes, old applications still validate and display with the version they were filled
    with, and new drafts use the new one."""
    draft = application_create_draft(applicant=resident, service=steps_service)
    submitted = ApplicationFactory(
        applicant=resident,
        service=steps_service,
        answers={**STEPS_ANSWERS, "name": "A name too long for v2"},
        submitted=True,
    )

    version = change_the_form(steps_service)

    draft.refresh_from_db()
    submitted.refresh_from_db()
    assert (draft.form_version.number, submitted.form_version.number, version.number) == (1, 1, 2)
    # the draft still validates with version 1: no nickname question, a name up to 50 characters
    with pytest.raises(ValidationFailed) as raised:
        application_save_answers(application=draft, changes={"nickname": "Lei"}, by=resident)
    assert raised.value.errors == {"nickname": ["This form has no such question."]}
    application_save_answers(application=draft, changes={"name": "x" * 40}, by=resident)
    # the submitted one still displays with version 1's labels
    assert ("Full name", "A name too long for v2") in answers_for_display(
        schema=submitted.schema, answers=submitted.answers
    )
    # and a new draft gets version 2
    assert application_create_draft(applicant=UserFactory(), service=steps_service).form_version == version


def test_submit_checks_the_answers_against_the_drafts_version(steps_service, resident):
    """A draft filled with version 1 is submitted against version 1, even after version 2 requires more."""
    draft = with_proof(application_create_draft(applicant=resident, service=steps_service, answers=STEPS_ANSWERS))
    schema = {**steps_service.form_schema, "required": [*steps_service.form_schema["required"], "benefits"]}
    steps_service.form_schema = schema
    steps_service.save()
    form_version_publish(service=steps_service)

    assert application_submit(application=draft, by=resident).status == Status.SUBMITTED


# --- Once-only: prefill and reuse ---------------------------------------------------------------------


def test_a_new_draft_is_filled_in_from_the_profile(steps_service):
    """Questions marked x-prefill take the profile's facts; the ID number is never typed again."""
    profile = ResidentProfileFactory(phone="13900001111", district="xuhui", street_address="漕溪北路1号")

    draft = application_create_draft(applicant=profile.user, service=steps_service)

    assert draft.answers == {
        "name": "李雷",
        "id_number": "11010519491231002X",
        "phone": "13900001111",
        "address": {"district": "xuhui", "street": "漕溪北路1号"},
    }


def test_answers_given_when_creating_win_over_the_prefill(steps_service):
    profile = ResidentProfileFactory()

    draft = application_create_draft(applicant=profile.user, service=steps_service, answers={"name": "Li Lei"})

    assert draft.answers["name"] == "Li Lei"
    assert draft.answers["id_number"] == "11010519491231002X"


def test_answers_are_reused_from_the_latest_earlier_application(health, resident):
    """A child's details given in an earlier application (same question names) fill in the next form; drafts
    are not a source, and answers the new form would refuse are left out."""
    child = {
        "child_name": {"type": "string", "title": "Child's name"},
        "child_birth_date": {"type": "string", "format": "date", "title": "Child's date of birth"},
    }
    vaccination = ServiceFactory(department=health, form_schema={"type": "object", "properties": child})
    kindergarten = ServiceFactory(
        department=health,
        form_schema={
            "type": "object",
            "properties": {
                **child,
                "child_name": {"type": "string", "maxLength": 4, "title": "Name"},
                "x": {"type": "string"},
            },
        },
    )
    ApplicationFactory(
        applicant=resident,
        service=vaccination,
        approved=True,
        answers={"child_name": "李小明", "child_birth_date": "2022-05-01"},
    )
    ApplicationFactory(
        applicant=resident,
        service=vaccination,
        submitted=True,
        answers={"child_name": "李小红", "child_birth_date": "2023-06-01"},
    )
    ApplicationFactory(
        applicant=resident, service=vaccination, answers={"child_name": "草稿", "child_birth_date": "2024-01-01"}
    )

    draft = application_create_draft(applicant=resident, service=kindergarten)

    assert draft.answers == {"child_name": "李小红", "child_birth_date": "2023-06-01"}

    ApplicationFactory(
        applicant=resident,
        service=vaccination,
        submitted=True,
        answers={"child_name": "名字太长的孩子", "child_birth_date": "2024-02-01"},
    )
    assert application_create_draft(applicant=resident, service=kindergarten).answers == {
        "child_birth_date": "2024-02-01"  # the name is too long for this form
    }


def test_a_profile_fact_is_reused_by_fact_even_under_another_question_name(health, resident):
    """Without an ID number in the profile, the one given under x-prefill id_number in an earlier application
    fills any question marked the same way."""
    first = ServiceFactory(
        department=health,
        form_schema={
            "type": "object",
            "properties": {"applicant_id": {"type": "string", "format": "cn-resident-id", "x-prefill": "id_number"}},
        },
    )
    ApplicationFactory(
        applicant=resident, service=first, submitted=True, answers={"applicant_id": "11010519491231002X"}
    )

    draft = application_create_draft(
        applicant=resident, service=ServiceFactory(department=health, form_schema=STEPS_SCHEMA)
    )

    assert draft.answers == {"id_number": "11010519491231002X"}


# --- Eligibility at submission ----------------------------------------------------------------------


def test_submit_refuses_a_resident_the_rules_exclude_with_the_reasons(steps_service, resident):
    """The same eligibility check as the service page runs at submission; a failed rule refuses with its reason."""
    steps_service.eligibility_rules = [
        {"kind": "answer", "field": "reason", "equals": "ended"},
        {"kind": "age", "min": 16, "max": 60},
    ]
    steps_service.save()
    ResidentProfileFactory(user=resident, date_of_birth=dt.date(1949, 12, 31))
    draft = application_create_draft(
        applicant=resident, service=steps_service, answers={**STEPS_ANSWERS, "reason": "resigned"}
    )
    with_proof(draft)

    with pytest.raises(NotEligible) as raised:
        application_submit(application=draft, by=resident)

    reasons = raised.value.errors["eligibility"]
    assert len(reasons) == 2
    assert reasons[0].startswith("You answered “Why did it end?”: I resigned")
    assert reasons[1].startswith("You are 76 years")
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_submit_lets_through_what_the_rules_cannot_decide(steps_service, resident):
    """A rule that cannot tell (no date of birth in the profile) does not refuse: the caseworker decides."""
    steps_service.eligibility_rules = [{"kind": "age", "min": 16}]
    steps_service.save()
    draft = with_proof(application_create_draft(applicant=resident, service=steps_service, answers=STEPS_ANSWERS))

    assert application_submit(application=draft, by=resident).status == Status.SUBMITTED


# --- Purge with a reminder first ------------------------------------------------------------------------


@pytest.fixture
def retention(settings):
    settings.DRAFT_RETENTION_DAYS, settings.DRAFT_REMINDER_DAYS_BEFORE = 30, 7
    settings.PORTAL_URL = "https://portal.example"


def age_draft(application, days):
    Application.objects.filter(pk=application.pk).update(updated_at=timezone.now() - dt.timedelta(days=days))


def test_drafts_untouched_long_enough_get_one_reminder_in_the_residents_language(
    retention, service, django_capture_on_commit_callbacks
):
    """Drafts untouched for 23 of the 30 days get one message (inbox, and email as chosen: text and HTML) in the
    resident's preferred language, with the deletion date and a link to carry on; newer drafts and submitted
    applications get none."""
    chinese = ResidentProfileFactory(preferred_language="zh-hans", id_number=None).user
    english = ResidentProfileFactory(preferred_language="en", id_number=None).user
    old_zh = ApplicationFactory(applicant=chinese, service=service)
    old_en = ApplicationFactory(applicant=english, service=service)
    recent = ApplicationFactory(service=service)
    submitted = ApplicationFactory(service=service, submitted=True)
    for application in (old_zh, old_en, submitted):
        age_draft(application, 24)
    age_draft(recent, 20)

    with django_capture_on_commit_callbacks(execute=True):
        assert application_drafts_remind() == 2
        assert application_drafts_remind() == 0  # once per draft

    reminders = Notification.objects.filter(event=Event.DRAFT_DEADLINE)
    assert {(n.recipient, n.channel, n.status) for n in reminders} == {
        (user, channel, DeliveryStatus.SENT)
        for user in (chinese, english)
        for channel in (Channel.IN_APP, Channel.EMAIL)
    }
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {chinese.email, english.email}
    deleted_on = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    en_mail, zh_mail = by_recipient[english.email], by_recipient[chinese.email]
    assert en_mail.subject == f"Your draft {old_en.reference} will be deleted on {deleted_on}"
    assert zh_mail.subject == f"您的草稿 {old_zh.reference} 将于 {deleted_on} 删除"
    link = f"https://portal.example/applications/{old_en.public_id}/"
    assert link in en_mail.body and old_en.reference in en_mail.body and service.title_en in en_mail.body
    html, content_type = en_mail.alternatives[0]
    assert content_type == "text/html" and f'href="{link}"' in html
    assert service.title_zh in zh_mail.body and "删除" in zh_mail.body
    for application in (old_zh, old_en):
        application.refresh_from_db()
        assert application.draft_reminder_sent_at is not None


def test_a_draft_saved_again_then_forgotten_again_is_reminded_again(
    retention, service, django_capture_on_commit_callbacks
):
    """Saving clears the reminder; forgotten for another 23 days, the draft gets a new one (a new deletion date)."""
    draft = ApplicationFactory(service=service)
    age_draft(draft, 24)
    with django_capture_on_commit_callbacks(execute=True):
        assert application_drafts_remind() == 1

    application_save_answers(application=draft, changes={}, by=draft.applicant)
    later = timezone.now() + dt.timedelta(days=24)
    with django_capture_on_commit_callbacks(execute=True):
        assert application_drafts_remind(now=later) == 1

    deadlines = Notification.objects.filter(event=Event.DRAFT_DEADLINE, channel=Channel.IN_APP)
    assert sorted(n.payload["deadline"] for n in deadlines) == [
        (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
        timezone.localdate(later + dt.timedelta(days=7)).isoformat(),
    ]
    assert len(mail.outbox) == 2


def test_purge_deletes_only_expired_drafts_reminded_long_enough_ago(retention, service):
    """A draft is deleted 30 days after its last save, and never less than 7 days after its reminder."""
    expired = ApplicationFactory(service=service, draft_reminder_sent_at=timezone.now() - dt.timedelta(days=8))
    reminded_late = ApplicationFactory(service=service, draft_reminder_sent_at=timezone.now() - dt.timedelta(days=2))
    never_reminded = ApplicationFactory(service=service)
    fresh = ApplicationFactory(service=service, draft_reminder_sent_at=timezone.now() - dt.timedelta(days=8))
    submitted = ApplicationFactory(
        service=service, submitted=True, draft_reminder_sent_at=timezone.now() - dt.timedelta(days=8)
    )
    for application in (expired, reminded_late, never_reminded, submitted):
        age_draft(application, 31)
    age_draft(fresh, 29)

    assert application_drafts_purge() == 1

    assert set(Application.objects.values_list("pk", flat=True)) == {
        reminded_late.pk,
        never_reminded.pk,
        fresh.pk,
        submitted.pk,
    }


def test_the_periodic_task_reminds_then_purges(retention, service):
    """The beat task first reminds the forgotten drafts, then deletes those whose notice has run out."""
    forgotten = ApplicationFactory(service=service)
    age_draft(forgotten, 24)

    assert purge_stale_drafts.apply().get() == {"reminded": 1, "purged": 0}
    age_draft(forgotten, 31)
    Application.objects.filter(pk=forgotten.pk).update(draft_reminder_sent_at=timezone.now() - dt.timedelta(days=7))
    assert purge_stale_drafts.apply().get() == {"reminded": 0, "purged": 1}
    assert not Application.objects.exists()


def test_the_purge_is_scheduled_with_beat(settings):
    assert settings.CELERY_BEAT_SCHEDULE["draft-purge"]["task"] == "services.applications.tasks.purge_stale_drafts"


def test_my_applications_says_when_a_draft_will_be_deleted(client, resident, service, retention):
    application = ApplicationFactory(applicant=resident, service=service, answers=VALID_ANSWERS)
    client.force_login(resident)
    client.cookies["django_language"] = "en"

    html = client.get("/applications/").content.decode()

    assert re.search(rf"deleted on {application.draft_expires_on.isoformat()} unless you carry on", html)
