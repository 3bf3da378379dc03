"""A birth told once (issue 18): the change of circumstances reaches the proactive rules, the parent is offered the
childbirth allowance and a family doctor for the child, taken up with one tap each into routed applications with
the child's facts filled in; the same event again, or once more per department it reached, makes nothing new."""

import datetime as dt

import pytest
from django.utils import timezone

from services.applications.models import Application, Status
from services.circumstances.actions import EVENT_TYPE, change_report
from services.events.actions import event_react
from services.events.models import Event
from services.events.tasks import react_to_event
from services.proactive.actions import entitlement_confirm
from services.proactive.models import Entitlement, EntitlementStatus, Mode, Period, ProactiveRule, RuleStatus, Trigger
from tests.factories import (
    ApplicationFactory,
    DepartmentFactory,
    DocumentFactory,
    ResidentProfileFactory,
    ServiceFactory,
)

from .conftest import born_years_ago

pytestmark = pytest.mark.django_db

BORN = timezone.localdate() - dt.timedelta(days=3)
# Each form asks about the child, as the catalogue's forms do: the change's facts answer it.
ABOUT_THE_CHILD = {
    "type": "object",
    "required": ["child_name", "child_birth_date"],
    "properties": {
        "child_name": {"type": "string", "title": "Child's full name", "x-title-zh": "儿童姓名"},
        "child_birth_date": {
            "type": "string",
            "format": "date",
            "title": "Child's date of birth",
            "x-title-zh": "儿童出生日期",
        },  # fmt: skip
    },
}
A_NEWBORN = [{"kind": "child_age", "field": "child_birth_date", "min_months": 0, "max_months": 12}]


@pytest.fixture
def offers_after_a_birth(health):
    """Two active rules on a reported birth: the childbirth allowance (employment) and a family doctor for the
    child (health), each once per birth."""
    employment = DepartmentFactory(code="employment", reference_prefix="EMP")
    rules = []
    for department, slug in ((employment, "childbirth-allowance"), (health, "family-doctor-for-the-child")):
        service = ServiceFactory(department=department, slug=slug, form_schema=ABOUT_THE_CHILD,
                                 eligibility_rules=A_NEWBORN)  # fmt: skip
        rules.append(ProactiveRule.objects.create(
            service=service, name=f"{slug} after a birth", trigger=Trigger.EVENT, event_type=EVENT_TYPE,
            event_conditions={"kind": "birth"}, mode=Mode.OFFER, period=Period.SUBJECT, status=RuleStatus.ACTIVE,
        ))  # fmt: skip
    return rules


def _report_birth(parent, callbacks):
    certificate = DocumentFactory(owner=parent, original_name="出生医学证明.pdf")
    facts = {"child_name": "张小宝", "effective_date": BORN.isoformat(), "evidence": str(certificate.public_id)}
    with callbacks(execute=True):
        return change_report(subject=parent, reported_by=parent, kind="birth", data=facts)


def test_a_reported_birth_offers_the_allowance_and_a_family_doctor_and_confirming_routes_both(
    offers_after_a_birth, service, education, django_capture_on_commit_callbacks
):
    parent = ResidentProfileFactory(district="pudong", date_of_birth=born_years_ago(31)).user
    ApplicationFactory(applicant=parent, service=service, routed=True)  # an open case at health...
    ApplicationFactory(applicant=parent, service=ServiceFactory(department=education), routed=True)  # and education

    change = _report_birth(parent, django_capture_on_commit_callbacks)

    events = Event.objects.filter(type=EVENT_TYPE, subject=str(change.public_id))
    assert events.count() == 2  # one per department the change reached, the same subject
    offered = Entitlement.objects.filter(person=parent).order_by("service__slug")
    assert [(e.service.slug, e.status) for e in offered] == [
        ("childbirth-allowance", EntitlementStatus.OFFERED),
        ("family-doctor-for-the-child", EntitlementStatus.OFFERED),
    ]
    assert {e.facts["answers"]["child_birth_date"] for e in offered} == {BORN.isoformat()}

    for event in events:  # the same events again: delivered twice, or handed to the listeners again
        react_to_event(event.pk)
        Event.objects.filter(pk=event.pk).update(reactions_pending=True)
        event_react(event_id=event.pk)
    assert Entitlement.objects.filter(person=parent).count() == 2

    for entitlement in offered:
        with django_capture_on_commit_callbacks(execute=True):
            entitlement_confirm(entitlement=entitlement, by=parent)
    made = Application.objects.filter(applicant=parent, service__slug__in=["childbirth-allowance",
                                                                          "family-doctor-for-the-child"])  # fmt: skip
    assert sorted((a.service.slug, a.status) for a in made) == [
        ("childbirth-allowance", Status.ROUTED),
        ("family-doctor-for-the-child", Status.ROUTED),
    ]
    assert {a.answers["child_name"] for a in made} == {"张小宝"}


def test_another_kind_of_change_offers_nothing(offers_after_a_birth, service, django_capture_on_commit_callbacks):
    parent = ResidentProfileFactory(district="pudong", date_of_birth=born_years_ago(31)).user
    ApplicationFactory(applicant=parent, service=service, routed=True)
    with django_capture_on_commit_callbacks(execute=True):
        change_report(subject=parent, reported_by=parent, kind="job",
                      data={"effective_date": BORN.isoformat(), "employer": "上海某公司"})  # fmt: skip
    assert not Entitlement.objects.filter(person=parent).exists()
