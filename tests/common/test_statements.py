"""A statement built once per process runs with new values exactly as the ORM would build it for them; it is kept
only when its parameters are its values, each once and unchanged, and otherwise built again on every run."""

import datetime as dt

import pytest
from django.db import DatabaseError, connection
from django.db.models import Value
from django.db.models.functions import Upper
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from services.accounts.models import User
from services.applications.actions import application_id_reserve
from services.applications.models import Application, ApplicationEvent
from services.common.statements import Statement, row_insert, row_update
from tests.factories import ApplicationFactory, ServiceFactory, UserFactory

pytestmark = pytest.mark.django_db


def _counted(build):
    """``build``, counting its calls (each a statement the ORM built)."""

    def counted(*values):
        counted.calls += 1
        return build(*values)

    counted.calls = 0
    return counted


def _joined_since(after, since):
    return User.objects.filter(pk__gt=after, date_joined__gte=since).order_by("email").values_list("email")


def test_a_kept_read_runs_with_new_values_as_the_orm_would():
    now = timezone.now()
    users = [UserFactory(date_joined=now - dt.timedelta(days=days)) for days in (1, 2, 3, 4)]
    build = _counted(_joined_since)
    statement = Statement(User, build)

    for after, days in ((0, 5), (users[1].pk, 5), (0, 2), (users[0].pk, 3), (users[3].pk, 1)):
        since = now - dt.timedelta(days=days, minutes=1)
        assert statement.rows(after, since) == list(_joined_since(after, since))

    # Built once, and once more for probe values. A date and time reaches PostgreSQL unchanged: kept. SQLite's
    # adapter turns it into text: built again for each run.
    assert build.calls == (2 if connection.vendor == "postgresql" else 6)


def test_a_value_that_shapes_the_sql_is_never_kept():
    """``is_active=True`` is ``WHERE is_active``, with no parameter: SQL kept from it would answer False wrongly."""
    active, inactive = UserFactory(is_active=True), UserFactory(is_active=False)
    build = _counted(lambda flag: User.objects.filter(is_active=flag).order_by("pk").values_list("pk"))
    statement = Statement(User, build)

    assert (active.pk,) in statement.rows(True) and (inactive.pk,) not in statement.rows(True)
    assert (inactive.pk,) in statement.rows(False) and (active.pk,) not in statement.rows(False)
    assert build.calls == 5  # and once for probe values


def test_equal_values_are_told_apart_by_probe_values():
    first, second = UserFactory(), UserFactory()
    build = _counted(lambda pk, other: User.objects.filter(pk__in=(pk, other)).order_by("pk").values_list("pk"))
    statement = Statement(User, build)

    # One parameter for two equal values (IN dedupes them), two for the probes: not the same SQL, never kept
    assert statement.rows(first.pk, first.pk) == [(first.pk,)]
    assert statement.rows(first.pk, second.pk) == [(first.pk,), (second.pk,)]
    assert build.calls == 3

    by_id = _counted(lambda pk, other: User.objects.filter(pk__gte=pk, pk__lte=other).order_by("pk").values_list("pk"))
    between = Statement(User, by_id)
    assert between.rows(first.pk, first.pk) == [(first.pk,)]
    assert between.rows(first.pk, second.pk) == [(first.pk,), (second.pk,)]
    assert between.rows(second.pk, second.pk) == [(second.pk,)]
    assert by_id.calls == 2  # the first run and its probe values; kept on either database (ids pass unchanged)


def test_a_kept_update_changes_the_rows_its_new_values_pick():
    first, second = UserFactory(is_active=True), UserFactory(is_active=True)
    build = _counted(lambda pk, active: (User.objects.filter(pk=pk), {"is_active": active}))
    statement = Statement(User, build)

    assert statement.write(first.pk, False) == 1
    assert statement.write(second.pk, False) == 1
    assert statement.write(-1, True) == 0

    assert build.calls == 2  # and once for probe values
    assert list(User.objects.filter(pk__in=(first.pk, second.pk)).values_list("is_active", flat=True)) == [False, False]


def test_a_read_gives_each_value_as_the_orm_reads_it():
    """A JSON field's text parsed (and, on SQLite, a date and time): the compiler's converters, kept with the SQL."""
    application = ApplicationFactory(answers={"name": "张三", "copies": 2})
    read = Statement(Application, lambda pk: Application.objects.filter(pk=pk).values_list("answers", "created_at"))

    for _run in range(2):  # built, then kept (on PostgreSQL)
        rows = read.rows(application.pk)
        assert rows == list(Application.objects.filter(pk=application.pk).values_list("answers", "created_at"))
        assert rows[0][0] == {"name": "张三", "copies": 2}


def test_a_query_that_refuses_the_probe_values_still_runs_and_is_built_each_time():
    user = UserFactory(email="probe@example.test")

    def by_email(email):
        by_email.calls += 1
        if "@" not in email:  # as a query that checks its value before it builds
            raise ValueError("not an address")
        return User.objects.filter(email=email).values_list("pk")

    by_email.calls = 0
    statement = Statement(User, by_email)

    assert statement.rows(user.email) == [(user.pk,)]
    assert statement.rows(user.email) == [(user.pk,)]
    assert by_email.calls == 3  # the first run, its refused probe, the second run


def _row(model, pk) -> dict:
    return model.objects.filter(pk=pk).values().get()


def test_a_kept_insert_writes_the_row_the_orms_save_writes_and_gives_the_object_its_id():
    """The first insert of a model is compiled by the ORM and kept; those after run the kept SQL with each value
    through its field: the same SQL, and rows equal to the ORM's save of an equal object."""
    applicant, actor = UserFactory(), UserFactory()
    application = ApplicationFactory(applicant=applicant)
    made = [ApplicationEvent(application=application, actor=actor, to_status="submitted") for _ in range(3)]
    with CaptureQueriesContext(connection) as kept:
        for event in made:
            row_insert(event)
    saved = ApplicationEvent(application=application, actor=actor, to_status="submitted")
    with CaptureQueriesContext(connection) as orm:
        saved.save(force_insert=True)

    assert {q["sql"].split(" VALUES ")[0] for q in kept.captured_queries} == {
        orm.captured_queries[0]["sql"].split(" VALUES ")[0]
    }
    assert all(event.pk and not event._state.adding and event._state.db == "default" for event in made)
    assert len({event.pk for event in made}) == 3
    ignore = {"id", "created_at"}
    rows = [{k: v for k, v in _row(ApplicationEvent, e.pk).items() if k not in ignore} for e in [*made, saved]]
    assert rows[0] == rows[1] == rows[2] == rows[3]
    assert _row(ApplicationEvent, made[2].pk)["created_at"] == made[2].created_at  # auto_now_add, through pre_save


def test_inserts_of_rows_with_their_ids_go_in_one_round_trip_on_postgresql():
    """Rows given their ids before (an application with its reserved id) go with the row after them in one round
    trip on PostgreSQL, each written as its own insert writes it; the last one's returned values are set on it. Where
    one is saved the ORM's way, those before it go first, in order. SQLite takes one statement at a time."""
    application = Application(applicant=UserFactory(), service=ServiceFactory(), reference="TST-2026-TOGETHER")
    application_id_reserve(application)  # its id from the sequence on PostgreSQL; SQLite's comes with its insert
    event = ApplicationEvent(application=application, to_status="submitted")
    with CaptureQueriesContext(connection) as together:
        row_insert(application, event)
    signalled = ApplicationEvent(application=application, to_status="approved", message=Upper(Value("said")))
    after = ApplicationEvent(application=application, to_status="routed")
    with CaptureQueriesContext(connection) as apart:
        row_insert(ApplicationEvent(application=application, to_status="in_review"), signalled, after)

    postgresql = connection.vendor == "postgresql"
    assert len(together) == (1 if postgresql else 2)
    assert len(apart) == 3  # the one before the ORM's save alone: an event returns values it does not hold
    assert Application.objects.get(pk=application.pk).reference == application.reference
    assert not application._state.adding and not event._state.adding and event.announced is not None
    events = ApplicationEvent.objects.filter(application=application).order_by("pk")
    assert list(events.values_list("to_status", "message")) == [
        ("submitted", ""),
        ("in_review", ""),
        ("approved", "SAID"),
        ("routed", ""),
    ]
    assert [e.pk for e in events] == [event.pk, events[1].pk, signalled.pk, after.pk]


def test_an_insert_with_a_save_signal_listened_to_is_the_orms_save():
    heard = []

    def listener(sender, instance, created, **kwargs):
        heard.append((instance.pk, created))

    post_save.connect(listener, sender=ApplicationEvent, dispatch_uid="test-row-insert")
    try:
        event = ApplicationEvent(application=ApplicationFactory(), to_status="submitted")
        row_insert(event)
    finally:
        post_save.disconnect(dispatch_uid="test-row-insert", sender=ApplicationEvent)

    assert heard == [(event.pk, True)]


def test_an_insert_with_an_expression_for_a_value_is_the_orms_save():
    application = ApplicationFactory()
    row_insert(ApplicationEvent(application=application, to_status="submitted"))  # kept

    event = ApplicationEvent(application=application, to_status="submitted", message=Upper(Value("said")))
    row_insert(event)

    assert _row(ApplicationEvent, event.pk)["message"] == "SAID"


def test_kept_objects_are_the_orms_with_what_they_select_related():
    """Instances read by a kept statement equal the ORM's, their related objects loaded with them (no query)."""
    applications = [ApplicationFactory() for _ in range(3)]
    build = _counted(
        lambda applicant_id, public_id: (
            Application.objects.filter(applicant_id=applicant_id, public_id=public_id)
            .select_related("service__department", "form_version")
            .order_by("pk")
        )
    )
    statement = Statement(Application, build)

    for application in [*applications, applications[0]]:
        (read,) = statement.objects(application.applicant_id, application.public_id)
        orm = Application.objects.get(pk=application.pk)
        with CaptureQueriesContext(connection) as queries:
            related = (read.service.department.code, read.form_version.schema)
        assert not queries.captured_queries
        assert related == (orm.service.department.code, orm.form_version.schema)
        assert [getattr(read, f.attname) for f in Application._meta.concrete_fields] == [
            getattr(orm, f.attname) for f in Application._meta.concrete_fields
        ]
        assert not read._state.adding and read._state.db == "default"
    assert statement.objects(applications[0].applicant_id, applications[1].public_id) == []
    # Kept on PostgreSQL (built once, and once for probes); SQLite's adapter turns the UUID into text: built each run.
    assert build.calls == (2 if connection.vendor == "postgresql" else 6)


def test_a_kept_update_writes_what_the_orms_save_of_those_fields_writes():
    """row_update writes exactly the fields named, each through its field (the auto_now one stamped, a relation by
    its id), as ``save(update_fields=...)`` does."""
    assignee = UserFactory()
    kept, orm = ApplicationFactory(), ApplicationFactory()
    fields = ["status", "assignee", "updated_at", "status"]
    for application in (kept, orm):
        application.status, application.assignee, application.priority = "routed", assignee, 7  # priority not saved
    with CaptureQueriesContext(connection) as queries:
        row_update(kept, fields)
    before = kept.updated_at
    kept.status = "in_review"
    row_update(kept, fields)
    orm.save(update_fields=fields[:3])

    assert len(queries) == 1 and queries.captured_queries[0]["sql"].startswith('UPDATE "applications_application" SET')
    assert kept.updated_at > before
    assert _row(Application, kept.pk)["updated_at"] == kept.updated_at
    assert {k: _row(Application, kept.pk)[k] for k in ("status", "assignee_id", "priority")} == {
        "status": "in_review",
        "assignee_id": assignee.pk,
        "priority": _row(Application, orm.pk)["priority"],  # as the ORM's: not among the fields, not written
    }
    assert (_row(Application, orm.pk)["status"], _row(Application, orm.pk)["assignee_id"]) == ("routed", assignee.pk)


def test_a_kept_update_of_a_row_gone_fails_as_the_orms_save_does():
    application = ApplicationFactory()
    row_update(application, ["status"])  # kept
    Application.objects.filter(pk=application.pk).delete()

    with pytest.raises(DatabaseError, match="did not affect any rows"):
        row_update(application, ["status"])
    with pytest.raises(DatabaseError, match="did not affect any rows"):
        application.save(update_fields=["status"])


def test_an_update_with_a_save_signal_listened_to_is_the_orms_save():
    heard = []

    def listener(sender, instance, update_fields, **kwargs):
        heard.append((instance.pk, set(update_fields)))

    application = ApplicationFactory()
    post_save.connect(listener, sender=Application, dispatch_uid="test-row-update")
    try:
        row_update(application, ["status"])
    finally:
        post_save.disconnect(dispatch_uid="test-row-update", sender=Application)

    assert heard == [(application.pk, {"status"})]
