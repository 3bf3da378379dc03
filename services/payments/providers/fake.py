"""The adapter of the local fake provider (services/payments/fakeserver.py), spoken over HTTP like a real one."""

import datetime as dt
import json
import time
from collections.abc import Mapping

import requests
from django.conf import settings

from ..fakeserver import sign, signature_valid
from .base import PAID, BadNotification, Checkout, Notice, ProviderError, ProviderPayment, StatementLine

STATUSES = {"paid": PAID, "refunded": PAID, "pending": "pending", "failed": "failed", "closed": "closed"}


class FakePay:
    code = "fake"

    def __init__(self):
        self.base_url = settings.FAKEPAY_URL.rstrip("/")
        self.secret = settings.FAKEPAY_SECRET

    def _call(self, method: str, path: str, payload: dict | None = None, params: dict | None = None) -> dict | list:
        body = json.dumps(payload) if payload is not None else ""
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "Fakepay-Timestamp": timestamp,
            "Fakepay-Signature": sign(self.secret, timestamp, f"{method}.{path}.{body}"),
        }
        try:
            response = requests.request(
                method, self.base_url + path, data=body or None, params=params, headers=headers, timeout=10
            )
        except requests.RequestException as exc:
            raise ProviderError(f"FakePay unreachable: {exc.__class__.__name__}") from exc
        answer = response.json() if response.content else {}
        if response.status_code == 404 and method == "GET":
            return {"status": "unknown"}
        if response.status_code >= 400:
            raise ProviderError(answer.get("message", "refused"), code=answer.get("code", str(response.status_code)))
        return answer

    def start(self, *, payment, description: str, notify_url: str, return_url: str) -> Checkout:
        answer = self._call(
            "POST",
            "/v1/payments",
            {
                "trade_number": payment.trade_number,
                "amount_fen": payment.amount_fen,
                "description": description,
                "notify_url": notify_url,
                "return_url": return_url,
                "expires_at": payment.expires_at.timestamp(),
            },
        )
        return Checkout(reference=answer["id"], url=f"{self.base_url}/checkout/{answer['id']}")

    def read(self, *, payment) -> ProviderPayment:
        answer = self._call("GET", f"/v1/payments/{payment.trade_number}")
        return ProviderPayment(
            status=STATUSES.get(answer["status"], "unknown"),
            reference=answer.get("id", ""),
            amount_fen=answer.get("amount_fen"),
        )

    def verify(self, *, headers: Mapping[str, str], body: bytes) -> Notice:
        text = body.decode("utf-8", errors="replace")
        if not signature_valid(
            self.secret, headers.get("Fakepay-Timestamp", ""), text, headers.get("Fakepay-Signature", "")
        ):
            raise BadNotification("bad signature or timestamp")
        try:
            content = json.loads(text)
            payment = content["payment"]
            return Notice(
                event_id=str(content["event_id"]),
                trade_number=str(payment["trade_number"]),
                status=STATUSES.get(payment["status"], "unknown"),
                amount_fen=int(payment["amount_fen"]),
                reference=str(payment["id"]),
                resource=content,
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise BadNotification("not a FakePay notification") from exc

    def refund(self, *, refund) -> str:
        answer = self._call(
            "POST",
            "/v1/refunds",
            {
                "trade_number": refund.payment.trade_number,
                "refund_number": refund.refund_number,
                "amount_fen": refund.amount_fen,
            },
        )
        return answer["id"]

    def statement(self, *, day: dt.date) -> list[StatementLine]:
        lines = self._call("GET", "/v1/statement", params={"date": day.isoformat()})
        return [
            StatementLine(
                trade_number=line["trade_number"],
                reference=line["id"],
                amount_fen=line["amount_fen"],
                refunded_fen=line["refunded_fen"],
            )
            for line in lines
        ]
