"""The nightly reconciliation: a day's payments in the portal against the provider's statement for that day."""

import datetime as dt
import logging

from django.db import transaction
from django.db.models import Q

from services.catalogue.fees import yuan

from .models import MONEY_TAKEN, Mismatch, MismatchKind, Payment, ReconciliationRun
from .providers import payment_provider
from .providers.base import StatementLine

logger = logging.getLogger(__name__)


def _compare(payment: Payment | None, line: StatementLine | None) -> tuple[MismatchKind, str, str] | None:
    """Return how the portal's payment and the provider's line disagree, in words for the admin; None if they agree."""
    if line is None:
        return MismatchKind.MISSING_THERE, f"{payment.get_status_display()} {payment.amount_yuan}", ""
    there = f"{yuan(line.amount_fen)}, refunded {yuan(line.refunded_fen)}"
    if payment is None:
        return MismatchKind.MISSING_HERE, "", there
    here = f"{payment.get_status_display()} {payment.amount_yuan}, refunded {payment.refunded_yuan}"
    if payment.status not in MONEY_TAKEN:
        return MismatchKind.STATUS, here, there
    if payment.amount_fen != line.amount_fen:
        return MismatchKind.AMOUNT, here, there
    if payment.refunded_fen != line.refunded_fen:
        return MismatchKind.STATUS, here, there
    return None


def reconcile(*, day: dt.date, provider: str = "") -> ReconciliationRun:
    """Compare the payments the portal recorded as paid on ``day`` (Shanghai time) with the provider's statement of
    that day, and record each disagreement for the admin. Raises ProviderError if the statement cannot be had."""
    adapter = payment_provider(provider)
    lines = {line.trade_number: line for line in adapter.statement(day=day)}
    ours = Payment.objects.filter(provider=adapter.code).filter(
        Q(paid_at__date=day, status__in=MONEY_TAKEN) | Q(trade_number__in=list(lines))
    )
    payments = {payment.trade_number: payment for payment in ours.select_related("application")}
    with transaction.atomic():
        run = ReconciliationRun.objects.create(provider=adapter.code, day=day, payments=len(payments.keys() | lines))
        found = []
        for number in sorted(payments.keys() | lines.keys()):
            difference = _compare(payments.get(number), lines.get(number))
            if difference is not None:
                kind, here, there = difference
                found.append(
                    Mismatch(
                        run=run,
                        kind=kind,
                        trade_number=number,
                        payment=payments.get(number),
                        portal=here,
                        provider=there,
                    )
                )
        Mismatch.objects.bulk_create(found)
        run.mismatches = len(found)
        run.save(update_fields=["mismatches"])
    if found:
        logger.error("reconciliation mismatches", extra={"day": day.isoformat(), "mismatches": len(found)})
    return run
