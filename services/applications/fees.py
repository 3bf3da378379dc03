"""An application's fee: the status a submission starts in, and its payment recorded (then it is routed)."""

from django.db import connections, router, transaction
from django.db.models.sql import UpdateQuery
from django.utils import timezone

from services.catalogue.fees import FeeQuote

from .models import AWAITING_PAYMENT, Application, ApplicationEvent, EventNote, FeeStatus
from .workflow import routing_publish_on_commit


def fee_status_for(quote: FeeQuote) -> FeeStatus:
    """Return the fee status a submission with this quote starts in: waived, due, or none to pay."""
    if quote.waived:
        return FeeStatus.WAIVED
    return FeeStatus.DUE if quote.is_due else FeeStatus.NONE


def application_fee_paid(*, application: Application) -> bool:
    """Record that the application's fee is paid (with the note on its timeline) and queue its routing; return False
    if it was not awaiting payment (paid already, or withdrawn meanwhile), so a second payment can be refunded."""
    with transaction.atomic(savepoint=False):  # inside a payment's transaction: no savepoint's round trips
        now = timezone.now()
        awaiting = Application.objects.filter(AWAITING_PAYMENT, pk=application.pk)
        note = ApplicationEvent(application=application, note=EventNote.FEE_PAID, created_at=now)
        paid = _update_noted(awaiting, {"fee_status": FeeStatus.PAID, "fee_paid_at": now, "updated_at": now}, note)
        if paid:
            routing_publish_on_commit(application=application)
    return bool(paid)


def _update_noted(rows, changes: dict, note: ApplicationEvent) -> int:
    """Update ``rows`` (one application at most) with ``changes`` and add ``note`` to its timeline if it moved;
    return how many moved. On PostgreSQL in one statement, the update's row feeding the insert; elsewhere in two."""
    connection = connections[router.db_for_write(Application)]
    if connection.vendor != "postgresql":
        moved = rows.update(**changes)
        if moved:
            note.save()
        return moved
    query = rows.query.chain(UpdateQuery)
    query.add_update_values(changes)
    update, params = query.get_compiler(connection=connection).as_sql()
    fields = [field for field in ApplicationEvent._meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    values = ", ".join("id" if field.name == "application" else "%s" for field in fields)
    params += tuple(
        field.get_db_prep_save(getattr(note, field.attname), connection)
        for field in fields
        if field.name != "application"
    )
    table = quote(ApplicationEvent._meta.db_table)
    # quoted names, bound values
    sql = f"WITH moved AS ({update} RETURNING id) INSERT INTO {table} ({columns}) SELECT {values} FROM moved"  # noqa: S608  # nosec B608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
