"""A caseworker's bulk actions on a large selection run in the background: a job per form (posted twice, one job),
a progress page for its creator only, each item's result, the department's scope kept, the look audited, and a job
that is run again (a redelivered message, a sweep) does nothing twice."""

import datetime as dt

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from services.applications.models import Status
from services.audit.models import AuditAction, AuditEntry
from services.caseworker.actions import bulk_job_run
from services.caseworker.models import BulkJob, BulkJobItem
from services.caseworker.tasks import sweep_bulk_jobs
from tests.factories import ApplicationFactory, ServiceFactory, StaffFactory

from .conftest import CHANGELIST, logged_in

pytestmark = pytest.mark.django_db

TOKEN = "6f1c1a52-8f8e-4f8e-9a55-3c1e2a9e6d10"


@pytest.fixture
def threshold(settings):
    settings.CASEWORKER_BULK_BACKGROUND_THRESHOLD = 2
    return 2


def assign(client, applications, assignee, **extra):
    """Post the assign form's second step as the page does (with its one-time token)."""
    return client.post(
        CHANGELIST,
        {
            "action": "assign_selected",
            ACTION_CHECKBOX_NAME: [a.pk for a in applications],
            "apply": "1",
            "assignee": assignee.pk,
            "bulk_token": TOKEN,
            **extra,
        },
    )


def test_a_large_assignment_runs_in_the_background_with_each_items_result(
    threshold, health_supervisor, health_caseworker, health, service, django_capture_on_commit_callbacks
):
    """Above the threshold the form leads to the progress page; the task assigns each one and records why one could
    not be (here: the caseworker is its applicant)."""
    selected = ApplicationFactory.create_batch(3, service=service, routed=True)
    own = ApplicationFactory(service=service, routed=True, applicant=health_caseworker)
    client = logged_in(health_supervisor)

    with django_capture_on_commit_callbacks(execute=True) as published:
        response = assign(client, [*selected, own], health_caseworker)

    job = BulkJob.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "admin:applications_application_bulk_job", args=[job.public_id]
    )
    assert len(published) == 1  # the task, after the commit
    job.refresh_from_db()
    assert (job.status, job.total, job.kind) == (BulkJob.Status.DONE, 4, BulkJob.Kind.ASSIGN)
    for application in selected:
        application.refresh_from_db()
        assert (application.status, application.assignee) == (Status.IN_REVIEW, health_caseworker)
    failed = job.items.get(result=BulkJobItem.Result.FAILED)
    assert failed.application == own and "cannot handle" in failed.message

    page = client.get(response.url)
    html = page.content.decode()
    assert "4 of 4 handled: 3 done, 1 not done." in html and 'value="4"' in html and "<progress" in html
    assert html.index(own.reference) < html.index(selected[0].reference)  # not done first
    assert 'http-equiv="refresh"' not in html  # done: nothing left to wait for
    entries = AuditEntry.objects.filter(action=AuditAction.ASSIGN, detail=f"bulk {job.public_id}")
    assert {entry.application for entry in entries} == {*selected, own}


def test_the_same_form_posted_twice_starts_one_job(threshold, health_supervisor, health_caseworker, service,
                                                   django_capture_on_commit_callbacks):  # fmt: skip
    selected = ApplicationFactory.create_batch(3, service=service, routed=True)
    client = logged_in(health_supervisor)

    with django_capture_on_commit_callbacks(execute=False) as published:
        first = assign(client, selected, health_caseworker)
        second = assign(client, selected, health_caseworker)

    assert first.url == second.url and BulkJob.objects.count() == 1 and len(published) == 1
    assert AuditEntry.objects.filter(action=AuditAction.ASSIGN).count() == 3  # audited once
    other = assign(client, selected, health_caseworker, bulk_token="0b0b0b0b-8f8e-4f8e-9a55-3c1e2a9e6d10")
    assert other.url != first.url  # another form is another job


def test_a_small_selection_is_still_assigned_at_once(threshold, health_supervisor, health_caseworker, service):
    selected = ApplicationFactory.create_batch(2, service=service, routed=True)

    response = assign(logged_in(health_supervisor), selected, health_caseworker)

    assert response.status_code == 302 and response.url.startswith(CHANGELIST)
    assert not BulkJob.objects.exists()


def test_the_progress_page_reloads_itself_only_when_asked_and_only_until_done(health_supervisor, service):
    job = BulkJob.objects.create(created_by=health_supervisor, form_token=TOKEN, kind=BulkJob.Kind.ASSIGN,
                                 assignee=health_supervisor, language="en", total=2)  # fmt: skip
    for application in ApplicationFactory.create_batch(2, service=service, routed=True):
        BulkJobItem.objects.create(job=job, application=application)
    url = reverse("admin:applications_application_bulk_job", args=[job.public_id])
    client = logged_in(health_supervisor)

    plain = client.get(url).content.decode()
    reloading = client.get(url, {"refresh": "auto"}).content.decode()
    job.items.update(result=BulkJobItem.Result.DONE)
    BulkJob.objects.filter(pk=job.pk).update(status=BulkJob.Status.DONE)
    done = client.get(url, {"refresh": "auto"}).content.decode()

    assert 'http-equiv="refresh"' not in plain and "Reload now" in plain and 'href="?refresh=auto"' in plain
    assert '<meta http-equiv="refresh" content="3">' in reloading and "Stop reloading" in reloading
    assert "0 of 2 handled" in plain and 'value="0"' in plain
    assert 'http-equiv="refresh"' not in done and "2 of 2 handled: 2 done, 0 not done." in done


def test_only_its_creator_sees_a_job(health_supervisor, health, education_caseworker, service):
    job = BulkJob.objects.create(created_by=health_supervisor, form_token=TOKEN, kind=BulkJob.Kind.ASSIGN,
                                 language="en")  # fmt: skip
    url = reverse("admin:applications_application_bulk_job", args=[job.public_id])

    assert logged_in(StaffFactory(department=health)).get(url).status_code == 404
    assert logged_in(education_caseworker).get(url).status_code == 404


def test_an_item_outside_the_creators_queues_now_is_not_done(health_supervisor, health_caseworker, education):
    """The task checks each application against its creator's queues as they are when it runs."""
    elsewhere = ApplicationFactory(service=ServiceFactory(department=education), routed=True)
    job = BulkJob.objects.create(created_by=health_supervisor, form_token=TOKEN, kind=BulkJob.Kind.ASSIGN,
                                 assignee=health_caseworker, language="en", total=1)  # fmt: skip
    BulkJobItem.objects.create(job=job, application=elsewhere)

    bulk_job_run(job_id=job.pk)

    item = job.items.get()
    assert (item.result, item.message) == (BulkJobItem.Result.FAILED, "Not in your queues (any more).")
    elsewhere.refresh_from_db()
    assert elsewhere.assignee is None


def test_a_job_run_again_does_nothing_twice_and_the_sweep_finds_a_lost_one(
    health_supervisor, health_caseworker, service, django_capture_on_commit_callbacks
):
    selected = ApplicationFactory.create_batch(2, service=service, routed=True)
    job = BulkJob.objects.create(created_by=health_supervisor, form_token=TOKEN, kind=BulkJob.Kind.ASSIGN,
                                 assignee=health_caseworker, language="en", total=2)  # fmt: skip
    for application in selected:
        BulkJobItem.objects.create(job=job, application=application)
    BulkJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - dt.timedelta(hours=1))  # its message lost

    assert sweep_bulk_jobs() == 1  # published again (run in-process here)
    bulk_job_run(job_id=job.pk)  # a redelivered message

    job.refresh_from_db()
    assert job.status == BulkJob.Status.DONE
    assert set(job.items.values_list("result", flat=True)) == {BulkJobItem.Result.DONE}
    assert sum(application.events.count() for application in selected) == 2  # each assigned once
    assert sweep_bulk_jobs() == 0


def test_a_large_routing_retry_runs_in_the_background_too(threshold, superuser, service,
                                                          django_capture_on_commit_callbacks):  # fmt: skip
    """An administrator's retry of many failed routings: a job of the failed ones only, each flag cleared once."""
    failed = [ApplicationFactory(service=service, submitted=True, routing_failed_at=timezone.now()) for _ in range(3)]
    fine = ApplicationFactory(service=service, submitted=True)
    client = logged_in(superuser)

    with django_capture_on_commit_callbacks(execute=False):  # routing itself is not this test's business
        response = client.post(CHANGELIST, {"action": "retry_routing", "bulk_token": TOKEN,
                                            ACTION_CHECKBOX_NAME: [a.pk for a in [*failed, fine]]})  # fmt: skip
        job = BulkJob.objects.get()
        bulk_job_run(job_id=job.pk)

    assert response.url == reverse("admin:applications_application_bulk_job", args=[job.public_id])
    assert (job.kind, job.items.count()) == (BulkJob.Kind.RETRY_ROUTING, 3)
    assert set(job.items.values_list("result", flat=True)) == {BulkJobItem.Result.DONE}
    for application in failed:
        application.refresh_from_db()
        assert application.routing_failed_at is None
