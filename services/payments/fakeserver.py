"""A local fake payment provider: a real HTTP server that `make run` starts and the tests use.

It behaves as Chinese providers do, in a small way: the merchant creates a payment (idempotent on its order
number) and sends the resident to a checkout page (pay / fail / abandon); the outcome goes to the merchant's
notify URL asynchronously, signed with HMAC-SHA256 over ``"<timestamp>.<body>"`` (header ``Fakepay-Signature``);
the merchant can read a payment's status, refund it (never more than was paid) and download a day's statement.
Requests from the merchant are signed the same way over ``"<timestamp>.<METHOD>.<path>.<body>"``.

On demand (``POST /_control``, for tests and demos) notifications are delayed, sent several times, or not sent.

Run: ``python -m services.payments.fakeserver --port 8765 --secret <FAKEPAY_SECRET>``. Only the standard library.
"""

import argparse
import contextlib
import datetime as dt
import hashlib
import hmac
import html
import json
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
MAX_SKEW_SECONDS = 300


def sign(secret: str, timestamp: str, message: str) -> str:
    """Return the hex HMAC-SHA256 of ``"<timestamp>.<message>"`` with ``secret``."""
    return hmac.new(secret.encode(), f"{timestamp}.{message}".encode(), hashlib.sha256).hexdigest()


def signature_valid(secret: str, timestamp: str, message: str, signature: str, *, now: float | None = None) -> bool:
    """Return whether ``signature`` signs the message at ``timestamp``, itself within five minutes of now."""
    try:
        fresh = abs((now or time.time()) - int(timestamp)) <= MAX_SKEW_SECONDS
    except (TypeError, ValueError):
        return False
    return fresh and hmac.compare_digest(sign(secret, timestamp, message), signature or "")


class Ledger:
    """The provider's books: payments by id and by the merchant's order number, under one lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.payments: dict[str, dict] = {}
        self.by_trade: dict[str, str] = {}
        self.refunds: dict[str, dict] = {}
        self.control = {"delay": 0.0, "copies": 1}

    def create(self, order: dict) -> dict:
        with self.lock:
            known = self.by_trade.get(order["trade_number"])
            if known:
                return self.payments[known]
            payment = {
                "id": "FP" + uuid.uuid4().hex[:20].upper(),
                "trade_number": order["trade_number"],
                "amount_fen": int(order["amount_fen"]),
                "description": str(order.get("description", ""))[:100],
                "notify_url": order.get("notify_url", ""),
                "return_url": order.get("return_url", ""),
                "expires_at": float(order.get("expires_at") or time.time() + 900),
                "status": "pending",
                "paid_at": None,
                "refunded_fen": 0,
            }
            self.payments[payment["id"]] = payment
            self.by_trade[payment["trade_number"]] = payment["id"]
            return payment

    def settle(self, payment_id: str, outcome: str) -> dict | None:
        """Pay or fail a pending payment; one past its expiry is closed instead. Return it (None: unknown)."""
        with self.lock:
            payment = self.payments.get(payment_id)
            if payment is None or payment["status"] != "pending":
                return payment
            if time.time() > payment["expires_at"]:
                payment["status"] = "closed"
            elif outcome == "pay":
                payment["status"], payment["paid_at"] = "paid", time.time()
            else:
                payment["status"] = "failed"
            return dict(payment)

    def refund(self, request: dict) -> tuple[int, dict]:
        with self.lock:
            if request.get("refund_number") in self.refunds:
                return 200, self.refunds[request["refund_number"]]
            payment = self.payments.get(self.by_trade.get(request.get("trade_number"), ""))
            amount = int(request.get("amount_fen", 0))
            if payment is None or payment["status"] not in ("paid", "refunded"):
                return 404, {"code": "NOT_PAID", "message": "no paid payment with this order number"}
            if amount <= 0 or payment["refunded_fen"] + amount > payment["amount_fen"]:
                return 400, {"code": "AMOUNT_EXCEEDED", "message": "more than was paid"}
            payment["refunded_fen"] += amount
            payment["status"] = "refunded"
            refund = {"id": "FR" + uuid.uuid4().hex[:20].upper(), "status": "succeeded", "amount_fen": amount}
            self.refunds[request["refund_number"]] = refund
            return 200, refund

    def statement(self, day: dt.date) -> list[dict]:
        with self.lock:
            paid = [p for p in self.payments.values() if p["paid_at"]]
        return [
            {key: p[key] for key in ("id", "trade_number", "amount_fen", "status", "refunded_fen")}
            for p in paid
            if dt.datetime.fromtimestamp(p["paid_at"], SHANGHAI).date() == day
        ]


def _checkout_page(payment: dict) -> str:
    amount = f"¥{payment['amount_fen'] // 100}.{payment['amount_fen'] % 100:02d}"
    closed = payment["status"] != "pending"
    buttons = (
        f"<p>Status: {html.escape(payment['status'])}</p>"
        if closed
        else '<button name="action" value="pay">Pay 支付</button> <button name="action" value="fail">Fail 失败</button>'
    )
    abandon = html.escape(payment["return_url"] or "/", quote=True)
    return f"""<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>FakePay 收银台</title></head>
<body><main><h1>FakePay 收银台 (test checkout)</h1>
<p>{html.escape(payment["description"])}</p><p>Amount 金额: <strong>{amount}</strong></p>
<form method="post">{buttons}</form><p><a href="{abandon}">Abandon 放弃支付</a></p></main></body></html>"""


class Handler(BaseHTTPRequestHandler):
    ledger: Ledger
    secret: str

    def log_message(self, format, *args):  # quiet: the tests and make run read their own logs
        pass

    def _send(self, status: int, body: str | dict, content_type="application/json", headers=None):
        data = (json.dumps(body) if isinstance(body, dict | list) else body).encode()
        self.send_response(status)
        self.send_header("Content-Type", f"{content_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> str:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()

    def _signed(self, body: str) -> bool:
        path = urlsplit(self.path).path
        message = f"{self.command}.{path}.{body}"
        timestamp = self.headers.get("Fakepay-Timestamp", "")
        return signature_valid(self.secret, timestamp, message, self.headers.get("Fakepay-Signature", ""))

    def do_GET(self):
        url = urlsplit(self.path)
        parts = url.path.strip("/").split("/")
        if parts[0] == "checkout" and len(parts) == 2:
            payment = self.ledger.payments.get(parts[1])
            return self._send(200 if payment else 404, _checkout_page(payment) if payment else "", "text/html")
        if not self._signed(""):
            return self._send(401, {"code": "SIGN_ERROR", "message": "bad signature"})
        if parts[:2] == ["v1", "payments"] and len(parts) == 3:
            payment_id = self.ledger.by_trade.get(parts[2])
            if payment_id is None:
                return self._send(404, {"code": "ORDER_NOT_EXIST", "message": "no such order"})
            return self._send(200, self.ledger.payments[payment_id])
        if parts[:2] == ["v1", "statement"]:
            day = dt.date.fromisoformat(parse_qs(url.query).get("date", [""])[0])
            return self._send(200, self.ledger.statement(day))
        return self._send(404, {"code": "NOT_FOUND", "message": "no such resource"})

    def do_POST(self):
        parts = urlsplit(self.path).path.strip("/").split("/")
        body = self._body()
        if parts[0] == "checkout" and len(parts) == 2:
            return self._checkout(parts[1], parse_qs(body).get("action", [""])[0])
        if parts == ["_control"]:
            self.ledger.control.update(json.loads(body or "{}"))
            return self._send(200, self.ledger.control)
        if not self._signed(body):
            return self._send(401, {"code": "SIGN_ERROR", "message": "bad signature"})
        if parts == ["v1", "payments"]:
            return self._send(200, self.ledger.create(json.loads(body)))
        if parts == ["v1", "refunds"]:
            return self._send(*self.ledger.refund(json.loads(body)))
        return self._send(404, {"code": "NOT_FOUND", "message": "no such resource"})

    def _checkout(self, payment_id: str, action: str):
        payment = self.ledger.settle(payment_id, "pay" if action == "pay" else "fail")
        if payment is None:
            return self._send(404, "", "text/html")
        if payment["status"] in ("paid", "failed") and payment["notify_url"]:
            notify_later(self.secret, payment, **self.ledger.control)
        return self._send(303, "", "text/html", {"Location": payment["return_url"] or f"/checkout/{payment_id}"})


def notification(secret: str, payment: dict, *, event_id: str | None = None, timestamp: str | None = None):
    """Return the body and headers of the notification of ``payment``'s outcome."""
    body = json.dumps(
        {
            "event_id": event_id or uuid.uuid4().hex,
            "type": f"payment.{payment['status']}",
            "payment": {key: payment[key] for key in ("id", "trade_number", "amount_fen", "status")},
        }
    )
    timestamp = timestamp or str(int(time.time()))
    return body, {"Fakepay-Timestamp": timestamp, "Fakepay-Signature": sign(secret, timestamp, body)}


def notify_later(secret: str, payment: dict, *, delay: float = 0.0, copies: int = 1, **_ignored) -> None:
    """Post the signed notification ``copies`` times (0: never) after ``delay`` seconds, in the background."""
    body, headers = notification(secret, payment)

    def deliver():
        for _copy in range(int(copies)):
            request = urllib.request.Request(  # noqa: S310 - the merchant's own notify URL, http(s)
                payment["notify_url"], data=body.encode(), headers={**headers, "Content-Type": "application/json"}
            )
            # A lost notification is the merchant's status read's to cover (a real provider retries for a while).
            with contextlib.suppress(OSError):
                urllib.request.urlopen(request, timeout=10).close()  # noqa: S310  # nosec B310  # the portal's own http notify_url

    threading.Timer(float(delay), deliver).start()


def serve(*, port: int = 0, secret: str, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """Start the fake provider in a background thread and return its server (``server_address`` has the port)."""
    handler = type("FakePayHandler", (Handler,), {"ledger": Ledger(), "secret": secret})
    server = ThreadingHTTPServer((host, port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--secret", required=True)
    args = parser.parse_args()
    server = serve(port=args.port, secret=args.secret)
    print(f"FakePay on http://127.0.0.1:{server.server_address[1]}/", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
