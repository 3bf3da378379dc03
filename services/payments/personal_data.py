"""The payments' part of a resident's personal data."""

from services.accounts.privacy import register

from .models import Payment


def export_payments(user):
    """Return the resident's payments, each with the reference of the application it paid for."""
    payments = Payment.objects.filter(payer=user).select_related("application")
    return [
        {
            "application": payment.application.reference,
            "amount_fen": payment.amount_fen,
            "refunded_fen": payment.refunded_fen,
            "status": payment.status,
            "provider": payment.provider,
            "order_number": payment.trade_number,
            "created_at": payment.created_at.isoformat(),
            "paid_at": payment.paid_at.isoformat() if payment.paid_at else None,
        }
        for payment in payments
    ], []


def erase_payments(user) -> None:
    """Keep the payments: accounting records the law keeps, like the applications they paid for; once the account is
    anonymised they name nobody."""


register(app_label="payments", section="payments", export_for=export_payments, erase_for=erase_payments)
