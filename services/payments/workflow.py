"""The one function that moves a payment along its lifecycle (models.TRANSITIONS), and its form for a payment
known only by what a provider's notification names."""

from django.db import connections, router
from django.db.models import Q
from django.db.models.sql import UpdateQuery
from django.utils import timezone

from services.applications.models import Application

from .models import TRANSITIONS, Payment, PaymentStatus


def _moved(to: PaymentStatus, changes: dict) -> tuple[list[str], dict]:
    """Return the statuses TRANSITIONS allows a move to ``to`` from, and the columns the move writes."""
    return [source for source, target in TRANSITIONS if target == to], {
        "status": to,
        **changes,
        "updated_at": timezone.now(),
    }


def payment_transition(*, payment: Payment, to: PaymentStatus, **changes) -> Payment | None:
    """Move the payment to ``to`` with ``changes`` in one conditional update (from a status TRANSITIONS allows; the
    row stays locked until commit) and return it moved; None when its status does not allow it (a repeated
    outcome, or one overtaken by another)."""
    allowed_from, changes = _moved(to, changes)
    if not Payment.objects.filter(pk=payment.pk, status__in=allowed_from).update(**changes):
        return None
    for name, value in changes.items():
        setattr(payment, name, value)
    return payment


def payment_transition_where(*, lookup: Q, to: PaymentStatus, **changes) -> Payment | None:
    """As payment_transition, for the one payment ``lookup`` finds (e.g. by order number and amount), read as it is
    moved: one ``UPDATE … RETURNING`` (with its application's reference), no read before it. None when no payment
    matches from a status TRANSITIONS allows (then nothing changed): the caller reads it to say why."""
    allowed_from, changes = _moved(to, changes)
    query = Payment.objects.filter(lookup, status__in=allowed_from).query.chain(UpdateQuery)
    query.add_update_values(changes)
    connection = connections[router.db_for_write(Payment)]
    sql, params = query.get_compiler(connection=connection).as_sql()
    quote, fields = connection.ops.quote_name, Payment._meta.concrete_fields
    table, applications = quote(Payment._meta.db_table), quote(Application._meta.db_table)
    returning = ", ".join(f"{table}.{quote(field.column)}" for field in fields)
    reference = f"(SELECT reference FROM {applications} WHERE id = {table}.application_id)"  # noqa: S608  # nosec B608
    with connection.cursor() as cursor:
        # quoted names, bound values
        cursor.execute(f"{sql} RETURNING {returning}, {reference}", params)  # noqa: S608  # nosec B608
        row = cursor.fetchone()
    if row is None:
        return None
    payment = Payment.from_db(connection.alias, [field.attname for field in fields], row[:-1])
    payment.application = Application.from_db(connection.alias, ["id", "reference"], [payment.application_id, row[-1]])
    return payment
