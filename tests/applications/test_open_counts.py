"""The open applications' kept counts (services.applications.backlog) equal a COUNT over the applications after
every change the services make (submit, route, claim, ask, answer, assign, release, decide, withdraw, a bulk job, a
bulk update, a delete), after a roll-up and a rebuild, and while another transaction's change is not committed."""

import threading
from collections import Counter

import pytest
from django.db import connection, transaction
from django.db.models import Count

from services.applications.actions import (
    application_assign,
    application_claim,
    application_decide,
    application_release,
    application_request_information,
    application_submit,
    application_withdraw,
    information_request_answer,
)
from services.applications.backlog import KEY, open_counts_rebuild, open_counts_roll_up
from services.applications.models import Application, InformationRequest, OpenCount, Status
from services.caseworker.actions import bulk_job_run
from services.caseworker.models import BulkJob, BulkJobItem
from services.routing.actions import application_route
from tests.factories import ApplicationFactory, StaffFactory, TeamFactory

pytestmark = pytest.mark.django_db

TOKEN = "6f1c1a52-8f8e-4f8e-9a55-3c1e2a9e6d10"  # a bulk job's form


def counted() -> Counter:
    """The open applications by key, counted from the table."""
    rows = Application.objects.open().values_list(*KEY).annotate(n=Count("*")).order_by()
    return Counter({tuple(key): n for *key, n in rows})


def kept() -> Counter:
    """The open applications by key, from the kept counts (keys that add up to none left out)."""
    totals = Counter()
    for *key, n in OpenCount.objects.values_list(*KEY, "n"):
        totals[tuple(key)] += n
    return +totals


def test_the_kept_counts_are_a_count_of_the_table_after_every_move(service, health, health_caseworker):
    team = TeamFactory(department=health)
    supervisor = StaffFactory(department=health, department__role="supervisor")
    drafts = ApplicationFactory.create_batch(2, service=service)
    assert kept() == counted() == Counter()

    steps = []
    application = drafts[0]
    steps.append(lambda: application_submit(application=application, by=application.applicant))
    steps.append(lambda: application_route(application_id=application.pk))
    steps.append(
        lambda: application_claim(application=Application.objects.get(pk=application.pk), by=health_caseworker)
    )
    steps.append(
        lambda: application_request_information(
            application=Application.objects.get(pk=application.pk), by=health_caseworker, message="?", items=["x"]
        )
    )
    steps.append(
        lambda: information_request_answer(
            information_request=InformationRequest.objects.get(application=application), by=application.applicant,
            answer="here",
        )
    )  # fmt: skip
    steps.append(
        lambda: application_release(application=Application.objects.get(pk=application.pk), by=health_caseworker)
    )
    steps.append(
        lambda: application_assign(
            application=Application.objects.get(pk=application.pk), assignee=health_caseworker, by=supervisor
        )
    )
    steps.append(
        lambda: application_decide(application=Application.objects.get(pk=application.pk), by=health_caseworker,
                                   approve=True, reason="ok")
    )  # fmt: skip
    steps.append(lambda: application_submit(application=drafts[1], by=drafts[1].applicant))
    steps.append(
        lambda: application_withdraw(application=Application.objects.get(pk=drafts[1].pk), by=drafts[1].applicant)
    )
    routed = ApplicationFactory.create_batch(3, service=service, routed=True, team=team)
    assert kept() == counted() and sum(counted().values()) == 3

    def bulk_assign():
        job = BulkJob.objects.create(created_by=supervisor, form_token=TOKEN, kind=BulkJob.Kind.ASSIGN,
                                     assignee=health_caseworker, language="en", total=2)  # fmt: skip
        BulkJobItem.objects.bulk_create([BulkJobItem(job=job, application=a) for a in routed[:2]])
        bulk_job_run(job_id=job.pk)

    steps.append(bulk_assign)
    steps.append(lambda: Application.objects.filter(pk__in=[a.pk for a in routed]).update(due_date=None, team=None))
    steps.append(lambda: Application.objects.filter(pk=routed[2].pk).delete())  # an administrator's delete
    steps.append(open_counts_roll_up)
    steps.append(open_counts_rebuild)

    for step in steps:
        step()
        assert kept() == counted(), step
    assert Application.objects.get(pk=application.pk).status == Status.APPROVED
    assert sum(counted().values()) == 2  # the two assigned by the bulk job
    assert Application.objects.filter(assignee=health_caseworker, status=Status.IN_REVIEW).count() == 2


def test_a_roll_up_adds_each_keys_rows_into_one(service):
    ApplicationFactory.create_batch(3, service=service, routed=True)
    ApplicationFactory.create_batch(2, service=service, submitted=True)
    Application.objects.filter(status=Status.SUBMITTED).update(status=Status.WITHDRAWN)
    before = kept()

    open_counts_roll_up()

    assert kept() == before == counted()
    assert OpenCount.objects.count() == len(before) == 1  # the withdrawn ones' +2 and -2 are gone


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_the_counts_stay_exact_with_a_change_not_yet_committed(service):
    """A roll-up and a rebuild while another transaction has moved an application but not committed: neither
    counts that change nor loses it, and the counts equal the table's once it commits."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL")
    routed = ApplicationFactory(service=service, routed=True)
    moved, commit = threading.Event(), threading.Event()

    def move():
        with transaction.atomic():
            Application.objects.filter(pk=routed.pk).update(status=Status.WITHDRAWN)
            moved.set()
            commit.wait(10)
        connection.close()

    other = threading.Thread(target=move)
    other.start()
    assert moved.wait(10)
    open_counts_roll_up()  # does not wait for the uncommitted change
    assert kept() == counted() == Counter({(service.department_id, None, None, Status.ROUTED, routed.due_date): 1})
    rebuilt = threading.Thread(target=lambda: (open_counts_rebuild(), connection.close()))
    rebuilt.start()  # waits for the other transaction
    rebuilt.join(0.5)
    assert rebuilt.is_alive()
    commit.set()
    other.join(10)
    rebuilt.join(10)

    assert kept() == counted() == Counter()
