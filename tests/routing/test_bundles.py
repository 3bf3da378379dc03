"""Life-event bundles ("one thing, one time"): one form and one submission, one application per service in its
department's queue, and one combined status for the resident."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from services.applications.models import Application, Status
from services.common.errors import NotAllowed, ValidationFailed
from services.routing.actions import bundle_submit
from services.routing.models import Bundle, BundleService, BundleSubmission
from services.routing.selectors import BundleStatus, bundle_form_schema, bundle_services, bundle_submission_progress
from tests.factories import DepartmentFactory, ServiceFactory, UserFactory

pytestmark = pytest.mark.django_db


def schema(required, **properties):
    return {"type": "object", "required": required, "properties": properties}


CHILD_NAME = {"type": "string", "title": "Child's name", "x-title-zh": "儿童姓名", "maxLength": 50}
BIRTH_DATE = {"type": "string", "format": "date", "title": "Child's date of birth", "x-title-zh": "儿童出生日期"}


@pytest.fixture
def new_baby(health):
    insurance = DepartmentFactory(code="insurance", reference_prefix="INS")
    services = [
        ServiceFactory(
            department=health,
            slug="maternal-health-record",
            processing_days=5,
            form_schema=schema(["mother_name"], mother_name={"type": "string", "title": "Mother's name"}),
        ),
        ServiceFactory(
            department=health,
            slug="child-vaccination-booking",
            processing_days=3,
            form_schema=schema(["child_name", "child_birth_date"], child_name=CHILD_NAME, child_birth_date=BIRTH_DATE),
        ),
        ServiceFactory(
            department=insurance,
            slug="childbirth-insurance-benefit",
            processing_days=10,
            form_schema=schema(
                ["child_birth_date", "bank_account"],
                child_birth_date={**BIRTH_DATE, "title": "Date of birth (insurance wording)"},
                child_name=CHILD_NAME,
                bank_account={"type": "string", "title": "Bank account", "maxLength": 30},
            ),
        ),
    ]
    bundle = Bundle.objects.create(slug="new-baby", title_zh="生孩子", title_en="New baby")
    for position, service in enumerate(services):
        BundleService.objects.create(bundle=bundle, service=service, position=position)
    return bundle


ANSWERS = {"mother_name": "韩梅梅", "child_name": "李小雷", "child_birth_date": "2026-11-20", "bank_account": "6222001"}


def test_the_bundle_form_asks_each_shared_question_once(new_baby):
    """The combined form is the union of the services' questions in the bundle's order; a question two services
    share is asked once (the first service's wording), and required when any service requires it."""
    combined = bundle_form_schema(services=bundle_services(bundle=new_baby))

    assert list(combined["properties"]) == ["mother_name", "child_name", "child_birth_date", "bank_account"]
    assert combined["properties"]["child_birth_date"]["title"] == "Child's date of birth"
    assert combined["required"] == ["mother_name", "child_name", "child_birth_date", "bank_account"]


def test_one_submission_fans_out_to_one_application_per_service_in_each_departments_queue(
    new_baby, resident, django_capture_on_commit_callbacks
):
    """Each service gets its own application with its own answers, submitted together and routed to its
    department: two land in the health queue, one in the insurance queue."""
    with django_capture_on_commit_callbacks(execute=True):
        submission = bundle_submit(bundle=new_baby, applicant=resident, answers=ANSWERS)

    parts = {a.service.slug: a for a in submission.applications.select_related("service", "department")}
    assert set(parts) == {"maternal-health-record", "child-vaccination-booking", "childbirth-insurance-benefit"}
    assert parts["maternal-health-record"].answers == {"mother_name": "韩梅梅"}
    assert parts["child-vaccination-booking"].answers == {"child_name": "李小雷", "child_birth_date": "2026-11-20"}
    assert parts["childbirth-insurance-benefit"].answers == {
        "child_name": "李小雷",
        "child_birth_date": "2026-11-20",
        "bank_account": "6222001",
    }
    assert {a.status for a in parts.values()} == {Status.ROUTED}
    assert {slug: a.department.code for slug, a in parts.items()} == {
        "maternal-health-record": "health",
        "child-vaccination-booking": "health",
        "childbirth-insurance-benefit": "insurance",
    }
    assert all(a.applicant == resident and a.due_date for a in parts.values())


def test_nothing_is_saved_unless_every_part_is_valid(new_baby, resident):
    """A missing or wrong answer is reported by question name; no submission or application is left behind."""
    with pytest.raises(ValidationFailed) as error:
        bundle_submit(bundle=new_baby, applicant=resident, answers={**ANSWERS, "child_birth_date": "soon"})
    assert set(error.value.errors) == {"child_birth_date"}

    closed = new_baby.items.last().service
    closed.is_active = False
    closed.save()
    with pytest.raises(NotAllowed):
        bundle_submit(bundle=new_baby, applicant=resident, answers=ANSWERS)

    assert not BundleSubmission.objects.exists()
    assert not Application.objects.exists()


def test_the_resident_sees_one_combined_status_while_each_department_decides_its_part(
    new_baby, resident, django_capture_on_commit_callbacks
):
    """In progress; waiting for the resident as soon as one part asks; all decided when the last part is."""
    with django_capture_on_commit_callbacks(execute=True):
        submission = bundle_submit(bundle=new_baby, applicant=resident, answers=ANSWERS)
    parts = list(submission.applications.order_by("pk"))

    progress = bundle_submission_progress(submission=submission)
    assert (progress.status, progress.decided) == (BundleStatus.IN_PROGRESS, 0)
    assert progress.due_date == max(part.due_date for part in parts)

    Application.objects.filter(pk=parts[1].pk).update(status=Status.AWAITING_INFORMATION)
    Application.objects.filter(pk=parts[0].pk).update(status=Status.APPROVED, decided_at=timezone.now())
    progress = bundle_submission_progress(submission=submission)
    assert (progress.status, progress.decided) == (BundleStatus.ACTION_NEEDED, 1)

    Application.objects.filter(pk=parts[1].pk).update(status=Status.REJECTED, decided_at=timezone.now())
    Application.objects.filter(pk=parts[2].pk).update(status=Status.APPROVED, decided_at=timezone.now())
    progress = bundle_submission_progress(submission=submission)
    assert (progress.status, progress.decided, progress.due_date) == (BundleStatus.COMPLETED, 3, None)


def test_a_resident_applies_for_a_bundle_on_the_web(new_baby, resident, django_capture_on_commit_callbacks):
    """One page asks every question once; submitting leads to the combined status, which only its owner can see."""
    client = Client(headers={"accept-language": "en"})
    client.force_login(resident)
    assert "New baby" in client.get(reverse("bundles:list")).content.decode()
    page = client.get(reverse("bundles:apply", args=["new-baby"])).content.decode()
    assert page.count('name="child_birth_date"') == 1

    refused = client.post(reverse("bundles:apply", args=["new-baby"]), {**ANSWERS, "mother_name": ""})
    assert refused.status_code == 200
    assert "There is a problem" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("bundles:apply", args=["new-baby"]), ANSWERS)

    submission = BundleSubmission.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("bundles:submission", args=[submission.public_id])
    status_page = client.get(response["Location"]).content.decode()
    assert "In progress" in status_page
    assert "0 of 3 parts decided." in status_page
    for application in submission.applications.all():
        assert application.reference in status_page

    stranger = Client()
    stranger.force_login(UserFactory())
    assert stranger.get(response["Location"]).status_code == 404
