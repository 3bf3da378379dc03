"""The provider side of payments: the one interface every adapter implements (the registry: __init__.py).

An adapter starts a payment (returns where to send the resident), reads a payment's status (the portal never
trusts the browser's return), verifies and reads a notification, refunds, and gives a day's statement. Adapters
speak the provider's protocol and return these plain values; the actions decide what they mean.
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol


class ProviderError(Exception):
    """The provider could not be reached or refused the request; ``code`` is its error code when it gave one."""

    def __init__(self, message: str, code: str = ""):
        super().__init__(message)
        self.code = code


class BadNotification(Exception):
    """A notification whose signature, timestamp or content is not the provider's."""


# What a provider says of a payment, in the portal's words.
PAID, PENDING, FAILED, CLOSED, UNKNOWN = "paid", "pending", "failed", "closed", "unknown"


@dataclass(frozen=True)
class Checkout:
    reference: str  # the provider's id of the payment
    url: str  # where the resident pays (a checkout page, or a QR code's content)


@dataclass(frozen=True)
class ProviderPayment:
    status: str  # PAID, PENDING, FAILED, CLOSED or UNKNOWN (the provider does not know the order)
    reference: str = ""
    amount_fen: int | None = None


@dataclass(frozen=True)
class Notice:
    """A verified notification: its event id (unique per provider), the payment's order number and outcome."""

    event_id: str
    trade_number: str
    status: str
    amount_fen: int | None
    reference: str = ""
    resource: dict = field(default_factory=dict)  # the content as read (decrypted where the provider encrypts it)


@dataclass(frozen=True)
class StatementLine:
    trade_number: str
    reference: str
    amount_fen: int
    refunded_fen: int


class Provider(Protocol):
    code: str

    def start(self, *, payment, description: str, notify_url: str, return_url: str) -> Checkout: ...

    def read(self, *, payment) -> ProviderPayment: ...

    def verify(self, *, headers: Mapping[str, str], body: bytes) -> Notice: ...

    def refund(self, *, refund) -> str: ...

    def statement(self, *, day: dt.date) -> list[StatementLine]: ...
