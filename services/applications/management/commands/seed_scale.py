"""Seed residents and applications at city scale for benchmarks (re-runnable: it tops up to the numbers asked).

On PostgreSQL rows go in with COPY in batches (about a minute per million applications on two cores);
elsewhere with bulk_create. Seeded residents are ``seed<N>@seed.portal``; seeded references carry an
``S`` (``HLT-2026-S0000042``), so a second run counts what is there and adds only what is missing.
"""

import csv
import datetime as dt
import functools
import io
import json
import random
import sys
import time

from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from services.accounts.models import DepartmentMembership, District, ResidentProfile, User
from services.accounts.validators import resident_id_check_character
from services.applications.models import Application, ApplicationEvent, Channel, Status
from services.calendar.selectors import working_calendar
from services.catalogue.models import Department, Service
from services.routing.models import Team

SEED_DOMAIN = "seed.portal"
BENCH_RESIDENT = f"seed0@{SEED_DOMAIN}"
CASEWORKER = f"health.caseworker@{SEED_DOMAIN}"
BENCH_PASSWORD = "seed-portal-password"  # noqa: S105  # nosec B105  # benchmark data only, never in production

# How seeded applications are spread over the lifecycle (weights), with the moves each one went through.
STATUS_WEIGHTS = {
    Status.DRAFT: 5,
    Status.ROUTED: 20,
    Status.IN_REVIEW: 20,
    Status.AWAITING_INFORMATION: 5,
    Status.APPROVED: 35,
    Status.REJECTED: 10,
    Status.WITHDRAWN: 5,
}
PATHS = {
    Status.DRAFT: [],
    Status.ROUTED: [Status.SUBMITTED, Status.ROUTED],
    Status.IN_REVIEW: [Status.SUBMITTED, Status.ROUTED, Status.IN_REVIEW],
    Status.AWAITING_INFORMATION: [Status.SUBMITTED, Status.ROUTED, Status.IN_REVIEW, Status.AWAITING_INFORMATION],
    Status.APPROVED: [Status.SUBMITTED, Status.ROUTED, Status.IN_REVIEW, Status.APPROVED],
    Status.REJECTED: [Status.SUBMITTED, Status.ROUTED, Status.IN_REVIEW, Status.REJECTED],
    Status.WITHDRAWN: [Status.SUBMITTED, Status.ROUTED, Status.WITHDRAWN],
}


class Progress:
    """A one-line progress bar on stderr: done/total, percentage and rate."""

    def __init__(self, label: str, total: int):
        self.label, self.total, self.done, self.resumed_at, self.started = label, total, 0, 0, time.monotonic()

    def resume(self, done: int) -> None:
        self.done = self.resumed_at = done
        self.advance(0)

    def advance(self, count: int) -> None:
        self.done += count
        share = self.done / self.total if self.total else 1
        rate = (self.done - self.resumed_at) / max(time.monotonic() - self.started, 1e-6)
        bar = "#" * int(share * 30)
        sys.stderr.write(f"\r{self.label:13} [{bar:30}] {share:6.1%} {self.done:,}/{self.total:,} {rate:,.0f}/s")
        if self.done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def seed_id_number(index: int) -> str:
    """Return a valid, unique resident ID number for seeded resident ``index`` (registered in Pudong)."""
    born = dt.date(1950, 1, 1) + dt.timedelta(days=index // 999)
    first17 = f"310115{born:%Y%m%d}{index % 999 + 1:03d}"
    return first17 + resident_id_check_character(first17)


def _row(instance, fields) -> list:
    for field in fields:
        if getattr(instance, field.attname) is None:
            field.pre_save(instance, add=True)  # auto_now(_add) timestamps the seed did not set itself
    # Plain Python values: COPY's CSV reads their text forms (ISO dates and times with offsets, UUIDs, True).
    return [
        json.dumps(getattr(instance, f.attname))
        if f.get_internal_type() == "JSONField"
        else getattr(instance, f.attname)
        for f in fields
    ]


def insert(model, instances: list) -> None:
    """Insert model instances fast: COPY on PostgreSQL, bulk_create elsewhere (primary keys are not needed back)."""
    if connection.vendor != "postgresql":
        model.objects.bulk_create(instances, batch_size=2000)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for instance in instances:
        writer.writerow(["\\N" if v is None else v for v in _row(instance, fields)])
    buffer.seek(0)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {model._meta.db_table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer)


class Command(BaseCommand):
    help = "Create residents and applications at scale for benchmarks (re-runnable, shows progress)."

    def add_arguments(self, parser):
        parser.add_argument("--residents", type=int, default=100_000)
        parser.add_argument("--applications", type=int, default=1_000_000)
        parser.add_argument("--batch", type=int, default=10_000)

    def handle(self, *args, residents, applications, batch, **options):
        call_command("load_catalogue", verbosity=0)
        self.random = random.Random(2026)  # noqa: S311  # nosec B311  # reproducible data, not security
        self.password = make_password(BENCH_PASSWORD)
        self.calendar = working_calendar()
        self.services = list(Service.objects.active().select_related("department"))
        self.teams = {t.department_id: t for t in Team.objects.order_by("code")}
        self.staff = self._staff()
        self._seed_residents(residents, batch)
        self._seed_applications(applications, batch)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # Every table, as autovacuum has done on a database in use (and a machine may run PostgreSQL
                # without it: this one does): statistics for the planner, and the visibility map set, so that the
                # index-only scans (the queue's capped count) read no heap; after ANALYZE alone the planner chose a
                # bitmap scan of every open application of the department.
                cursor.execute("VACUUM (ANALYZE)")
                # And its writes on disk now, not by the checkpoint that spreads them over the next minutes: on a
                # new machine that checkpoint ran under the bench's first paths (the bare create gave 531 req/s
                # then, 857 once it was done).
                cursor.execute("CHECKPOINT")
        self.stdout.write(self.style.SUCCESS(f"{residents:,} residents and {applications:,} applications in place."))

    def _staff(self) -> dict[int, User]:
        """A seeded caseworker per department (the health one is the benchmark's caseworker login)."""
        staff = {}
        for department in Department.objects.all():
            user, _ = User.objects.get_or_create(
                email=f"{department.code}.caseworker@{SEED_DOMAIN}",
                defaults={"is_staff": True, "password": self.password},
            )
            DepartmentMembership.objects.get_or_create(user=user, department=department)
            staff[department.pk] = user
        return staff

    def _seed_residents(self, total: int, batch: int) -> None:
        existing = User.objects.filter(email__endswith=f"@{SEED_DOMAIN}", is_staff=False).count()
        progress = Progress("residents", total)
        progress.resume(existing)
        districts = [d.value for d in District]
        for start in range(existing, total, batch):
            stop = min(start + batch, total)
            with transaction.atomic():
                insert(User, [User(email=f"seed{i}@{SEED_DOMAIN}", password=self.password) for i in range(start, stop)])
                ids = dict(
                    User.objects.filter(email__in=[f"seed{i}@{SEED_DOMAIN}" for i in range(start, stop)]).values_list(
                        "email", "pk"
                    )
                )
                insert(
                    ResidentProfile,
                    [
                        ResidentProfile(
                            user_id=ids[f"seed{i}@{SEED_DOMAIN}"],
                            legal_name=f"居民{i}",
                            id_number=seed_id_number(i),
                            date_of_birth=dt.date(1950, 1, 1) + dt.timedelta(days=i // 999),
                            phone=f"139{i:08d}",
                            district=districts[i % len(districts)],
                        )
                        for i in range(start, stop)
                    ],
                )
            progress.advance(stop - start)

    @functools.cache  # noqa: B019 - a handful of (day, days) pairs, for one command run
    def _due(self, submitted: dt.date, days: int) -> dt.date:
        return self.calendar.add_working_days(submitted, days)

    def _seed_applications(self, total: int, batch: int) -> None:
        existing = Application.objects.filter(reference__contains="-S").count()
        progress = Progress("applications", total)
        progress.resume(existing)
        resident_ids = list(
            User.objects.filter(email__endswith=f"@{SEED_DOMAIN}", is_staff=False).values_list("pk", flat=True)
        )
        statuses, weights = zip(*STATUS_WEIGHTS.items(), strict=True)
        now = timezone.now()
        for start in range(existing, total, batch):
            stop = min(start + batch, total)
            apps, events = [], []
            for i in range(start, stop):
                app, timeline = self._application(
                    i, self.random.choice(resident_ids), self.random.choices(statuses, weights)[0], now
                )
                apps.append(app)
                events.append(timeline)
            with transaction.atomic():
                insert(Application, apps)
                ids = dict(
                    Application.objects.filter(reference__in=[a.reference for a in apps]).values_list("reference", "pk")
                )
                insert(
                    ApplicationEvent,
                    [
                        ApplicationEvent(application_id=ids[app.reference], **event)
                        for app, timeline in zip(apps, events, strict=True)
                        for event in timeline
                    ],
                )
            progress.advance(stop - start)

    def _application(self, index: int, applicant_id: int, status: Status, now: dt.datetime):
        service = self.random.choice(self.services)
        department = service.department
        created = now - dt.timedelta(minutes=self.random.randint(60, 60 * 24 * 120))
        app = Application(
            reference=f"{department.reference_prefix}-{created.year}-S{index:07d}",
            applicant_id=applicant_id,
            service=service,
            status=status,
            channel=Channel.MOBILE if index % 3 else Channel.WEB,
            created_at=created,
            updated_at=created,
        )
        timeline, at, previous = [], created, Status.DRAFT
        for step in PATHS[status]:
            at += dt.timedelta(minutes=self.random.randint(1, 60 * 24 * 3))
            at = min(at, now)
            timeline.append({"from_status": previous, "to_status": step, "created_at": at, "message": ""})
            if step == Status.SUBMITTED:
                app.submitted_at = at
            elif step == Status.ROUTED:
                app.department, app.team = department, self.teams.get(department.pk)
                app.routed_at = at
                app.due_date = self._due(timezone.localdate(at), service.processing_days)
                app.intake_checked_at = at
            elif step == Status.IN_REVIEW:
                app.assignee = self.staff[department.pk]
            elif step in (Status.APPROVED, Status.REJECTED):
                app.decided_at = at
                app.decision_reason = "" if step == Status.APPROVED else "材料不全 / Documents missing"
            previous = step
        app.updated_at = at
        return app, timeline
