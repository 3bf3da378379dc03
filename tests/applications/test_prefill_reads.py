"""Prefilling a new draft reads each earlier form once, and still reuses answers of rows made without a version."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from services.applications.models import Application
from services.applications.prefill import PREFILL_LOOKBACK, application_prefill
from tests.factories import ApplicationFactory, ServiceFactory

pytestmark = pytest.mark.django_db

CHILD = {"type": "object", "properties": {"child_name": {"type": "string", "title": "Child's name"}}}


def test_earlier_answers_are_reused_with_or_without_a_form_version(health, resident, django_assert_num_queries):
    """Twenty earlier applications of one service cost one read of its form; one without a version uses the
    service's current form."""
    vaccination = ServiceFactory(department=health, form_schema=CHILD)
    ApplicationFactory.create_batch(
        19, applicant=resident, service=vaccination, approved=True, answers={"child_name": "李小明"}
    )
    ApplicationFactory(
        applicant=resident,
        service=vaccination,
        form_version=None,
        submitted=True,
        answers={"child_name": "李小红"},
        reference="TST-2026-LEGACY",
    )

    with django_assert_num_queries(4), translation.override("en"):  # profile, applications, versions, service
        prefill = application_prefill(applicant=resident, schema=CHILD)

    assert prefill["child_name"] == ("李小红", "From your application TST-2026-LEGACY")


def test_answered_questions_are_left_out_and_nothing_is_read_when_none_is_left(
    health, resident, django_assert_num_queries
):
    """The questions the caller answers itself (a one-call submission) cost no read and no check; the schema of
    the version being filled is not read again for the earlier applications filled with it."""
    vaccination = ServiceFactory(department=health, form_schema=CHILD)
    version = ApplicationFactory(applicant=resident, service=vaccination, approved=True,
                                 answers={"child_name": "李小明"}).form_version  # fmt: skip

    with django_assert_num_queries(0):
        assert application_prefill(applicant=resident, schema=CHILD, answered={"child_name"}) == {}
    with django_assert_num_queries(2):  # profile, applications
        prefill = application_prefill(applicant=resident, schema=CHILD, form_version_id=version.pk)

    assert prefill["child_name"][0] == "李小明"


def test_only_the_latest_earlier_applications_past_draft_are_read_the_newest_winning(health, resident):
    """A draft's answers are never reused, nor another person's; of the applicant's own, only the PREFILL_LOOKBACK
    newest are read, and the newest answer wins."""
    vaccination = ServiceFactory(department=health, form_schema=CHILD)
    oldest = ApplicationFactory(applicant=resident, service=vaccination, approved=True, answers={"child_name": "老"})
    ApplicationFactory.create_batch(PREFILL_LOOKBACK, applicant=resident, service=vaccination, approved=True,
                                    answers={})  # fmt: skip
    Application.objects.filter(pk=oldest.pk).update(created_at=timezone.now() - dt.timedelta(days=1))

    assert application_prefill(applicant=resident, schema=CHILD) == {}  # the oldest is past the lookback
    newest = ApplicationFactory(applicant=resident, service=vaccination, submitted=True, answers={"child_name": "新"})
    ApplicationFactory(applicant=resident, service=vaccination, answers={"child_name": "草稿"})  # a draft
    ApplicationFactory(service=vaccination, submitted=True, answers={"child_name": "别人"})  # someone else's

    with translation.override("en"):
        assert application_prefill(applicant=resident, schema=CHILD) == {
            "child_name": ("新", f"From your application {newest.reference}")
        }


@pytest.mark.parametrize("name", ["child_name", "孩子姓名", 'child "nick" name', "back\\slash"])
def test_an_earlier_answer_is_found_under_any_question_name(health, resident, name):
    """Only the earlier answers that may hold a question asked are parsed (found by its name in their JSON text);
    a name that JSON may write escaped (not plain ASCII, a quote, a backslash) is looked for in the parsed answers,
    so it is found however the database wrote it."""
    schema = {"type": "object", "properties": {name: {"type": "string", "title": "Name"}, "other": {"type": "string"}}}
    vaccination = ServiceFactory(department=health, form_schema=schema)
    found = ApplicationFactory(applicant=resident, service=vaccination, approved=True, answers={name: "李小明"})
    ApplicationFactory(applicant=resident, service=vaccination, approved=True, answers={"other": f"not {name}"})

    with translation.override("en"):
        assert application_prefill(applicant=resident, schema=schema) == {
            name: ("李小明", f"From your application {found.reference}"),
            "other": (f"not {name}", f"From your application {Application.objects.latest('created_at').reference}"),
        }
