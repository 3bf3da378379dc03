"""A supervisor's bulk assignment of a large selection, run by a real Celery worker on the default queue against
PostgreSQL and Redis: the form leads to the progress page, the worker assigns each application once, the page shows
the figures and each result; the form sent twice and the job's message delivered again change nothing more."""

import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client

from portal.celery import app as celery_app
from services.accounts.models import DepartmentMembership
from services.applications.models import ApplicationEvent, Status
from services.caseworker.models import BulkJob, BulkJobItem
from services.caseworker.tasks import run_bulk_job
from services.common.tasks import publish
from tests.conftest import staff_login
from tests.factories import ApplicationFactory, StaffFactory

from .conftest import Worker, wait_for, worker_env

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

CHANGELIST = "/admin/applications/application/"


@pytest.fixture
def default_worker(real_services):
    """A worker for the default queue (in production the routing worker consumes it too), this test publishing
    to Redis."""
    worker = Worker(worker_env(real_services), "default", "bulk-default").start()
    celery_app.conf.task_always_eager = False
    yield worker
    celery_app.conf.task_always_eager = True
    worker.stop()


def test_a_large_assignment_is_done_by_the_worker_once(default_worker, settings, service, health,
                                                        health_caseworker):  # fmt: skip
    settings.CASEWORKER_BULK_BACKGROUND_THRESHOLD = 10
    supervisor = StaffFactory(department=health, department__role=DepartmentMembership.Role.SUPERVISOR)
    selected = ApplicationFactory.create_batch(30, service=service, routed=True)
    staff = staff_login(Client(headers={"accept-language": "en"}), supervisor)
    form = staff.post(CHANGELIST, {"action": "assign_selected", ACTION_CHECKBOX_NAME: [a.pk for a in selected]})
    token = re.search(r'name="bulk_token" value="([0-9a-f-]+)"', form.content.decode()).group(1)
    apply = {"action": "assign_selected", ACTION_CHECKBOX_NAME: [a.pk for a in selected], "apply": "1",
             "assignee": health_caseworker.pk, "bulk_token": token}  # fmt: skip

    first, second = staff.post(CHANGELIST, apply), staff.post(CHANGELIST, apply)  # a double click

    assert first.status_code == second.status_code == 302 and first.url == second.url
    job = BulkJob.objects.get()
    wait_for(lambda: BulkJob.objects.filter(pk=job.pk, status=BulkJob.Status.DONE).exists(),
             what="the job to finish", workers=[default_worker])  # fmt: skip
    assert set(job.items.values_list("result", flat=True)) == {BulkJobItem.Result.DONE}
    assert all(a.status == Status.IN_REVIEW and a.assignee == health_caseworker
               for a in (type(a).objects.get(pk=a.pk) for a in selected))  # fmt: skip
    page = staff.get(first.url).content.decode()
    assert "30 of 30 handled: 30 done, 0 not done." in page and 'http-equiv="refresh"' not in page

    # the job's message delivered again: nothing is assigned a second time
    publish(run_bulk_job, (job.pk,))
    publish(run_bulk_job, (job.pk,))
    assigned = ApplicationEvent.objects.filter(application__in=selected, message=health_caseworker.email)
    wait_for(lambda: default_worker.log.read_text().count("succeeded") >= 3, what="the redeliveries",
             workers=[default_worker])  # fmt: skip
    assert assigned.count() == 30
