"""Helpers `bench/issue21.py` calls inside the portal's settings (via `manage.py shell -c`): the race for the last
places of an appointment time, and the signed payment notifications the load sends."""

import datetime as dt
import json
import threading
import time


def _residents_applying(count: int, **fields) -> list:
    """Create ``count`` residents, each with a submitted application of one open service; return the applications."""
    from django.core.management import call_command
    from django.utils import timezone

    from services.accounts.models import User
    from services.applications.models import Application
    from services.catalogue.models import Service

    if not Service.objects.filter(is_active=True).exists():
        call_command("load_catalogue", verbosity=0)
    service = Service.objects.filter(is_active=True).select_related("department").first()
    stamp = f"{int(time.time() * 1000) % 10**8:08d}"
    users = User.objects.bulk_create(User(email=f"bench-{stamp}-{n}@example.test") for n in range(count))
    return Application.objects.bulk_create(
        Application(applicant=user, service=service, status="submitted", reference=f"B{stamp}-{n:07d}",
                    submitted_at=timezone.now(), **fields)
        for n, user in enumerate(users)
    )  # fmt: skip


def _working_day_ahead() -> dt.date:
    from django.utils import timezone

    from services.calendar.selectors import working_calendar

    day, calendar = timezone.localdate() + dt.timedelta(days=3), working_calendar()
    while day in calendar.days_off:
        day += dt.timedelta(days=1)
    return day


def slot_race(residents: int = 50, places: int = 10) -> str:
    """Let ``residents`` threads (each its own database connection) hold and confirm one time with ``places``
    counters at the same moment; return, as JSON, how many got one and the latency of each attempt.

    An uncounted race for another time goes first, as bench/run.py's wrk warms each path for a second: the first
    bookings of a fresh process pay for what a running worker has already done (imports, the broker's connection
    pool); its slowest attempt is returned too (``first_race_p99_ms``)."""
    from django.utils import timezone

    from services.appointments.models import Appointment, Location, Seat
    from services.calendar.selectors import working_calendar

    applications = _residents_applying(2 * residents)
    service = applications[0].service
    location, _created = Location.objects.update_or_create(
        code="bench-race",
        defaults={"name_zh": "压测中心", "name_en": "Bench centre", "address_zh": "-", "address_en": "-",
                  "district": "pudong", "department": service.department, "counters": places},
    )  # fmt: skip
    location.services.add(service)
    day = _working_day_ahead()
    first, counted = (timezone.make_aware(dt.datetime.combine(day, dt.time(hour))) for hour in (9, 10))
    Seat.objects.filter(location=location).delete()
    Appointment.objects.filter(location=location).update(status="cancelled")
    Seat.objects.bulk_create(
        Seat(location=location, starts_at=starts_at, counter=n) for starts_at in (first, counted)
        for n in range(1, places + 1)
    )  # fmt: skip
    working_calendar()  # read once and kept, as a running worker has it
    warm_up = _race(applications[:residents], location, first)
    results = _race(applications[residents:], location, counted)
    latencies, first_latencies = (sorted(ms for _won, ms in race) for race in (results, warm_up))
    booked = Appointment.objects.filter(location=location, starts_at=counted, status="booked").count()
    won = sum(won for won, _ms in results)
    return json.dumps(
        {"attempts": len(results), "won": won, "booked": booked, "p50_ms": _percentile(latencies, 0.5),
         "p99_ms": _percentile(latencies, 0.99), "first_race_p99_ms": _percentile(first_latencies, 0.99)}
    )  # fmt: skip


def _percentile(ordered: list[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def _race(applications: list, location, starts_at) -> list[tuple[bool, float]]:
    """Start one thread per application at the same moment, each holding and confirming ``starts_at``; return
    whether each got it and how long it took (ms)."""
    from django.db import connection

    from services.appointments.actions import appointment_confirm, appointment_hold
    from services.appointments.errors import SlotFull

    start, results, lock = threading.Barrier(len(applications)), [], threading.Lock()

    def resident(application):
        try:
            connection.ensure_connection()  # as a gunicorn worker keeps its own (DATABASE_CONN_MAX_AGE)
            application.applicant  # noqa: B018 - the signed-in user, loaded with the request
            start.wait()
            began = time.perf_counter()
            try:
                held = appointment_hold(
                    application=application, by=application.applicant, location=location, starts_at=starts_at
                )
                appointment_confirm(appointment=held, by=application.applicant)
                won = True
            except SlotFull:
                won = False
            with lock:
                results.append((won, (time.perf_counter() - began) * 1000))
        finally:
            connection.close()

    threads = [threading.Thread(target=resident, args=(application,)) for application in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def notification_file(count: int, path: str) -> str:
    """Create ``count`` applications whose fee is due, each with a payment in progress at FakePay, and write the
    provider's signed notification of each one's payment to ``path`` (timestamp, signature, body, tab-separated)."""
    from django.conf import settings
    from django.utils import timezone

    from services.payments.fakeserver import notification
    from services.payments.models import Payment

    applications = _residents_applying(count, fee_status="due", fee_fen=2000)
    payments = Payment.objects.bulk_create(
        Payment(application=application, payer_id=application.applicant_id, amount_fen=2000, provider="fake",
                status="pending", expires_at=timezone.now() + dt.timedelta(hours=1))
        for application in applications
    )  # fmt: skip
    with open(path, "w", encoding="utf-8") as out:
        for payment in payments:
            # The provider's reference is unique: one per payment, never one an earlier run's payment has taken.
            reference = f"FPB{payment.pk}"
            record = {"id": reference, "trade_number": payment.trade_number, "amount_fen": 2000, "status": "paid"}
            body, headers = notification(settings.FAKEPAY_SECRET, record)
            out.write(f"{headers['Fakepay-Timestamp']}\t{headers['Fakepay-Signature']}\t{body}\n")
    return path


def notifications_done(path: str) -> str:
    """Return, as JSON, how many of the file's payments are paid and what became of its notifications the portal
    kept (their outcomes); then withdraw their applications, so the routing their payments published finds nothing
    to do in a later run."""
    from django.db.models import Count

    from services.applications.models import Application
    from services.payments.models import Payment, PaymentEvent

    with open(path, encoding="utf-8") as lines:
        bodies = [json.loads(line.split("\t", 2)[2]) for line in lines]
    payments = Payment.objects.filter(trade_number__in=[body["payment"]["trade_number"] for body in bodies])
    paid = payments.filter(status="paid").count()
    kept = PaymentEvent.objects.filter(provider="fake", event_id__in=[body["event_id"] for body in bodies])
    outcomes = {row["outcome"]: row["n"] for row in kept.values("outcome").annotate(n=Count("id"))}
    Application.objects.filter(payments__in=payments).update(status="withdrawn")
    return json.dumps({"paid": paid, "outcomes": outcomes})
